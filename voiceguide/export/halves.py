"""A FLAC export on both cores: the session's two halves rendered and encoded side by side, then joined.

libFLAC encodes on one core, and encoding was most of a FLAC export's time (0.55 s of CPU for the evening,
against 0.15 s to render it): with one encoder the export took 1.5 times as long as FFmpeg encoding the same
WAV. Each half here is rendered from its own first sample (the renderer starts anywhere, as the live player's
seeks do) and encoded by its own libsndfile in its own thread (ctypes lets go of the GIL while libFLAC works);
the second half's thread then renumbers its frames to follow the first's (flacjoin.py), and they are appended.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Final

from .flacjoin import JOIN_STEP, Continuation, JoinError, append, renumbered
from .sinks import SndfileSink

if TYPE_CHECKING:
    from ..audio.types import Audio

RenderFrom = Callable[[int], Iterator["Audio"]]
"""The session's blocks from a sample on."""
FIRST_SHARE: Final = 0.54
"""Of the session, what the first half takes: the second's thread also renumbers its frames when it is done
(0.1 s for the evening), so that the two end together."""


class _Stopped(Exception):
    """The other half failed or was interrupted: this one stops too."""


def encode_flac(
    render_from: RenderFrom,
    length: int,
    rate: int,
    path: Path,
    spares: tuple[Path, Path],
    progress: Callable[[int], None] | None,
) -> None:
    """Write the session (``length`` samples) to ``path`` as FLAC, in two halves at once when it is long enough
    to be worth it; ``spares``: temporary files for the second half and its renumbered frames (gone after)."""
    spare, renumbered_frames = spares
    cut = min(round(length * FIRST_SHARE / JOIN_STEP), (length - 1) // JOIN_STEP) * JOIN_STEP
    lock = threading.Lock()

    def done(samples: int) -> None:
        if progress is not None:
            with lock:  # both halves report to the one progress bar
                progress(samples)

    if cut == 0:
        _encode(render_from, 0, length, path, rate, done, threading.Event())
        return
    stop = threading.Event()
    failed: list[BaseException] = []
    rest: list[Continuation | JoinError] = []

    def second_half() -> None:
        try:
            _encode(render_from, cut, length, spare, rate, done, stop)
            try:
                rest.append(renumbered(spare, renumbered_frames, cut, length - cut))
            except JoinError as exc:
                rest.append(exc)
        except BaseException as exc:  # handed to the main thread
            failed.append(exc)
            stop.set()

    worker = threading.Thread(target=second_half, name="voiceguide-second-half", daemon=True)
    worker.start()
    try:
        try:
            _encode(render_from, 0, cut, path, rate, done, stop)
        except _Stopped:
            pass  # the second half failed: its error is raised below
        except BaseException:
            stop.set()
            raise
        finally:
            worker.join()
        if failed:
            raise failed[0]
        try:
            if isinstance(rest[0], JoinError):
                raise rest[0]
            append(path, cut, rest[0])
        except JoinError:
            # Not the stream libsndfile was expected to write (another libsndfile, another level): one piece.
            _encode(render_from, 0, length, path, rate, done, stop, report=False)
    finally:
        for leftover in spares:
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)


def _encode(
    render_from: RenderFrom,
    start: int,
    end: int,
    path: Path,
    rate: int,
    done: Callable[[int], None],
    stop: threading.Event,
    *,
    report: bool = True,
) -> None:
    """Samples ``start:end`` of the session, rendered and encoded into their own FLAC file ``path``."""
    sink = SndfileSink(path, "flac", rate)
    try:
        pos = start
        for block in render_from(start):
            if stop.is_set():
                raise _Stopped
            take = min(block.size, end - pos)
            sink.write(block[:take])
            pos += take
            if report:
                done(take)
            if pos >= end:
                break
    finally:
        sink.close()

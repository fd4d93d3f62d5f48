"""Export a session to a file: loudness pass, streamed encode to a temporary file, tags, atomic rename."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from ..audio.render import render
from ..errors import ExportError
from ..plan.timeline import Timeline
from ..prepare import Prepared, remembered_peak, session_peak
from .chapters import captions, cue_sheet, session_tags, write_tags
from .formats import format_gain, gain_db
from .halves import encode_flac
from .pictures import Drawing
from .sinks import Sink, open_sink

EXPORT_BLOCK: Final = 65536
"""Samples per block: large enough to keep Python overhead low, small enough to keep memory flat."""
_PART: Final = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.voiceguide-(part|old)$")

Progress = Callable[[int], None]
"""Called with the number of samples just written."""


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    path: Path
    seconds: float
    size: int
    gain_db: float
    side_files: tuple[Path, ...]
    parts: tuple[Path, ...] = ()
    """With --split: the files in the folder ``path``, in order."""


def remove_stale_parts(folder: Path) -> None:
    """Delete temporary files and folders that an export killed earlier (its process is gone) left behind."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        match = _PART.match(entry.name)
        if match and not _alive(int(match.group("pid"))):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def _hold_old(dest: Path, folder: Path) -> Path | None:
    """A second name for the file about to be replaced, so the rename does not wait while it is deleted.

    Replacing a 128 MB file made the rename wait 25-60 ms (ext4 freeing its blocks); that wait
    buys no safety, so the old file is deleted after the new one is in place, in the background.
    The name is a stale part (remove_stale_parts) should that deletion never happen.
    """
    if not dest.is_file():
        return None
    old = temporary(dest, "old")
    try:
        old.unlink(missing_ok=True)
        os.link(dest, old)
    except OSError:  # no hard links here (FAT, some network shares): the rename deletes it, as before
        return None
    return old


def _delete_later(path: Path) -> None:
    import subprocess

    try:
        subprocess.Popen(
            ["rm", "-f", "--", str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def temporary(path: Path, kind: str = "part") -> Path:
    """The hidden name ``path`` is written under until it is complete (this process's id in it)."""
    return path.parent / f".{path.name}.{os.getpid()}.voiceguide-{kind}"


def writable_folder(dest: Path, force: bool, *also: Path) -> Path:
    """The folder ``dest`` goes in, checked: it exists (``audio/`` is made), is writable, nothing is overwritten."""
    if not force:
        for path in (dest, *also):
            if path.exists():
                raise ExportError(f"{path} already exists; use --force to overwrite it")
    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.is_dir():
        if dest.parent == Path("audio"):
            folder.mkdir(parents=True, exist_ok=True)
        else:
            raise ExportError(f"the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise ExportError(f"cannot write in {folder}: permission denied")
    remove_stale_parts(folder)
    return folder


def export_gain(session: Prepared, fmt: str) -> float:
    """The gain the session is rendered at for ``fmt``: its loudness gain, less for lossy codecs' headroom."""
    store = session.store
    peak = (
        remembered_peak(session.timeline, store)
        if getattr(store, "cache", None) is not None
        else session_peak(session.timeline, store.get)
    )
    return format_gain(session.gain, peak, fmt)


def encode(
    session: Prepared, gain: float, cuts: list[int], open_part: Callable[[int], Sink], progress: Progress | None
) -> None:
    """Render the session once and write samples ``cuts[i]:cuts[i+1]`` through the sink ``open_part(i)``."""
    timeline: Timeline = session.timeline
    sinks = _parts(cuts, open_part)
    index, sink = next(sinks)
    pos = 0
    try:
        for block in render(timeline, session.store.get, block=EXPORT_BLOCK, gain=gain, bed=session.bed, reuse=True):
            at = 0
            while at < block.size:
                take = min(block.size - at, cuts[index + 1] - pos)
                if take:
                    sink.write(block[at : at + take])
                at, pos = at + take, pos + take
                if pos == cuts[index + 1] and index + 2 < len(cuts):
                    sink.close()
                    index, sink = next(sinks)
            if progress is not None:
                progress(block.size)
    except BaseException:
        with contextlib.suppress(Exception):
            sink.close()  # release the file; the caller deletes it
        raise
    sink.close()


def _parts(cuts: list[int], open_part: Callable[[int], Sink]) -> Iterator[tuple[int, Sink]]:
    for index in range(len(cuts) - 1):
        yield index, open_part(index)


@contextlib.contextmanager
def reported(dest: Path, folder: Path) -> Iterator[None]:
    """Turn a failed write into one ExportError line that says nothing was left at ``dest``."""
    import soundfile as sf

    try:
        yield
    except OSError as exc:
        hint = " (the disk is full)" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else ""
        raise ExportError(f"could not write {dest}: {exc.strerror or exc}{hint}; nothing was left at {dest}") from None
    except (sf.LibsndfileError, RuntimeError) as exc:
        # libsndfile drops the errno of a failed write: the disk's free space is the only sign of a full one.
        hint = " (the disk is full)" if _full(folder) else ""
        raise ExportError(f"could not write {dest}: {exc}{hint}; nothing was left at {dest}") from None


def _full(folder: Path) -> bool:
    """Whether ``folder`` is on a disk with less than 1 MB free (a pseudo file system such as /proc has no blocks)."""
    try:
        info = os.statvfs(folder)
    except OSError:
        return False
    return info.f_blocks > 0 and info.f_bavail * info.f_frsize < 1_000_000


def export(
    session: Prepared,
    dest: Path,
    fmt: str,
    *,
    force: bool = False,
    with_captions: bool = False,
    with_cue_sheet: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """Render a prepared session into ``dest``; nothing appears there unless the whole file was written."""
    routine, timeline = session.routine, session.timeline
    side_paths = [
        p for p, on in ((dest.with_suffix(".vtt"), with_captions), (dest.with_suffix(".cue"), with_cue_sheet)) if on
    ]
    folder = writable_folder(dest, force, *side_paths)
    gain = export_gain(session, fmt)
    tags = session_tags(routine, timeline)
    drawing = Drawing(fmt, routine, session.pacing, tags.chapters, timeline)  # the pictures, drawn while it encodes
    part = temporary(dest)
    side_parts = [(temporary(path), path) for path in side_paths]
    try:
        with reported(dest, folder):
            if fmt == "flac" and session.bed is None:  # a file bed is read through one handle: one piece
                encode_flac(
                    lambda start: render(
                        timeline, session.store.get, start=start, block=EXPORT_BLOCK, gain=gain, reuse=True
                    ),
                    timeline.length,
                    timeline.sample_rate,
                    part,
                    (temporary(dest.with_name(dest.name + ".half")), temporary(dest.with_name(dest.name + ".frames"))),
                    progress,
                )
            else:
                encode(
                    session,
                    gain,
                    [0, timeline.length],
                    lambda _: open_sink(fmt, part, timeline.sample_rate, tags),
                    progress,
                )
            pictures = drawing.result()
            write_tags(part, fmt, replace(tags, cover=pictures.cover, pictures=pictures.chapters))
            for side_part, path in side_parts:
                text = captions(timeline) if path.suffix == ".vtt" else cue_sheet(routine, timeline, dest.name, fmt)
                side_part.write_text(text, encoding="utf-8")
            size = part.stat().st_size
            old = _hold_old(dest, folder)
            try:
                os.replace(part, dest)
            except OSError:
                if old is not None:
                    old.unlink(missing_ok=True)
                raise
            for side_part, path in side_parts:
                os.replace(side_part, path)
            if old is not None:
                _delete_later(old)
    finally:
        for leftover in (part, *(p for p, _ in side_parts)):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)
    return ExportResult(dest, timeline.duration, size, gain_db(gain), tuple(side_paths))

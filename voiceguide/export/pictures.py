"""Cover art: the session's chart as every export's picture, and a picture per chapter where the format has one.

The pictures are drawn (resvg) in a thread while the audio is rendered, so they cost the export almost no
time; resvg releases the GIL while it draws.
"""

from __future__ import annotations

import contextlib
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ..errors import ChartError
from ..plan.pacing import Pacing
from ..plan.timeline import Timeline
from ..routine.model import Routine
from .chapters import Chapter

COVER_SIDE: Final = 640
"""Pixels on the cover's long side: sharp on a phone's player, small in the file (~70 kB for the evening)."""
PICTURED: Final = frozenset({"m4b", "m4a", "mp3", "flac", "ogg", "opus"})
"""Formats with a field for a picture that players show. WAV has none (an ``id3 `` chunk is read by few
players), so a WAV export draws nothing and loads no tagging library: it stays the light format."""
CHAPTER_SIDE: Final = 420
"""Pixels on a chapter picture's long side: one view and one point, ~25 kB each."""


@dataclass(frozen=True)
class Pictures:
    """PNG pictures for one export."""

    cover: bytes
    chapters: tuple[bytes, ...] = ()
    """One per chapter, in order; empty for a chapter that is not a point on the chart (players show the cover)."""


def draw(routine: Routine, pacing: Pacing, marks: Sequence[Chapter], timeline: Timeline) -> Pictures:
    """The cover (every point, numbered) and a picture per chapter (its point alone, highlighted)."""
    from ..chart import chart_svg, items

    session = items(routine, pacing)
    cover = kept_png(chart_svg(routine.title, session, legend=False), COVER_SIDE)
    by_start = {span.start: span.index for span in timeline.steps}
    pictures = []
    drawn: dict[int, bytes] = {}
    for mark in marks:
        index = by_start.get(mark.start)
        if index is None and marks and mark is marks[0] and timeline.steps and mark.title == timeline.steps[0].name:
            index = timeline.steps[0].index  # the first point's chapter takes in a short opening
        item = session[index] if index is not None and index < len(session) else None
        if item is None or item.location is None:
            pictures.append(b"")
            continue
        if item.number not in drawn:
            title = f"{item.number}. {item.step.name}"
            drawn[item.number] = kept_png(chart_svg(title, [item], item.number, legend=False), CHAPTER_SIDE)
        pictures.append(drawn[item.number])
    return Pictures(cover, tuple(pictures))


def kept_png(svg: str, side: int) -> bytes:
    """The chart's PNG, kept in the cache folder (``pictures/``) by what it shows: an export of a routine drawn
    before draws nothing (the evening's 7 pictures, the cover and one a point, took 0.2 s of CPU beside the
    encoder, every export)."""
    import hashlib

    from ..chart import to_png
    from ..paths import atomic_write, cache_dir

    try:
        import resvg_py
    except ImportError:
        return to_png(svg, side)  # which says how to get it
    key = hashlib.sha256(f"{resvg_py.__version__}\0{side}\0{svg}".encode()).hexdigest()[:32]
    path = cache_dir() / "pictures" / f"{key}.png"
    with contextlib.suppress(OSError):
        return path.read_bytes()
    png = to_png(svg, side)
    with contextlib.suppress(OSError):  # a cache that cannot be written costs the next export a drawing
        atomic_write(path, png)
    return png


class Drawing:
    """``draw`` in a thread: started before the audio is rendered, waited for before the tags are written (for a
    format without pictures, nothing is drawn)."""

    def __init__(
        self, fmt: str, routine: Routine, pacing: Pacing, marks: Sequence[Chapter], timeline: Timeline
    ) -> None:
        self._result: Pictures | None = None if fmt in PICTURED else Pictures(b"")
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(routine, pacing, marks, timeline), daemon=True)
        if self._result is None:
            self._thread.start()

    def _run(self, *args: object) -> None:
        try:
            self._result = draw(*args)  # type: ignore[arg-type]
        except BaseException as exc:  # handed to the caller in result()
            self._error = exc

    def result(self) -> Pictures:
        """The pictures, once drawn; none (and a warning) when they could not be drawn: the audio matters more."""
        if self._thread.is_alive():
            self._thread.join()
        if isinstance(self._error, ChartError):
            warnings.warn(f"the export has no cover art: {self._error}", stacklevel=2)
            return Pictures(b"")
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

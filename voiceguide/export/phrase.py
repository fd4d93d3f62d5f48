"""One spoken phrase to a file (`voiceguide say -o`), through the same writer as a session export:
the same formats and name rules, atomic write, --force."""

from __future__ import annotations

from pathlib import Path

from ..audio.types import Audio
from ..plan.events import Event, Kind, Timeline
from ..plan.pacing import Pacing
from ..prepare import Prepared
from ..routine.library import Routine
from .formats import choose_format
from .writer import ExportResult, export

TAIL = 0.3
"""Seconds of quiet after the phrase, so players do not cut its last sound."""


class _OneClip:
    """The one clip, where a session export expects a clip store."""

    def __init__(self, text: str, clip: Audio) -> None:
        self.text, self.clip = text, clip

    def get(self, _text: str) -> Audio:
        return self.clip


def export_phrase(text: str, clip: Audio, rate: int, dest: Path, fmt: str | None, *, force: bool) -> ExportResult:
    """Write one clip to ``dest`` in the format its name asks for (``fmt`` must agree)."""
    fmt = choose_format(dest, fmt)
    event = Event(0, clip.size, Kind.SPEECH, text=text, cue="say")
    timeline = Timeline(rate, clip.size + round(TAIL * rate), (event,), (), ())
    routine = Routine(name="say", title=text[:80], description="", steps=())
    session = Prepared(routine, Pacing(), _OneClip(text, clip), timeline, 1.0)  # type: ignore[arg-type]
    return export(session, dest, fmt, force=force)

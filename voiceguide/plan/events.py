"""What a scheduled session is made of: events at exact samples, phases, steps, and the Timeline holding them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from ..routine.library import Sides, Technique
from ..routine.points import Point

TONE_SECONDS: Final[dict[str, float]] = {
    "press": 0.25,
    "release": 0.35,
    "switch": 1.2,
    "done": 1.5,
    "start": 3.0,
    "end": 4.0,
}
"""Length of each tone; tones.py draws them to exactly these lengths."""


class Kind(StrEnum):
    """What an event sounds like."""

    SPEECH = "speech"
    TONE = "tone"


class Phase(StrEnum):
    """What the listener is doing during a span of time."""

    OPENING = "opening"
    INTRO = "intro"
    PRESS = "press"
    RELEASE = "release"
    HOLD = "hold"
    WARMTH = "warmth"
    MOVING = "moving"
    WAIT = "wait"
    """Waiting for the listener before a step (its cue, and in exports the fixed gap after it)."""
    CLOSING = "closing"


@dataclass(frozen=True)
class Event:
    """One sound at an exact sample."""

    start: int
    duration: int
    kind: Kind
    text: str | None = None
    """Speech: what is said."""
    tone: str | None = None
    """Tone: its name (press, release, switch, start, end)."""
    step: int | None = None
    """Index of the step in the session, None for opening and closing."""
    side: str | None = None
    """left, right, together, or None."""
    cue: str = ""
    """What the cue is for (name, location, side, ready, time-left, …)."""

    @property
    def end(self) -> int:
        """First sample after the event."""
        return self.start + self.duration


@dataclass(frozen=True)
class Span:
    """A stretch of the session spent in one phase."""

    start: int
    end: int
    phase: Phase
    step: int | None = None
    side: str | None = None


@dataclass(frozen=True)
class StepSpan:
    """Where one step of the session begins and ends."""

    index: int
    point: Point
    name: str
    technique: Technique
    sides: Sides
    start: int
    end: int


@dataclass(frozen=True)
class Timeline:
    """A whole session: events, phases and steps, in samples at one rate."""

    sample_rate: int
    length: int
    events: tuple[Event, ...]
    spans: tuple[Span, ...]
    steps: tuple[StepSpan, ...]
    waits: tuple[int, ...] = ()
    """Samples where the live player holds until the listener is ready (space, or later "continue"), each
    right after a wait cue (an event with cue "wait"). In a timeline scheduled with ``live=False`` a fixed
    gap of timeline.WAIT_SECONDS follows each, which an export simply plays; with ``live=True`` there is
    no gap: the player resumes at the same sample."""
    minutes: tuple[float, ...] = ()
    """Each step's minutes as played (hold and warmth: in all; cycles: per side), after --minutes, --scale
    and --length."""

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.length / self.sample_rate

    def texts(self) -> list[str]:
        """Every distinct spoken text, in order of first use."""
        return list(dict.fromkeys(e.text for e in self.events if e.text is not None))

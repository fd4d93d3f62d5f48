"""The routine model: Routine and Step as validated from a file (validate.py builds them), and plain_text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from .points import Point


class Technique(StrEnum):
    """How a point is worked."""

    HOLD = "hold"
    CYCLES = "cycles"
    WARMTH = "warmth"


class Sides(StrEnum):
    """Which feet, and in what order."""

    LEFT = "left"
    RIGHT = "right"
    BOTH = "both"
    TOGETHER = "together"


@dataclass(frozen=True)
class Step:
    """One point of a routine, as written in its file."""

    point: Point
    """The standard point, e.g. LR3."""
    name: str
    """How the voice names it, e.g. "Liver 3"."""
    technique: Technique
    """Steady hold, press-release cycles, or warmth."""
    minutes: float
    """Hold and warmth: total minutes; cycles: minutes per side."""
    sides: Sides
    """Which feet, and in what order."""
    aliases: tuple[str, ...] = ()
    """Other names, said once after the name."""
    location: str = ""
    """Where to find the point, in plain words."""
    instructions: str = ""
    """What to do there."""
    cautions: str = ""
    """Said aloud after the instructions when present."""
    press: float | None = None
    """Cycles only: seconds of pressure; None takes the pacing's."""
    release: float | None = None
    """Cycles only: seconds of rest; None takes the pacing's."""
    line: int | None = None
    """Line of the step's header in its file."""
    prepare: str = ""
    """Said in the opening, only when this step is in the session (e.g. what to have at hand for it)."""
    closing: str = ""
    """Said in the closing, before the routine's own, only when this step is in the session."""
    wait: bool = False
    """Wait for the listener before this step (live: until a key; exports: a fixed gap)."""


@dataclass(frozen=True)
class Routine:
    """A validated routine: an opening, steps, a closing."""

    name: str
    """Short name: the built-in's name or the file's stem."""
    title: str
    description: str
    steps: tuple[Step, ...]
    opening: str = ""
    """Said after the start bell."""
    closing: str = ""
    """Said before the end bell."""
    source: str = ""
    """Where it was loaded from (a path or ``built-in``)."""
    pacing: dict[str, Any] = field(default_factory=dict)
    """The file's own ``[pacing]`` table, parsed by pacing.parse_layer."""
    pronounce: dict[str, str] = field(default_factory=dict)
    """The file's own ``[pronounce]`` table: word or name -> how the voice should say it."""
    digest: str = ""
    """SHA-256 of the file's bytes: tells a resumed session whether the routine changed."""
    language: str = "en"
    """BCP 47 tag of the language its texts are written in: the voice, the program's own words and the file
    tags follow it."""


_MARKUP: Final = re.compile(r"<[^<>]*>|\[\[|\]\]")


def plain_text(text: str) -> str:
    """Text as the speech engine should get it: SSML-like tags and espeak-ng's [[phoneme]] brackets
    removed (their words stay), whitespace folded. Routines are data, never instructions to the engine."""
    return " ".join(_MARKUP.sub(" ", text).split())

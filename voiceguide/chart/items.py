"""What a chart shows for a session: its points in session order, each with its words and where it is drawn."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ..plan.pacing import Pacing
from ..plan.steps import session_steps, step_seconds
from ..routine.model import Routine, Sides, Step, Technique
from .locations import Location, location

TECHNIQUE_WORDS: Final[dict[Technique, str]] = {
    Technique.HOLD: "steady hold",
    Technique.CYCLES: "press and release",
    Technique.WARMTH: "warmth",
}
NOT_ON_CHART: Final = "not on this chart"


@dataclass(frozen=True)
class Item:
    """One step of the session as the chart and the guide show it."""

    number: int
    """Its place in the session, from 1."""
    step: Step
    location: Location | None
    """None: the point is not on this chart (a hand or head point)."""
    minutes: float
    """After --minutes and --scale: cycles per foot; hold and warmth in all."""
    press: float
    release: float

    @property
    def code(self) -> str:
        """The standard code, e.g. LR3."""
        return self.step.point.code

    @property
    def technique(self) -> str:
        """The technique in words."""
        return TECHNIQUE_WORDS[self.step.technique]

    @property
    def per_foot(self) -> str:
        """Minutes per foot in words, e.g. "3 min each foot" or "10 min, both feet at once"."""
        step = self.step
        if step.sides is Sides.TOGETHER:
            return f"{_num(self.minutes)} min, both feet at once"
        if step.sides is Sides.BOTH:
            each = self.minutes if step.technique is Technique.CYCLES else self.minutes / 2
            return f"{_num(each)} min each foot"
        return f"{_num(self.minutes)} min, {step.sides.value} foot only"

    @property
    def pacing(self) -> str:
        """The press/release rhythm in effect, for cycles; empty otherwise."""
        if self.step.technique is not Technique.CYCLES:
            return ""
        return f"press {_num(self.press)} s, release {_num(self.release)} s"

    @property
    def summary(self) -> str:
        """The legend's line: technique, minutes, rhythm, or that the point is not drawn."""
        parts = [self.technique, self.per_foot]
        if self.pacing:
            parts.append(self.pacing)
        if self.location is None:
            parts.append(NOT_ON_CHART)
        return "; ".join(parts)


def items(routine: Routine, pacing: Pacing) -> list[Item]:
    """The session's steps (after --only/--skip), numbered in the order they are worked."""
    out = []
    for n, step in enumerate(session_steps(routine, pacing), start=1):
        minutes, press, release = step_seconds(step, pacing)
        out.append(Item(n, step, location(step.point), minutes, press, release))
    return out


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")

"""What a chart shows for a session: its points in session order, each with its words and where it is drawn."""

from __future__ import annotations

from dataclasses import dataclass

from ..plan.pacing import Pacing
from ..plan.steps import session_steps, step_seconds
from ..routine.model import Routine, Sides, Step, Technique
from ..words import Words, catalogue
from .locations import Location, location


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
    words: Words
    """The catalogue of the routine's language: every word the chart and guide show comes from it."""

    @property
    def code(self) -> str:
        """The standard code, e.g. LR3."""
        return self.step.point.code

    @property
    def technique(self) -> str:
        """The technique in words."""
        return self.words.shown(f"technique_{self.step.technique.value}")

    @property
    def per_foot(self) -> str:
        """Minutes per foot in words, e.g. "3 min each foot" or "10 min, both feet at once"."""
        step = self.step
        if step.sides is Sides.TOGETHER:
            return self.words.shown("minutes_together", minutes=_num(self.minutes))
        if step.sides is Sides.BOTH:
            each = self.minutes if step.technique is Technique.CYCLES else self.minutes / 2
            return self.words.shown("minutes_each_foot", minutes=_num(each))
        return self.words.shown(f"minutes_{step.sides.value}_only", minutes=_num(self.minutes))

    @property
    def pacing(self) -> str:
        """The press/release rhythm in effect, for cycles; empty otherwise."""
        if self.step.technique is not Technique.CYCLES:
            return ""
        return self.words.shown("rhythm", press=_num(self.press), release=_num(self.release))

    @property
    def summary(self) -> str:
        """The legend's line: technique, minutes, rhythm, or that the point is not drawn."""
        parts = [self.technique, self.per_foot]
        if self.pacing:
            parts.append(self.pacing)
        if self.location is None:
            parts.append(self.words.shown("not_on_chart"))
        return self.words.shown("list_joiner").join(parts)


def items(routine: Routine, pacing: Pacing) -> list[Item]:
    """The session's steps (after --only/--skip), numbered in the order they are worked."""
    out = []
    words = catalogue(routine.language)
    for n, step in enumerate(session_steps(routine, pacing), start=1):
        minutes, press, release = step_seconds(step, pacing)
        out.append(Item(n, step, location(step.point), minutes, press, release, words))
    return out


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")

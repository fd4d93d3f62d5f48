"""A session's steps and what each asks for: which steps pacing keeps, their minutes, press and release
seconds, and what a step can give or take when the session is fitted to --length (pure)."""

from __future__ import annotations

from ..routine.library import Routine, Sides, Step, Technique
from .length import Stretch
from .pacing import DEFAULT_PRESS, DEFAULT_RELEASE, Pacing


def step_seconds(step: Step, pacing: Pacing) -> tuple[float, float, float]:
    """(minutes after overrides and scale, press seconds, release seconds) for a step."""
    minutes = pacing.minutes.get(step.point)
    minutes = (step.minutes if minutes is None else minutes) * pacing.scale
    press = pacing.press.get(step.point) or step.press or DEFAULT_PRESS
    release = pacing.release.get(step.point) or step.release or DEFAULT_RELEASE
    return minutes, press, release


def stretch(step: Step, pacing: Pacing) -> Stretch:
    """What a step can give or take when the session is fitted to --length (length.fit_minutes)."""
    minutes, press, release = step_seconds(step, pacing)
    cycles = step.technique is Technique.CYCLES
    sides = 2 if step.sides is Sides.BOTH else 1
    pinned = step.point in dict(pacing.minutes.points)  # CODE=M keeps its minutes; a plain M only shapes the rest
    return Stretch(minutes, sides, press + release if cycles else 0.0, pinned)


def session_steps(routine: Routine, pacing: Pacing) -> list[Step]:
    """The routine's steps that pacing's only/skip keep, in order."""
    return [s for s in routine.steps if pacing.includes(s.point)]

"""How long a session is: guessed clip lengths, the one whole-minute figure, its longest quiet, and the fit of
its steps to a length asked for (--length)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from ..errors import PacingError

if TYPE_CHECKING:
    from .events import Timeline

SPEECH_SPEED: Final = 4 / 3
"""How much faster than its nominal words per minute the speech engine talks (espeak-ng, measured on the
evening routine's cues: 0.30 s a word at 150 wpm, plus about 0.4 s of lead-in and tail per clip)."""


_RUN_TOGETHER: Final = re.compile(r"[\u3040-\u9fff\uf900-\ufaff\uff00-\uffef]")
"""Chinese (and Japanese) characters and full-width punctuation: each takes about as long as an English word
(espeak-ng cmn at 150 wpm: 14.8 s for a sentence of 49 characters, 7.5 s for 23)."""


def estimate_samples(text: str, words_per_minute: int, sample_rate: int) -> int:
    """A guess at a spoken clip's length, for planning before anything is synthesized."""
    words = len(_RUN_TOGETHER.sub(" ", text).split()) + len(_RUN_TOGETHER.findall(text))
    return round((words * 60 / (words_per_minute * SPEECH_SPEED) + 0.4) * sample_rate)


def session_minutes(timeline: Timeline) -> int:
    """The session's length in whole minutes, halves rounded up, at least one.

    The one figure every place gives: the voice ("It takes about N minutes."), `show`, and from
    `estimate` `list` and `validate`.
    """
    return max(1, math.floor(timeline.duration / 60 + 0.5))


# Fitting a session to --length: what stretches and how far.
MIN_HOLD_MINUTES: Final = 1.0
"""A fitted hold or warmth lasts at least this many minutes (or the routine's own, if shorter)."""
MIN_CYCLES: Final = 4
"""A fitted press-release step keeps at least this many cycles on each foot (or the routine's own, if fewer)."""
MAX_STRETCH: Final = 3.0
"""A fitted step lasts at most this many times the routine's minutes: longer is no longer the same routine."""


@dataclass(frozen=True)
class Stretch:
    """What one step can give or take when a session is fitted to a length."""

    minutes: float
    """The step's minutes before fitting (the routine's, after --minutes and --scale); cycles: per side."""
    sides: int
    """Feet the minutes are spent on: cycles play their minutes on each side; holds and warmth split theirs."""
    cycle: float = 0.0
    """Seconds of one press and release (cycles only; 0 for holds and warmth)."""
    pinned: bool = False
    """Given its own --minutes: it keeps them."""

    @property
    def lowest(self) -> float:
        """The fewest minutes the step may be given."""
        if self.pinned:
            return self.minutes
        if self.cycle:
            return min(self.minutes, MIN_CYCLES * self.cycle / 60)
        return min(self.minutes, MIN_HOLD_MINUTES)

    @property
    def highest(self) -> float:
        """The most minutes the step may be given."""
        return self.minutes if self.pinned else self.minutes * MAX_STRETCH

    def seconds(self, minutes: float) -> float:
        """Seconds of the session these minutes take (cycles in whole cycles, as the scheduler plays them)."""
        if self.cycle:
            return self.sides * max(1, math.floor(minutes * 60 / self.cycle + 1e-9)) * self.cycle
        return minutes * 60


class FitError(ValueError):
    """A length the steps cannot reach; ``seconds`` is the nearest length they can."""

    def __init__(self, seconds: float, shortest: bool) -> None:
        super().__init__(f"{'at least' if shortest else 'at most'} {seconds:.0f} s")
        self.seconds, self.shortest = seconds, shortest


def fit_error(routine: str, codes: Sequence[str], exc: FitError) -> PacingError:
    """The one line for a --length out of reach: the nearest length there is, and what to do instead."""
    nearest = max(1, math.floor(exc.seconds / 60 + 0.5))
    minutes = f"{nearest} minute" if nearest == 1 else f"{nearest} minutes"
    if exc.shortest:
        return PacingError(
            f"the shortest {routine} session that keeps every point is about {minutes}; "
            f"for less, play fewer points with --only (e.g. --only {','.join(codes[:2])})",
            key="--length",
        )
    return PacingError(
        f"the longest {routine} session is about {minutes} (each step at most {MAX_STRETCH:g} times "
        "the routine's); for more, play it twice",
        key="--length",
    )


def fit_minutes(stretches: Sequence[Stretch], fixed: float, target: float) -> list[float]:
    """Each step's minutes so that ``fixed`` seconds (what does not stretch: speech, tones, gaps) plus the
    steps make about ``target`` seconds; every step in proportion to its own minutes, within its bounds.

    Cycles are whole cycles; what rounding them leaves over goes to the holds and warmth. FitError when the
    target is out of reach by more than half a minute (the figure a session is named by rounds to minutes).
    """
    lowest = fixed + sum(s.seconds(s.lowest) for s in stretches)
    highest = fixed + sum(s.seconds(s.highest) for s in stretches)
    if target < lowest - 30:
        raise FitError(lowest, shortest=True)
    if target > highest + 30:
        raise FitError(highest, shortest=False)
    factor = _solve(stretches, target - fixed, smooth=True)
    minutes = [_bounded(s, s.minutes * factor) for s in stretches]
    # Whole cycles, the nearest count to the proportional share; the holds then take up the difference.
    minutes = [_whole_cycles(s, m) for s, m in zip(stretches, minutes, strict=True)]
    holds = [i for i, s in enumerate(stretches) if not s.cycle and not s.pinned]
    if holds:
        kept = [i for i in range(len(stretches)) if i not in holds]
        rest = target - fixed - sum(stretches[i].seconds(minutes[i]) for i in kept)
        free = [stretches[i] for i in holds]
        factor = _solve(free, rest, smooth=False)
        for i in holds:
            minutes[i] = _bounded(stretches[i], stretches[i].minutes * factor)
    return minutes


def _bounded(stretch: Stretch, minutes: float) -> float:
    return min(max(minutes, stretch.lowest), stretch.highest)


def _whole_cycles(stretch: Stretch, minutes: float) -> float:
    if not stretch.cycle or stretch.pinned:
        return minutes
    lowest = max(1, math.floor(stretch.lowest * 60 / stretch.cycle + 1e-9))
    highest = max(lowest, math.floor(stretch.highest * 60 / stretch.cycle + 1e-9))
    count = min(max(round(minutes * 60 / stretch.cycle), lowest), highest)
    return count * stretch.cycle / 60


def _solve(stretches: Sequence[Stretch], seconds: float, *, smooth: bool) -> float:
    # The factor on the routine's minutes whose bounded total is `seconds` (the total only grows with it),
    # by bisection; `smooth` counts cycles as fractions, so the factor is not stuck between two whole counts.
    def total(factor: float) -> float:
        out = 0.0
        for s in stretches:
            minutes = _bounded(s, s.minutes * factor)
            out += minutes * 60 * s.sides if s.cycle and smooth else s.seconds(minutes)
        return out

    low, high = 0.0, MAX_STRETCH
    for _ in range(50):
        middle = (low + high) / 2
        if total(middle) < seconds:
            low = middle
        else:
            high = middle
    return high

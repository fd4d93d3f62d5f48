"""The part of a session that can be played before all its clips are made (pure: no clock, no I/O).

The scheduler is causal: where an event starts depends only on the clips said before it. So the events
before the first clip that is not made yet already stand where the whole session's timeline will put them.
To find that part without trusting every rule of the scheduler to be causal, the session is laid out twice,
once with the clips not made yet one sample long and once with their guessed lengths: the events both
layouts agree on, up to their first difference, do not depend on any clip still missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final

from ..plan import cues
from ..plan.events import Timeline
from ..plan.pacing import Pacing
from ..plan.steps import session_steps
from ..plan.timeline import Measure, schedule, settled
from ..routine.library import Routine
from ..words import catalogue

UNMADE: Final = 1
"""Samples: the length a clip that is not made yet has in the first layout (as short as a clip can be, so
that every cue that only sounds where it fits is in that layout)."""

Made = Callable[[str], int | None]
"""The length in samples of the clip for a text if it is made, else None."""


@dataclass(frozen=True)
class Ready:
    """What can play of a session so far."""

    timeline: Timeline
    """The part whose events will not move (the whole session once ``complete``)."""
    complete: bool
    guess: Timeline
    """The whole session, with guessed lengths for the clips not made yet."""
    missing: tuple[str, ...]
    """The texts whose clips are not made yet, in the order the session needs them."""


def ready_part(
    routine: Routine,
    pacing: Pacing,
    minutes: int,
    made: Made,
    guess: Measure,
    sample_rate: int,
    *,
    live: bool = True,
) -> Ready:
    """The settled part of the session whose opening says ``minutes``, given the clips made so far."""
    low, low_missing = _lay(routine, pacing, minutes, made, lambda text: UNMADE, sample_rate, live)
    if not low_missing:
        return Ready(low, True, low, ())
    best, best_missing = _lay(routine, pacing, minutes, made, guess, sample_rate, live)
    missing = set(low_missing) | set(best_missing)
    cut = min(
        _first_difference(low, best),
        min((e.start for e in best.events if e.text in missing), default=best.length),
    )
    cut = _silent_at(best, cut)
    needed = dict.fromkeys(e.text for e in best.events if e.text in missing)
    order = [*needed, *(t for t in dict.fromkeys([*low_missing, *best_missing]) if t not in needed)]
    return Ready(part(best, cut), False, best, tuple(str(t) for t in order))


def part(timeline: Timeline, cut: int) -> Timeline:
    """The timeline up to sample ``cut``: the events starting before it, and its spans and steps cut there."""
    return Timeline(
        timeline.sample_rate,
        cut,
        tuple(e for e in timeline.events if e.start < cut),
        tuple(replace(s, end=min(s.end, cut)) for s in timeline.spans if s.start < cut),
        tuple(replace(s, end=min(s.end, cut)) for s in timeline.steps if s.start <= cut),
        tuple(w for w in timeline.waits if w < cut),
    )


def minutes_texts(routine: Routine, pacing: Pacing, minutes: int) -> frozenset[str]:
    """What the opening says that names the session's length (it differs with the figure)."""
    steps = session_steps(routine, pacing)
    words = catalogue(routine.language)
    said = cues.opening(words, routine, minutes, steps, pacing.verbosity)
    return frozenset(said) - frozenset(cues.opening(words, routine, 0, steps, pacing.verbosity))


def said_minutes(routine: Routine, pacing: Pacing, measure: Measure, sample_rate: int, *, live: bool = True) -> int:
    """The length in minutes the opening says when the clips have the lengths ``measure`` gives."""
    return settled(routine, pacing, measure, sample_rate, live=live)[1]


def _lay(
    routine: Routine, pacing: Pacing, minutes: int, made: Made, unmade: Measure, sample_rate: int, live: bool
) -> tuple[Timeline, list[str]]:
    missing: list[str] = []

    def measure(text: str) -> int:
        length = made(text)
        if length is None:
            missing.append(text)
            return unmade(text)
        return length

    return schedule(routine, pacing, measure, sample_rate, live=live, minutes=minutes), missing


def _first_difference(a: Timeline, b: Timeline) -> int:
    # The first sample where the two layouts differ: an event that is not the same in both, or an end.
    for x, y in zip(a.events, b.events, strict=False):
        if x != y:
            return min(x.start, y.start)
    longer = a.events if len(a.events) > len(b.events) else b.events
    shorter = min(len(a.events), len(b.events))
    first = longer[shorter].start if len(longer) > shorter else max(a.length, b.length)
    return min(first, a.length, b.length)


def _silent_at(timeline: Timeline, cut: int) -> int:
    # Move the cut back to where nothing sounds, so a player that reaches it holds in silence.
    while True:
        over = [e.start for e in timeline.events if e.start < cut < e.end]
        if not over:
            return cut
        cut = min(over)

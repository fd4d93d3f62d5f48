"""The scheduler: Routine + Pacing + clip lengths -> a Timeline of events at exact samples (pure).

The Timeline and its parts live in events.py; they are importable from here too.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

from ..routine.library import Routine, Sides, Step, Technique
from ..words import catalogue
from . import cues
from .events import TONE_SECONDS, Event, Kind, Phase, Span, StepSpan, Timeline
from .length import FitError, estimate_samples, fit_error, fit_minutes, session_minutes
from .pacing import Pacing, Verbosity
from .steps import session_steps, step_seconds, stretch
from .stillness import announce_marks, hold_cues

__all__ = ["TONE_SECONDS", "Event", "Kind", "Phase", "Span", "StepSpan", "Timeline", "estimate", "schedule", "settled"]

LEAD_IN: Final = 1.0
"""Seconds between "Ready." and the first press of a side."""
CUE_MARGIN: Final = 0.2
"""Seconds kept clear around tones when a cue is fitted into a release."""

WAIT_SECONDS: Final = 60
"""Seconds an export waits before a step marked to wait (the live player waits for a key instead)."""

Measure = Callable[[str], int]
"""Length in samples of the spoken clip for a text."""


def schedule(
    routine: Routine,
    pacing: Pacing,
    measure: Measure,
    sample_rate: int,
    *,
    live: bool = False,
    minutes: int | None = None,
) -> Timeline:
    """Lay out the whole session. Pure: the same inputs give the same timeline.

    ``live``: for the live player, which holds at each of ``Timeline.waits`` until the listener is ready;
    otherwise (exports, show) each wait is a fixed WAIT_SECONDS gap. Only the wait cues' words and gaps differ.
    ``minutes``: the length the opening says, when it is fixed already (a live session that began before all
    its clips were made); by default the figure is settled so that it is the session's own.
    """
    if minutes is not None:
        return _Scheduler(routine, pacing, measure, sample_rate, minutes, live).run()
    return settled(routine, pacing, measure, sample_rate, live=live)[0]


def settled(
    routine: Routine, pacing: Pacing, measure: Measure, sample_rate: int, *, live: bool = False
) -> tuple[Timeline, int]:
    """The session as `schedule` lays it out, and the length in minutes its opening says."""
    guess = _asked(pacing) or session_minutes(estimate(routine, pacing, sample_rate, live=live))
    return _settled(lambda minutes: _Scheduler(routine, pacing, measure, sample_rate, minutes, live).run(), guess)


def estimate(routine: Routine, pacing: Pacing, sample_rate: int = 22050, *, live: bool = False) -> Timeline:
    """The session laid out with guessed clip lengths (no speech engine needed)."""

    def measure(text: str) -> int:
        return estimate_samples(text, pacing.rate, sample_rate)

    return _settled(
        lambda minutes: _Scheduler(routine, pacing, measure, sample_rate, minutes, live).run(), _asked(pacing)
    )[0]


def _asked(pacing: Pacing) -> int:
    # A session fitted to --length says that length (to the whole minute): no need to guess it first.
    return 0 if pacing.length is None else max(1, math.floor(pacing.length + 0.5))


def _settled(run: Callable[[int], Timeline], minutes: int) -> tuple[Timeline, int]:
    # The opening says the session's length, which its own words change a little: lay it out again until
    # the figure said is the figure it makes (once or twice; at a half-minute edge it may stay one off).
    timeline = run(minutes)
    for _ in range(3):
        if session_minutes(timeline) == minutes:
            break
        minutes = session_minutes(timeline)
        timeline = run(minutes)
    return timeline, minutes


def _tones_used(steps: list[Step]) -> list[str]:
    # Press and release tones sound in holds and cycles (a warmth-only session never hears them); every
    # point ends on the done chime.
    pressed = any(s.technique is not Technique.WARMTH for s in steps)
    return ["press", "release", "done"] if pressed else ["done"] if steps else []


class _Scheduler:
    def __init__(
        self,
        routine: Routine,
        pacing: Pacing,
        measure: Measure,
        rate: int,
        minutes: int,
        live: bool,
        fitted: list[float] | None = None,
    ) -> None:
        self.routine, self.pacing, self.measure, self.rate = routine, pacing, measure, rate
        self.fitted = fitted
        """Each session step's minutes when fitted to --length (None: the routine's, after --minutes and --scale)."""
        self.dry = fitted is None and pacing.length is not None
        """Laid out only to learn what does not stretch: no cues inside holds and cycles (they take no time)."""
        self.stretched = 0
        """Samples spent in holds, warmth and press cycles: what --length stretches."""
        self.words = catalogue(routine.language)
        self.minutes = minutes
        """Said in the opening as the session's length (0: not said)."""
        self.live = live
        self.waits: list[int] = []
        self.t = 0
        self.events: list[Event] = []
        self.spans: list[Span] = []
        self.steps: list[StepSpan] = []

    def samples(self, seconds: float) -> int:
        return round(seconds * self.rate)

    def say(self, text: str, cue: str, step: int | None = None, side: str | None = None) -> None:
        length = self.measure(text)
        self.events.append(Event(self.t, length, Kind.SPEECH, text=text, step=step, side=side, cue=cue))
        self.t += length + self.samples(self.pacing.pause)

    def tone(self, name: str, at: int, step: int | None = None, side: str | None = None, cue: str = "") -> int:
        length = self.samples(TONE_SECONDS[name])
        self.events.append(Event(at, length, Kind.TONE, tone=name, step=step, side=side, cue=cue or name))
        return at + length

    def span(self, start: int, phase: Phase, step: int | None = None, side: str | None = None) -> None:
        if self.t > start:
            self.spans.append(Span(start, self.t, phase, step, side))

    def run(self) -> Timeline:
        if self.pacing.length is None or self.fitted is not None:
            return self._lay()
        # Laid out once as written, to learn what does not stretch (speech, tones, gaps); then fitted.
        steps = session_steps(self.routine, self.pacing)
        fixed = (self._lay().length - self.stretched) / self.rate
        try:
            fitted = fit_minutes([stretch(s, self.pacing) for s in steps], fixed, self.pacing.length * 60)
        except FitError as exc:
            raise fit_error(self.routine.name, [s.point.code for s in steps], exc) from None
        again = _Scheduler(self.routine, self.pacing, self.measure, self.rate, self.minutes, self.live, fitted)
        return again.run()

    def _lay(self) -> Timeline:
        steps = session_steps(self.routine, self.pacing)
        played: list[float] = []
        self.t = self.tone("start", 0) + self.samples(self.pacing.pause)
        for text in cues.opening(self.words, self.routine, self.minutes, steps, self.pacing.verbosity):
            self.say(text, "opening")
        # Each tone that will count is played once, right after it is named, before the first point.
        for text, name in cues.tone_intro(self.words, self.pacing.verbosity, _tones_used(steps)):
            self.say(text, "tone-intro")
            self.t = self.tone(name, self.t, cue="tone-intro") + self.samples(self.pacing.pause)
        self.span(0, Phase.OPENING)
        for index, step in enumerate(steps):
            if index and not self._waits(step):  # a wait takes the place of the gap to move the hands
                start = self.t
                self.t += self.samples(self.pacing.gap)
                self.span(start, Phase.MOVING, index)
            played.append(self._step(index, step, len(steps)))
        start = self.t
        for text in cues.closing(self.words, self.routine, steps):
            self.say(text, "closing")
        self.t = self.tone("end", self.t)
        self.span(start, Phase.CLOSING)
        events = tuple(sorted(self.events, key=lambda e: e.start))
        return Timeline(
            self.rate, self.t, events, tuple(self.spans), tuple(self.steps), tuple(self.waits), tuple(played)
        )

    def _waits(self, step: Step) -> bool:
        return step.wait or self.pacing.waits_before(step.point, step.technique.value)

    def _wait(self, index: int, step: Step) -> None:
        # The cue, then the place the live player holds; an export plays a fixed, announced gap instead.
        start = self.t
        self.say(cues.wait(self.words, step, live=self.live, seconds=WAIT_SECONDS), "wait", index)
        self.waits.append(self.t)
        self.t += 0 if self.live else self.samples(WAIT_SECONDS)
        self.span(start, Phase.WAIT, index)

    def _step(self, index: int, step: Step, count: int) -> float:
        start = self.t
        if self._waits(step):
            self._wait(index, step)
        intro = self.t
        verbosity = self.pacing.verbosity
        for cue, text in cues.step_intro(self.words, step, index + 1, count, verbosity):
            self.say(text, cue, index)
        self.span(intro, Phase.INTRO, index)
        minutes, press, release = step_seconds(step, self.pacing)
        if self.fitted is not None:
            minutes = self.fitted[index]
        sides = ["left", "right"] if step.sides is Sides.BOTH else [step.sides.value]
        for n, side in enumerate(sides):
            if n:
                self.t = self.tone("switch", self.t, index, side) + self.samples(self.pacing.pause)
            if verbosity is not Verbosity.MINIMAL or n or step.sides is not Sides.TOGETHER:
                self.say(cues.side_start(self.words, step.sides, side, first=n == 0), "side", index, side)
            if step.technique is Technique.CYCLES:
                self._cycles(index, side, minutes * 60, press, release)
            else:
                self._hold(index, side, step.technique, minutes * 60 / len(sides))
        # Every point ends on the soft done chime, so a listener with closed eyes knows it is over.
        end = self.t
        self.t = self.tone("done", self.t, index) + self.samples(self.pacing.pause)
        self.span(end, Phase.RELEASE, index)
        self.steps.append(StepSpan(index, step.point, step.name, step.technique, step.sides, start, self.t))
        return minutes

    def _cycles(self, index: int, side: str, seconds: float, press: float, release: float) -> None:
        self.say(self.words.say("ready"), "ready", index, side)
        self.t += self.samples(LEAD_IN) - self.samples(self.pacing.pause)
        count = max(1, math.floor(seconds / (press + release) + 1e-9))
        p, r = self.samples(press), self.samples(release)
        targets = announce_marks(count * (press + release), self.pacing.announce)
        self.stretched += count * (p + r)
        if self.dry:
            self.t += count * (p + r)
            return
        for k in range(count):
            begin = self.t
            self.tone("press", begin, index, side)
            self.spans.append(Span(begin, begin + p, Phase.PRESS, index, side))
            release_at = begin + p
            release_end = self.tone("release", release_at, index, side)
            self.t = begin + p + r
            self.spans.append(Span(release_at, self.t, Phase.RELEASE, index, side))
            left = (count - k - 1) * (press + release)
            if targets and left <= targets[0] and k < count - 1 and self.pacing.verbosity is not Verbosity.MINIMAL:
                text = cues.time_left(self.words, targets.pop(0))
                at = release_end + self.samples(CUE_MARGIN)
                # Only where the cue fits inside the release: cues never overlap tones.
                if at + self.measure(text) <= self.t - self.samples(CUE_MARGIN):
                    self.events.append(
                        Event(at, self.measure(text), Kind.SPEECH, text=text, step=index, side=side, cue="time-left")
                    )
                while targets and left <= targets[0]:
                    targets.pop(0)

    def _hold(self, index: int, side: str, technique: Technique, seconds: float) -> None:
        phase = Phase.WARMTH if technique is Technique.WARMTH else Phase.HOLD
        if self.pacing.verbosity is not Verbosity.MINIMAL or technique is Technique.WARMTH:
            self.say(cues.hold_start(self.words, technique), "hold-start", index, side)
        begin = self.t
        length = self.samples(seconds)
        self.stretched += length
        lead = 0
        if technique is Technique.HOLD:
            lead = self.tone("press", begin, index, side) - begin
        said = (
            []
            if self.dry
            else hold_cues(self.words, length, self.rate, technique, self.pacing.announce, self.measure, lead)
        )
        for at, text, cue in said:
            self.events.append(
                Event(begin + at, self.measure(text), Kind.SPEECH, text=text, step=index, side=side, cue=cue)
            )
        self.t = begin + length
        self.spans.append(Span(begin, self.t, phase, index, side))
        start = self.t
        if technique is Technique.HOLD:
            # The release tone marks the end of a hold; warmth ends on the voice alone (then the done chime).
            self.t = self.tone("release", self.t, index, side) + self.samples(self.pacing.pause)
        self.say(cues.hold_end(self.words, technique), "hold-end", index, side)
        self.span(start, Phase.RELEASE, index, side)

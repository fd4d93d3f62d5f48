"""Live play from a cold clip cache: the player gets the session part by part as its clips are made.

With every clip at hand, `play` schedules the whole session first (session.build_timeline) as it always did.
When some must be synthesized (seconds for a neural voice), the player starts on the part that is ready
(live/prefix.py) and is handed longer parts as clips arrive; the clips are asked for in the order the
session needs them, a few at a time, so the next one is made before the playhead gets there. The last part
handed is the whole session, the same timeline `show` and `export` lay out (see Progressive.run for the
one exception: the opening's length, said before every clip exists).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

from ..plan.length import estimate_samples, session_minutes
from ..plan.pacing import Pacing
from ..plan.timeline import Timeline, estimate, schedule
from ..routine.library import Routine
from ..speech.clips import ClipStore
from .mixer import Player
from .prefix import Ready, minutes_texts, ready_part, said_minutes

LEAD: Final = 4.0
"""Seconds before the playhead reaches the sentence that says the session's length that its figure is fixed,
if not every clip is made by then (time enough to synthesize that sentence behind the clips being made)."""
CLIPS_AT_ONCE: Final = 3
"""Clips asked for at once: the store's two workers are busy and one waits, so neither ever idles, and a clip
needed sooner (the length sentence) is never behind a long queue."""
POLL: Final = 0.02
"""Seconds between looks at the clips being made (a new part reaches the player this much late at most)."""
FIRST_BLOCK: Final = 0.5
"""Seconds the engine waits at most for the sound card to ask for the first block (the bell) before it starts."""
GAIN_CHANGE_QUIET: Final = 0.15
"""Seconds of quiet ahead of the playhead that a change of the session gain waits for (no step in a sound)."""


def cold(routine: Routine, pacing: Pacing, store: ClipStore) -> bool:
    """Whether some clip the session needs is neither in memory nor in the disk cache (so the engine must run)."""
    wanted: list[str] = []

    def guess(text: str) -> int:
        wanted.append(text)
        return estimate_samples(text, pacing.rate, store.sample_rate)

    schedule(routine, pacing, guess, store.sample_rate, live=True)
    return not all(store.at_hand(text) for text in dict.fromkeys(wanted))


class Progressive:
    """Feeds a live player the session as its clips are made (run it in a thread of its own)."""

    def __init__(self, routine: Routine, pacing: Pacing, store: ClipStore, player: Player) -> None:
        self.routine, self.pacing, self.store, self.player = routine, pacing, store, player
        self.rate = store.sample_rate
        self.minutes: int | None = None
        """The length the opening says, once fixed."""
        self.exact = False
        """Whether that figure is the one `show` and `export` say (every clip was made before it was fixed)."""
        self.handed: list[Timeline] = []
        """Every part handed to the player, in order (the last is the whole session)."""
        self.made: tuple[int, int] = (0, 0)
        """Clips made so far, and how many the session needs (for the status line)."""
        self._asked: dict[str, None] = {}
        self._scale = 1.0
        self._due = 0.0

    def run(self) -> Timeline:
        """Hand the player longer parts until the whole session, which it returns (handed as final).

        The opening's length is said before the rest is made: its figure is the settled one of the whole
        session when every other clip is made LEAD seconds before that sentence is due (then the timeline is
        exactly the export's), else the figure the clips made so far and guessed lengths give.
        """
        placeholder = session_minutes(estimate(self.routine, self.pacing, self.rate, live=True))
        # Let the bell start first: starting an engine (a neural voice: 1 s of both cores) delays the stream.
        end = time.monotonic() + FIRST_BLOCK
        while self.player.calls == 0 and time.monotonic() < end:
            time.sleep(POLL / 4)
        while True:
            if self.player.stopped.is_set():
                raise _Stopped
            self._scale = self._measured_scale()
            minutes = self.minutes if self.minutes is not None else placeholder
            hidden = minutes_texts(self.routine, self.pacing, minutes) if self.minutes is None else frozenset()
            ready = ready_part(
                self.routine, self.pacing, minutes, self._made(hidden), self._guess, self.rate, live=True
            )
            needed = {e.text for e in ready.guess.events if e.text is not None}
            self.made = (len(needed - set(ready.missing)), len(needed))
            if ready.complete:
                self._hand(ready.timeline, final=True)
                return ready.timeline
            if ready.timeline.length > self.player.timeline.length:
                self._hand(ready.timeline, final=False)
            if self.minutes is None and self._fix_minutes(ready, hidden):
                continue
            self._ask([t for t in ready.missing if t not in hidden])
            self._wait_for_a_clip()

    def _made(self, hidden: frozenset[str]) -> Callable[[str], int | None]:
        def made(text: str) -> int | None:
            return None if text in hidden else self.store.ready_length(text)

        return made

    def _measured_scale(self) -> float:
        # How the clips made so far compare with the rule-of-thumb lengths (each voice has its own pace).
        made = [(self.store.ready_length(t), t) for t in self._asked]
        real = sum(n for n, _ in made if n is not None)
        guessed = sum(estimate_samples(t, self.pacing.rate, self.rate) for n, t in made if n is not None)
        return real / guessed if real and guessed else 1.0

    def _guess(self, text: str) -> int:
        return max(1, round(estimate_samples(text, self.pacing.rate, self.rate) * self._scale))

    def _fix_minutes(self, ready: Ready, hidden: frozenset[str]) -> bool:
        if any(text not in hidden for text in ready.missing):
            due = min((e.start for e in ready.guess.events if e.text in hidden), default=0)
            self._due = (due - self.player.position) / self.rate - LEAD
            if self._due > 0:
                return False
            measure = self._guessed_where_missing
        else:
            measure, self.exact = self.store.measure, True  # only the sentence itself is missing: settle it
        self.minutes = said_minutes(self.routine, self.pacing, measure, self.rate, live=True)
        return True

    def _guessed_where_missing(self, text: str) -> int:
        length = self.store.ready_length(text)
        return length if length is not None else self._guess(text)

    def _ask(self, order: list[str]) -> None:
        busy = sum(1 for t in self._asked if self.store.ready_length(t) is None)
        for text in order:
            if busy >= CLIPS_AT_ONCE:
                break
            if text not in self._asked:
                self._asked[text] = None
                self.store.prefetch([text])
                busy += 1

    def _wait_for_a_clip(self) -> None:
        # Until a clip asked for is made, or the length sentence is due (the playhead moves no faster than time).
        due = time.monotonic() + self._due if self.minutes is None else float("inf")
        waiting = [t for t in self._asked if self.store.ready_length(t) is None]
        if not waiting:
            time.sleep(POLL)
        while waiting and all(self.store.ready_length(t) is None for t in waiting) and time.monotonic() < due:
            if self.player.stopped.is_set():
                raise _Stopped
            time.sleep(POLL)

    def _hand(self, timeline: Timeline, *, final: bool) -> None:
        self.player.set_timeline(timeline, self.player.gain, final=final)
        self.handed.append(timeline)


def when_silent(player: Player, timeline: Timeline, act: Callable[[], None], timeout: float = 60.0) -> None:
    """Call ``act`` once the playhead is where nothing sounds for GAIN_CHANGE_QUIET seconds, or the player is paused (it
    fades out, and back in from where ``act`` left it), or after ``timeout``."""
    quiet = round(GAIN_CHANGE_QUIET * timeline.sample_rate)
    end = time.monotonic() + timeout
    while time.monotonic() < end and not player.stopped.is_set() and not player.paused:
        at = player.position
        if not any(e.start < at + quiet and e.end > at for e in timeline.events):
            break
        time.sleep(POLL / 2)
    act()


class _Stopped(Exception):
    """The session ended before it was all made: nothing more to feed."""

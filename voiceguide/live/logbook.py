"""A live session's entry in the practice log: begun as the session starts (continued when it is resumed),
the seconds played and the points completed followed while it plays, and how it ended written at its end."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from .. import practice
from ..errors import LogError

if TYPE_CHECKING:
    from ..plan.pacing import Pacing
    from ..plan.timeline import Timeline
    from ..routine.library import Routine
    from .mixer import Player

HOW: Final = {
    "finished": "finished",
    "quit": "stopped",
    "interrupted": "stopped",
    "terminated": "interrupted",
    "hangup": "interrupted",
    "error": "interrupted",
    "device": "device lost",
}
"""A session's end reason (state.Outcome.reason) as the log says it (practice.ENDINGS)."""
SAVE_EVERY: Final = 60.0
"""Seconds between updates while playing: a session killed outright keeps all but its last minute."""


def _voice(pacing: Pacing) -> str:
    """The voice the session speaks with, as the log keeps it: the one chosen, else the engine's default's id."""
    if pacing.voice:
        return pacing.voice
    from ..speech.registry import decide

    choice = decide(pacing.engine, None, pacing.lang or "en")
    return choice.voice or f"{choice.spec.name} default"


class Logbook:
    """Keeps one entry of the practice log up to date for a live session."""

    def __init__(
        self, entry: int, played: float = 0.0, points: tuple[str, ...] = (), held: practice.Held | None = None
    ) -> None:
        self.entry = entry
        self.held = held or practice.Held()
        """The log, kept open while the session plays."""
        self.before = played
        """Seconds played in the earlier parts of a resumed session."""
        self.points = list(points)
        self._position: int | None = None
        self._played = 0
        self._saved_at = time.monotonic()
        self._chimes: tuple[Timeline | None, list[tuple[int, str]]] = (None, [])
        self.new = True
        """Begun by this run (not a resumed session's entry)."""
        self.ended = False

    @classmethod
    def start(cls, routine: Routine, ref: str, pacing: Pacing, steps: int, resume: int | None) -> Logbook | None:
        """The entry for a session starting now (None with ``--log off``); a resumed one goes on in its own
        entry while that is still in the log. LogError if the log cannot be written."""
        if not pacing.log:
            return None
        held = practice.Held()
        try:
            kept = practice.get(resume, held=held) if resume is not None else None
            if kept is not None:
                book = cls(kept.id, kept.played, kept.points, held)
                book.new = False
                return book
            return cls(
                practice.begin(ref, routine.digest, routine.language, _voice(pacing), steps, held=held), held=held
            )
        except BaseException:
            held.close()
            raise

    def seconds(self, player: Player) -> float:
        """Seconds played in all parts of the session: the timeline's own samples, not pauses or waits."""
        return self.before + player.played / player.rate

    def follow(self, player: Player, timeline: Timeline) -> None:
        """Note the points whose closing chime was reached by playing (a skip past it does not count)."""
        position, played = player.position, player.played
        if self._position is not None and position - self._position == played - self._played:
            for start, code in self._chimes_of(timeline):
                if self._position <= start < position and code not in self.points:
                    self.points.append(code)
        self._position, self._played = position, played
        if time.monotonic() - self._saved_at > SAVE_EVERY:
            self._saved_at = time.monotonic()
            try:
                practice.update(
                    self.entry, played=self.seconds(player), points=self.points, planned=None, how=None, held=self.held
                )
            except LogError:
                pass  # tried again at the end, which says so if it fails too

    def _chimes_of(self, timeline: Timeline) -> list[tuple[int, str]]:
        # (sample, point code) of each point's closing chime, worked out once per timeline (it is asked 5 times a second).
        if self._chimes[0] is not timeline:
            codes = {s.index: s.point.code for s in timeline.steps}
            chimes = [(e.start, codes[e.step]) for e in timeline.events if e.tone == "done" and e.step in codes]
            self._chimes = (timeline, chimes)
        return self._chimes[1]

    def end(self, reason: str, player: Player, timeline: Timeline | None) -> None:
        """Write how the session ended; LogError if the log cannot be written."""
        if timeline is not None:
            self.follow(player, timeline)
        planned = timeline.duration if timeline is not None else None
        how = HOW.get(reason, "interrupted")
        self.ended = True
        try:
            practice.update(
                self.entry, played=self.seconds(player), points=self.points, planned=planned, how=how, held=self.held
            )
        finally:
            self.held.close()

    def abandon(self) -> None:
        """For a session that ends without end(), never having played (no sound device): its new entry goes."""
        try:
            if not self.ended and self.new:
                practice.delete(self.entry, held=self.held)
        except LogError:
            pass  # an entry with nothing played says no more than none
        finally:
            self.ended = True
            self.held.close()


def start_soon(
    routine: Routine, ref: str, pacing: Pacing, steps: int, resume: int | None
) -> Callable[[], Logbook | None]:
    """Logbook.start in a thread, so its file work (~5-25 ms when the log was closed) overlaps the session's
    own start; the call returned waits for it, and raises its LogError."""
    result: dict[str, Logbook | BaseException | None] = {}

    def work() -> None:
        try:
            result["book"] = Logbook.start(routine, ref, pacing, steps, resume)
        except BaseException as exc:  # given to the caller's thread
            result["error"] = exc

    thread = threading.Thread(target=work, name="voiceguide-log", daemon=True)
    thread.start()

    def wait() -> Logbook | None:
        thread.join()
        error = result.get("error")
        if isinstance(error, BaseException):
            raise error
        book = result.get("book")
        return book if isinstance(book, Logbook) else None

    return wait


def end_entry(book: Logbook | None, reason: str, player: Player, timeline: Timeline | None) -> str | None:
    """End a session's entry; the line to show when the log could not be written (None when it was, or off)."""
    if book is None:
        return None
    try:
        book.end(reason, player, timeline)
    except LogError as exc:
        return f"this session could not be written to the practice log: {exc}"
    return None

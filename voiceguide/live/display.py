"""What the terminal shows while a session plays: one calm status line (pure formatting)."""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..plan.show import clock
from ..plan.timeline import Phase, Timeline

if TYPE_CHECKING:
    from .state import Outcome

_WHY = {
    "quit": "Stopped",
    "interrupted": "Interrupted",
    "terminated": "Stopped (terminated)",
    "hangup": "Stopped (terminal closed)",
}


@dataclass(frozen=True)
class Status:
    """Where the session is."""

    step: int | None
    steps: int
    name: str
    side: str | None
    phase: str
    step_left: float
    session_left: float
    position: float
    length: float
    paused: bool
    volume_db: float
    preparing: str = ""
    """While the rest of the session is being made: "preparing", or "preparing 12/43" (its clips made so far)."""


def bar(fraction: float, width: int) -> str:
    """A thin progress bar."""
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "━" * filled + "─" * (width - filled)


def status_at(
    timeline: Timeline,
    position: int,
    *,
    ready: bool,
    paused: bool,
    volume: float,
    waiting: bool = False,
    made: tuple[int, int] | None = None,
    steps: int | None = None,
) -> Status:
    """Where a session is at ``position``: the point (the next one while moving to it), foot, phase, time left.

    Before it is ``ready``, ``timeline`` is the part the player has, and what it plays is shown all the same;
    the preparation is a note beside it (``made``: clips made, of those the session needs; ``steps``: the
    session's number of points, where the part has only the first ones)."""
    rate = timeline.sample_rate
    span = next((s for s in timeline.spans if s.start <= position < s.end), None)
    step = next((s for s in reversed(timeline.steps) if s.start <= position < s.end), None)
    if span is not None and span.phase is Phase.MOVING and span.step is not None:
        step = timeline.steps[span.step]  # between points: the one the hands are moving to
    if span is not None and span.phase is Phase.MOVING:
        phase, name = "moving", step.name if step else ""
    elif waiting:
        phase, name = "waiting for you", step.name if step else ""
    elif span is not None and span.phase in (Phase.PRESS, Phase.RELEASE, Phase.HOLD, Phase.WARMTH):
        phase, name = span.phase.value, step.name if step else ""
    else:
        phase = "listen"  # the voice is speaking, or about to
        name = (
            step.name
            if step
            else ("welcome" if not timeline.steps or position < timeline.steps[0].start else "closing")
        )
    length = timeline.length if ready else 0
    return Status(
        step=step.index if step is not None else None,
        steps=steps if steps is not None else len(timeline.steps),
        name=name,
        side=span.side if span and span.side not in (None, "together") else None,
        phase=phase,
        step_left=max(0, step.end - position) / rate if step is not None else 0.0,
        session_left=max(0, length - position) / rate,
        position=position / rate,
        length=length / rate,
        paused=paused and not waiting,
        volume_db=20 * math.log10(volume),
        preparing="" if ready else "preparing" + (f" {made[0]}/{made[1]}" if made is not None and made[1] else ""),
    )


def status_line(status: Status, width: int = 80) -> str:
    """The one-line status for a terminal, at most ``width`` characters."""
    where = f"{status.step + 1}/{status.steps} {status.name}" if status.step is not None else status.name
    side = f" · {status.side}" if status.side else ""
    phase = "paused" if status.paused else status.phase
    if status.preparing or not status.length:  # times left are known once the whole session is
        left = status.preparing or "preparing"
    elif status.step is not None:
        left = f"{clock(status.step_left)} left in point · {clock(status.session_left)} in session"
    else:
        left = f"{clock(status.session_left)} left"
    volume = f" · vol {status.volume_db:+.0f} dB" if abs(status.volume_db) > 0.1 else ""
    text = f"{where}{side} · {phase} · {left}{volume}"
    room = width - len(text) - 3
    if room >= 10:
        text = f"{text}  {bar(status.position / status.length if status.length else 0, min(room, 30))}"
    return text[:width]


def wrapped(text: str, width: int) -> str:
    """Each ``a · b · c`` line of ``text`` broken between its items (never inside a word) to fit ``width``."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        start = len(lines)
        for item in paragraph.split(" · "):
            if len(lines) > start and len(lines[-1]) + 3 + len(item) <= width:
                lines[-1] += " · " + item
            else:
                lines.append(item)
    return "\n".join(textwrap.fill(line, width) for line in lines)


def plain_line(status: Status) -> str:
    """A line for logs and pipes, printed when the step or phase changes."""
    where = f"point {status.step + 1}/{status.steps}: {status.name}" if status.step is not None else status.name
    side = f", {status.side}" if status.side else ""
    left = f"{clock(status.session_left)} left" if status.length and not status.preparing else status.preparing
    return f"[{clock(status.position)}] {where}{side} — {status.phase} ({left})"


def ending(outcome: Outcome) -> str:
    """The line printed when a live session ends: complete, or where it stopped."""
    rate = outcome.timeline.sample_rate if outcome.timeline else 22050
    if outcome.finished:
        dropouts = f" ({_dropouts(outcome.dropouts)})" if outcome.dropouts else ""
        return f"Session complete ({clock(outcome.position / rate)}){dropouts}.{_notes(outcome)}"
    where = ""
    if outcome.saved is not None and outcome.timeline is not None:
        step = outcome.saved.step
        if step is not None:
            name = outcome.timeline.steps[step].name
            side = f", {outcome.saved.side} foot" if outcome.saved.side in ("left", "right") else ""
            where = f" at point {step + 1} of {len(outcome.timeline.steps)} ({name}{side})"
        where += f", {clock(outcome.position / rate)} into the session"
    said = _dropouts(outcome.dropouts) if outcome.dropouts else ""
    dropouts = f" {said[0].upper()}{said[1:]}." if said else ""
    return f"{_WHY.get(outcome.reason, 'Stopped')}{where}.{dropouts}{_notes(outcome)}"


def _notes(outcome: Outcome) -> str:
    bed = f" The sound bed stopped: {outcome.bed_failure}." if outcome.bed_failure else ""
    listen = f" Spoken commands: {outcome.listen_lost}." if outcome.listen_lost else ""
    return bed + listen


def _dropouts(gaps: tuple[float, ...]) -> str:
    # Only gaps a listener could hear are counted (live/dropouts.py), each with how long it was.
    if len(gaps) == 1:
        return f"the audio device dropped out once, for about {_seconds(gaps[0])}"
    total = f"about {_seconds(sum(gaps))} in all, the longest {_seconds(max(gaps))}"
    return f"the audio device dropped out {len(gaps)} times, for {total}"


def _seconds(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 0.1 else f"{seconds:.1f} s"

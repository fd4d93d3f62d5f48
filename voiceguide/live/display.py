"""What the terminal shows while a session plays: one calm status line (pure formatting)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..show import clock

if TYPE_CHECKING:
    from .session import Outcome

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


def bar(fraction: float, width: int) -> str:
    """A thin progress bar."""
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "━" * filled + "─" * (width - filled)


def status_line(status: Status, width: int = 80) -> str:
    """The one-line status for a terminal, at most ``width`` characters."""
    where = f"{status.step + 1}/{status.steps} {status.name}" if status.step is not None else status.name
    side = f" · {status.side}" if status.side else ""
    phase = "paused" if status.paused else status.phase
    left = (
        f"step {clock(status.step_left)} · session {clock(status.session_left)} left"
        if status.length
        else "preparing the session"
    )
    volume = f" · vol {status.volume_db:+.0f} dB" if abs(status.volume_db) > 0.1 else ""
    text = f"{where}{side} · {phase} · {left}{volume}"
    room = width - len(text) - 3
    if room >= 10:
        text = f"{text}  {bar(status.position / status.length if status.length else 0, min(room, 30))}"
    return text[:width]


def plain_line(status: Status) -> str:
    """A line for logs and pipes, printed when the step or phase changes."""
    where = f"point {status.step + 1}/{status.steps}: {status.name}" if status.step is not None else status.name
    side = f", {status.side}" if status.side else ""
    left = f"{clock(status.session_left)} left" if status.length else "preparing"
    return f"[{clock(status.position)}] {where}{side} — {status.phase} ({left})"


def ending(outcome: Outcome) -> str:
    """The line printed when a live session ends: complete, or where it stopped."""
    rate = outcome.timeline.sample_rate if outcome.timeline else 22050
    if outcome.finished:
        dropouts = f" (the audio device dropped out {_times(outcome.underruns)})" if outcome.underruns else ""
        return f"Session complete ({clock(outcome.position / rate)}){dropouts}. Good night."
    where = ""
    if outcome.saved is not None and outcome.timeline is not None:
        step = outcome.saved.step
        if step is not None:
            name = outcome.timeline.steps[step].name
            side = f", {outcome.saved.side} foot" if outcome.saved.side in ("left", "right") else ""
            where = f" at point {step + 1} of {len(outcome.timeline.steps)} ({name}{side})"
        where += f", {clock(outcome.position / rate)} into the session"
    dropouts = f" The audio device dropped out {_times(outcome.underruns)}." if outcome.underruns else ""
    return f"{_WHY.get(outcome.reason, 'Stopped')}{where}.{dropouts}"


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"

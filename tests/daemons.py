"""The virtual sound card's PulseAudio daemons that this test suite starts: each carries the pytest process that
owns it in its environment, is stopped on any way out of that run (end, exception, SIGTERM, SIGHUP), and is
ended by a later run once its owner is gone (a run killed with SIGKILL). Daemons of runs still going, and
daemons nobody tagged (a developer's own scripts/vsink.sh), are never touched."""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

OWNER: Final = "VOICEGUIDE_VSINK_OWNER"
"""Environment variable of a daemon started by the suite: ``PID:START`` of the pytest process that owns it."""


def _started(pid: int) -> str | None:
    # The process's start time in clock ticks since boot (field 22 of /proc/PID/stat): with the pid, it names
    # one process, never a later one that was given the same pid.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return fields[19] if fields[0] != "Z" else None  # a zombie has ended


def owner_tag(pid: int | None = None) -> str:
    """The tag naming a process (default: this one) as a daemon's owner."""
    pid = os.getpid() if pid is None else pid
    return f"{pid}:{_started(pid)}"


def _owner_of(pid: int) -> str | None:
    try:
        if Path(f"/proc/{pid}/comm").read_text().strip() != "pulseaudio":
            return None
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:  # gone, or another user's
        return None
    for item in environ.split(b"\0"):
        if item.startswith(OWNER.encode() + b"="):
            return item.split(b"=", 1)[1].decode(errors="replace")
    return None


def leftovers() -> list[str]:
    """Daemons started by this suite whose owning pytest process is gone (as owner_tag names them)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            tag = _owner_of(int(entry.name))
            owner = tag.split(":", 1)[0] if tag is not None else ""
            if owner.isdigit() and tag != owner_tag(int(owner)):
                found.append(owner_tag(int(entry.name)))
    return found


def end(daemon: str, wait: float = 3.0) -> None:
    """End the process ``daemon`` (an owner_tag) if it still runs: SIGTERM, then SIGKILL after ``wait`` seconds.
    (Never a later process given the same pid.)"""
    pid = int(daemon.split(":", 1)[0])
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if owner_tag(pid) != daemon:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while owner_tag(pid) == daemon and time.monotonic() < deadline:
            time.sleep(0.05)


class OnAnyExit:
    """Runs ``action`` once, however this process ends short of SIGKILL: at exit, or on SIGTERM or SIGHUP
    (then the signal is sent again with its earlier handler back, so the process ends as the signal says)."""

    SIGNALS: Final = (signal.SIGTERM, signal.SIGHUP)

    def __init__(self, action: Callable[[], None]) -> None:
        self._action: Callable[[], None] | None = action
        self._previous: dict[int, Any] = {sig: signal.signal(sig, self._on_signal) for sig in self.SIGNALS}
        atexit.register(self.run)

    def run(self) -> None:
        """Run the action now, unless it ran already."""
        action, self._action = self._action, None
        if action is not None:
            action()

    def disarm(self) -> None:
        """Put the earlier signal handlers back (the action has run, or is not wanted any more)."""
        atexit.unregister(self.run)
        for sig, handler in self._previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)  # None: set outside Python
        self._previous = {}

    def _on_signal(self, signum: int, _frame: Any) -> None:
        self.run()
        self.disarm()
        os.kill(os.getpid(), signum)

"""The signals that end a live session cleanly (Ctrl-C's SIGINT, SIGTERM, and SIGHUP when the terminal closes).

Each only sets the session's stop reason, which its loop reads within 0.2 s. Ctrl-C used to raise
KeyboardInterrupt wherever the main thread happened to be (a queue's wait, a log write, a status line): twice
in one full test run the process was still alive 30 s after it; an exception at an arbitrary point can leave
a lock held or a clean-up half done.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any


def install(stop: Callable[[str], None]) -> dict[int, Any]:
    """Make SIGINT, SIGTERM and SIGHUP call ``stop`` with "interrupted", "terminated" or "hangup"; the handlers
    they replace (none outside the main thread, where Python cannot set them)."""
    handlers: dict[int, Any] = {}
    if threading.current_thread() is not threading.main_thread():
        return handlers
    for signum, reason in (
        (signal.SIGINT, "interrupted"),
        (signal.SIGTERM, "terminated"),
        (getattr(signal, "SIGHUP", None), "hangup"),
    ):
        if signum is None:
            continue

        def handler(_signum: int, _frame: Any, reason: str = reason) -> None:
            stop(reason)

        handlers[signum] = signal.signal(signum, handler)
    return handlers


def restore(handlers: dict[int, Any]) -> None:
    """Put back the handlers ``install`` replaced."""
    for signum, handler in handlers.items():
        signal.signal(signum, handler)

"""The signals that end a live session cleanly (SIGTERM, and SIGHUP when the terminal closes)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any


def install(stop: Callable[[str], None]) -> dict[int, Any]:
    """Make SIGTERM and SIGHUP call ``stop`` with "terminated" or "hangup"; the handlers they replace (none
    outside the main thread, where Python cannot set them)."""
    handlers: dict[int, Any] = {}
    if threading.current_thread() is not threading.main_thread():
        return handlers
    for signum, reason in ((signal.SIGTERM, "terminated"), (getattr(signal, "SIGHUP", None), "hangup")):
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

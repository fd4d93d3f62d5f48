"""Single-key controls from the terminal while a session plays (no Enter needed)."""

from __future__ import annotations

import os
import queue
import select
import sys
import threading
from typing import Final

COMMANDS: Final[dict[str, str]] = {
    " ": "toggle",
    "n": "next",
    "p": "previous",
    "r": "repeat",
    "+": "louder",
    "=": "louder",
    "-": "softer",
    "q": "quit",
    "?": "help",
    "h": "help",
}
HELP: Final = "space pause/resume · n next point · p previous point · r repeat location · +/- volume · q quit · ? help"


def help_text(listening: bool = False) -> str:
    """What `?` shows: the keys, and on a line of their own the spoken phrases when the session listens."""
    if not listening:
        return HELP
    from .grammar import spoken_help

    return f"{HELP}\n{spoken_help()}"


class KeyReader:
    """Reads keys from a terminal on stdin in cbreak mode; does nothing when stdin is not a terminal."""

    def __init__(self) -> None:
        self.commands: queue.Queue[str] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._saved: list | None = None
        self._fd = -1

    @property
    def active(self) -> bool:
        """Whether keys are being read (stdin is a terminal)."""
        return self._thread is not None

    def __enter__(self) -> KeyReader:
        try:
            if not sys.stdin.isatty():
                return self
            import termios
            import tty

            self._fd = sys.stdin.fileno()
            self._saved = termios.tcgetattr(self._fd)
            tty.setcbreak(self._fd)
        except (OSError, ValueError, ImportError):
            return self
        self._thread = threading.Thread(target=self._read, name="voiceguide-keys", daemon=True)
        self._thread.start()
        return self

    def _read(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._fd], [], [], 0.1)
            if not ready:
                continue
            try:
                key = os.read(self._fd, 1).decode(errors="ignore").lower()
            except OSError:
                return
            if key in COMMANDS:
                self.commands.put(COMMANDS[key])

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(0.5)
        if self._saved is not None:
            import termios

            try:
                termios.tcsetattr(self._fd, termios.TCSADRAIN, self._saved)
            except (termios.error, OSError):
                pass  # the terminal has gone away: there is nothing left to restore

"""The terminal while a session plays: a status line that redraws in place, messages, and silence
when the terminal has gone away (a closed window must never cost the saved position)."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from typing import Any

import click

from ..live.display import plain_line, status_line, wrapped


class Screen:
    """Writes the live display; a write to a terminal that went away silences it instead of failing."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stdout.isatty() and not quiet
        self.dead = False
        self._last = ""
        self._on_line = False

    def _echo(self, text: str, *, nl: bool = True, err: bool = False) -> None:
        if self.dead:
            return
        try:
            click.echo(text, nl=nl, err=err)
        except OSError:  # EIO or EPIPE: the terminal is gone; the session goes on and saves as usual
            self.dead = True
            _to_null()

    def width(self) -> int:
        """Usable columns (one less than the terminal's, so the cursor never wraps)."""
        return max(40, shutil.get_terminal_size().columns - 1)

    def keys(self, help_text: str) -> None:
        """The keys line, broken between keys to fit the terminal."""
        if self.tty:
            self._echo(wrapped(help_text, self.width()))

    def status(self, status: Any) -> None:
        """Redraw the status line (a terminal), or print a plain line when the point or phase changes (a pipe)."""
        if self.quiet:
            return
        if self.tty:
            self._echo("\r\x1b[2K\x1b[2m" + status_line(status, self.width()) + "\x1b[0m", nl=False)
            self._on_line = True
            return
        key = f"{status.step}/{status.side}/{status.phase}/{status.paused}"
        if key != self._last:
            self._last = key
            self._echo(plain_line(status))

    def message(self, text: str) -> None:
        """A line above the status line."""
        if not self.quiet:
            self.end_line()
            self._echo(wrapped(text, self.width()))

    def end_line(self) -> None:
        """Clear the status line, so what follows starts on a clean line."""
        if self._on_line:
            self._echo("\r\x1b[2K", nl=False)
            self._on_line = False

    def say(self, text: str, *, err: bool = False) -> None:
        """A line that is printed even with --quiet (the end of the session, errors)."""
        self.end_line()
        self._echo(text, err=err)


def _to_null() -> None:
    """Point standard output and error at /dev/null once the terminal is gone: what is still buffered for
    it, and whatever is written later, then goes nowhere instead of failing. (Python flushes them as it
    exits, and a failed flush there makes the exit code 120 however the session ended.)"""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    for fd in (1, 2):
        with contextlib.suppress(OSError):
            os.dup2(null, fd)
    os.close(null)

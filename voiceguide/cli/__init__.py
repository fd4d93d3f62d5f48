"""The command line: parse, call the core, print. The only place that prints or exits."""

from __future__ import annotations

import click

from . import (  # importing them adds their commands to `cli`
    chart_cmds,
    docs_cmds,
    log_cmds,
    session_cmds,
    setup_cmds,
    voice_cmds,
)
from .group import cli


def _warn(message: Warning | str, *args: object, **kwargs: object) -> None:
    click.echo(f"warning: {message}", err=True)


def main() -> None:
    """Entry point of the ``voiceguide`` command."""
    import warnings

    warnings.showwarning = _warn  # one plain line, not Python's file-and-line format
    cli(prog_name="voiceguide")


__all__ = ["chart_cmds", "cli", "docs_cmds", "log_cmds", "main", "session_cmds", "setup_cmds", "voice_cmds"]

"""The command line: parse, call the core, print. The only place that prints or exits."""

from __future__ import annotations

from ..tuning import tune_process

tune_process()  # before numpy loads and before any thread starts

import click  # noqa: E402

from . import log_cmds, session_cmds, setup_cmds  # noqa: E402 - importing them adds their commands to `cli`
from .group import cli  # noqa: E402


def _warn(message: Warning | str, *args: object, **kwargs: object) -> None:
    click.echo(f"warning: {message}", err=True)


def main() -> None:
    """Entry point of the ``voiceguide`` command."""
    import warnings

    warnings.showwarning = _warn  # one plain line, not Python's file-and-line format
    cli(prog_name="voiceguide")


__all__ = ["cli", "log_cmds", "main", "session_cmds", "setup_cmds"]

"""The command line: parse, call the core, print. The only place that prints or exits."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import VoiceguideError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Group(click.Group):
    """Turns VoiceguideError and Ctrl-C into one clean line and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except VoiceguideError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("\nInterrupted.", err=True)
            sys.exit(130)


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(None, "--version", package_name="voiceguide", prog_name="voiceguide")
def cli() -> None:
    """Voice-guided self-acupressure for the feet, hands-free.

    \b
    Example:
      voiceguide play evening          # start the evening session
      voiceguide show evening --json   # the plan, machine-readable
    """


def _warn(message: Warning | str, *args: object, **kwargs: object) -> None:
    click.echo(f"warning: {message}", err=True)


def main() -> None:
    """Entry point of the ``voiceguide`` command."""
    import warnings

    warnings.showwarning = _warn  # one plain line, not Python's file-and-line format
    cli(prog_name="voiceguide")


from . import session_cmds, setup_cmds  # noqa: E402  (they add their commands to `cli`)

__all__ = ["cli", "main", "session_cmds", "setup_cmds"]

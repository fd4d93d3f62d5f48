"""The click group every command joins, and how it turns a VoiceguideError or Ctrl-C into one line."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import VoiceguideError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Group(click.Group):
    """Tunes the process for a command, and turns VoiceguideError and Ctrl-C into one clean line and a
    non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        # Here, not at import: --help and completion requests never get this far and so skip its cost (ctypes).
        from ..tuning import tune_process

        tune_process()  # before numpy loads and before any thread starts
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

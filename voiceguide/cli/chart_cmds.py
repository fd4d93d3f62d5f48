"""Chart commands: chart (where the points are, SVG or PNG) and guide (a printable page)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .group import cli
from .options import pacing_options
from .session_cmds import session_of


@cli.command()
@click.argument("routine")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="File to write: .svg or .png (default ROUTINE-chart.svg)."
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@pacing_options
def chart(routine: str, output: str | None, force: bool, **kwargs: Any) -> None:
    """Draw where the session's points are on the foot, numbered in the order they are worked.

    \b
    Example:
      voiceguide chart evening                     # evening-chart.svg
      voiceguide chart evening -o evening.png      # a PNG for the phone
      voiceguide chart evening --only SP-4,KD-6 -o two.svg
    """
    from ..chart import write_chart

    loaded, pacing = session_of(routine, kwargs)
    path = write_chart(loaded, pacing, Path(output or f"{loaded.name}-chart.svg"), force=force)
    click.echo(f"Wrote {path}")


@cli.command()
@click.argument("routine")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="File to write, .html (default ROUTINE-guide.html)."
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@pacing_options
def guide(routine: str, output: str | None, force: bool, **kwargs: Any) -> None:
    """Write a printable guide: the chart, the steps, what the sounds mean, safety; one self-contained page.

    \b
    Example:
      voiceguide guide evening -o evening.html     # open it in a browser and print it
    """
    from ..chart import write_guide

    loaded, pacing = session_of(routine, kwargs)
    path = write_guide(loaded, pacing, Path(output or f"{loaded.name}-guide.html"), force=force)
    click.echo(f"Wrote {path}")

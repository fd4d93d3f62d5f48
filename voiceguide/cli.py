"""The command line: parse, call the core, print. The only module that prints or exits."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click

from . import __version__
from .errors import VoiceguideError

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


def pacing_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The pacing flags shared by show, play, export and pace set."""
    options = [
        click.option("--press", metavar="S", help="Seconds of each press (or CODE=S pairs, e.g. 5,SP-3=6)."),
        click.option("--release", metavar="S", help="Seconds of rest after each press (or CODE=S pairs)."),
        click.option("--minutes", metavar="M", help="Minutes per step, per side for cycles (or CODE=M pairs)."),
        click.option("--scale", metavar="F", help="Multiply every step's minutes, e.g. 0.5."),
        click.option("--rate", metavar="WPM", help="Speech rate in words per minute (default 150)."),
        click.option("--gap", metavar="S", help="Seconds between points, to move your hands (default 8)."),
        click.option("--pause", metavar="S", help="Seconds of quiet after each spoken cue (default 0.7)."),
        click.option("--announce", metavar="M", help="Minutes between time-left announcements; 0 for none."),
        click.option("--verbosity", type=click.Choice(["full", "brief", "minimal"]), help="How much is said."),
        click.option("--only", metavar="CODES", help="Only these points, e.g. SP-4,KD-6."),
        click.option("--skip", metavar="CODES", help="Leave these points out."),
        click.option("--voice", metavar="ID", help="Speech voice (see `voiceguide voices`)."),
        click.option("--preset", type=click.Choice(["gentle", "standard", "brisk"]), help="A pacing preset."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


_PACING_KEYS = (
    "press",
    "release",
    "minutes",
    "scale",
    "rate",
    "gap",
    "pause",
    "announce",
    "verbosity",
    "only",
    "skip",
    "voice",
)


def _split(kwargs: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    flags = {k: kwargs.pop(k) for k in _PACING_KEYS if k in kwargs}
    return {k: v for k, v in flags.items() if v is not None}, kwargs.pop("preset", None)


def _session(routine_ref: str, kwargs: dict[str, Any]):
    from .config import effective_pacing
    from .routine import load_routine

    flags, preset = _split(kwargs)
    routine = load_routine(routine_ref)
    pacing, _ = effective_pacing(routine, flags, preset)
    return routine, pacing


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="voiceguide")
def cli() -> None:
    """Voice-guided self-acupressure for the feet, hands-free.

    \b
    Example:
      voiceguide play evening          # start the evening session
      voiceguide show evening --json   # the plan, machine-readable
    """


@cli.command("list")
def list_cmd() -> None:
    """List the built-in routines with their points and length.

    \b
    Example:
      voiceguide list
    """
    from .pacing import Pacing
    from .plan import clock
    from .routine import builtin_names, load_routine
    from .timeline import estimate

    for name in builtin_names():
        routine = load_routine(name)
        timeline = estimate(routine, Pacing())
        click.echo(f"{name:<12} {routine.title}  ({_points(len(routine.steps))}, about {clock(timeline.duration)})")


@cli.command()
@click.argument("routine")
@pacing_options
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
def show(routine: str, as_json: bool, **kwargs: Any) -> None:
    """Print the plan of a session: when each cue is said and each tone sounds.

    ROUTINE is a built-in name (see `voiceguide list`) or a path to a .toml file.

    \b
    Example:
      voiceguide show evening --only SP-4,KD-6 --press 6
    """
    from .plan import clock, prepare, table_rows, to_json

    loaded, pacing = _session(routine, kwargs)
    with prepare(loaded, pacing, measure=False) as session:
        timeline = session.timeline
    if as_json:
        click.echo(json.dumps(to_json(loaded, timeline), ensure_ascii=False, indent=1))
        return
    click.echo(f"{loaded.title}  ({_points(len(timeline.steps))}, {clock(timeline.duration)})")
    for time, step, side, what in table_rows(timeline):
        click.echo(f"{time:>8}  {step:<5} {side:<9} {what}")
    click.echo(f"Total: {clock(timeline.duration)} ({timeline.duration:.1f} s)")


@cli.command("export")
@click.argument("routine")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (default audio/ROUTINE.FORMAT).")
@click.option(
    "--format", "fmt", type=click.Choice(["wav", "flac", "ogg", "mp3"]), help="Audio format (default: from -o)."
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--captions", is_flag=True, help="Also write the spoken cues as WebVTT captions beside the file.")
@click.option("--cue-sheet", is_flag=True, help="Also write a .cue sheet with a track per point.")
@pacing_options
def export_cmd(
    routine: str, output: str | None, fmt: str | None, force: bool, captions: bool, cue_sheet: bool, **kwargs: Any
) -> None:
    """Export a session as an audio file with a chapter per point, to play on a phone.

    \b
    Example:
      voiceguide export evening -o evening.mp3 --captions
    """
    from pathlib import Path

    from .export import choose_format, default_path, export
    from .plan import clock, prepare

    loaded, pacing = _session(routine, kwargs)
    path = Path(output) if output else None
    fmt = choose_format(path, fmt)
    dest = path or default_path(loaded, fmt)
    with prepare(loaded, pacing) as session:
        with click.progressbar(
            length=session.timeline.length, label=f"Writing {dest}", file=sys.stderr, hidden=not sys.stderr.isatty()
        ) as bar:
            result = export(
                session, dest, fmt, force=force, with_captions=captions, with_cue_sheet=cue_sheet, progress=bar.update
            )
    click.echo(f"Wrote {result.path} ({clock(result.seconds)}, {result.size / 1e6:.1f} MB)")
    for side in result.side_files:
        click.echo(f"Wrote {side}")


def _points(n: int) -> str:
    return "1 point" if n == 1 else f"{n} points"


def main() -> None:
    """Entry point of the ``voiceguide`` command."""
    cli(prog_name="voiceguide")

"""Session commands: list, show, export, play."""

from __future__ import annotations

import sys
from typing import Any

import click

from .complete import routines
from .group import cli
from .options import pacing_options, split_flags


def _points(n: int) -> str:
    return "1 point" if n == 1 else f"{n} points"


def session_of(routine_ref: str, kwargs: dict[str, Any]) -> Any:
    """The routine and its effective pacing, from a command's ROUTINE and its pacing flags."""
    from ..plan.config import effective_pacing
    from ..plan.language import in_language
    from ..routine.library import load_routine

    flags, preset = split_flags(kwargs)
    routine = load_routine(routine_ref)
    pacing, origin = effective_pacing(routine, flags, preset)
    return in_language(routine_ref, routine, pacing, origin)


@cli.command("list")
def list_cmd() -> None:
    """List the built-in routines with their points, length and languages (play one with --lang CODE).

    \b
    Example:
      voiceguide list
    """
    from ..plan.config import effective_pacing
    from ..plan.length import session_minutes
    from ..plan.timeline import estimate
    from ..routine.library import builtin_languages, builtin_names, load_routine

    names = builtin_names()
    width = max(12, *(len(name) + 1 for name in names))
    for name in names:
        routine = load_routine(name)
        pacing, _ = effective_pacing(routine, {}, None, saved={})
        minutes = session_minutes(estimate(routine, pacing))
        click.echo(f"{name:<{width}} {routine.title}  ({_points(len(routine.steps))}, about {minutes} min)")
        click.echo(f"{'':<{width}} languages: {', '.join(builtin_languages(name))}")


@cli.command()
@click.argument("routine", shell_complete=routines)
@pacing_options
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
def show(routine: str, as_json: bool, **kwargs: Any) -> None:
    """Print the plan of a session: when each cue is said and each tone sounds.

    ROUTINE is a built-in name (see `voiceguide list`) or a path to a .toml file.

    \b
    Example:
      voiceguide show evening --only SP-4,KD-6 --press 6
    """
    from ..plan.length import session_minutes
    from ..plan.show import clock, minutes_rows, table_rows, to_json
    from ..prepare import prepare

    loaded, pacing = session_of(routine, kwargs)
    with prepare(loaded, pacing, measure=False) as session:
        timeline = session.timeline
    if as_json:
        import json

        click.echo(json.dumps(to_json(loaded, timeline, pacing), ensure_ascii=False, indent=1))
        return
    click.echo(f"{loaded.title}  ({_points(len(timeline.steps))}, about {session_minutes(timeline)} min)")
    if pacing.bed != "none":
        click.echo(f"Sound bed: {pacing.bed}, {pacing.bed_level:g} dB under the voice, dipping under every cue")
    if pacing.length is not None:
        click.echo(f"Fitted to about {pacing.length:g} min (minutes as fitted / the routine's; cycles per foot):")
        for code, name, technique, played, written in minutes_rows(loaded, pacing, timeline):
            click.echo(f"  {code:<5} {name:<18} {technique:<7} {played:>5} / {written}")
    for time, step, side, what in table_rows(timeline):
        click.echo(f"{time:>8}  {step:<5} {side:<9} {what}")
    click.echo(f"Total: {clock(timeline.duration)} ({timeline.duration:.1f} s)")
    if sys.stdout.isatty():
        click.echo(
            f"See where the points are: voiceguide chart {routine}  (or a printable page: voiceguide guide {routine})"
        )


@cli.command("export")
@click.argument("routine", shell_complete=routines)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="File to write; its suffix is the format (default audio/ROUTINE.m4b).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["m4b", "m4a", "mp3", "opus", "ogg", "flac", "wav"]),
    help="Audio format without -o (default m4b); with -o it must match the suffix.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--split", is_flag=True, help="One file per chapter, NN-name.EXT, in a folder named after the routine.")
@click.option("--captions", is_flag=True, help="Also write the spoken cues as WebVTT captions beside the file.")
@click.option("--cue-sheet", is_flag=True, help="Also write a .cue sheet with a track per chapter.")
@pacing_options
def export_cmd(
    routine: str,
    output: str | None,
    fmt: str | None,
    force: bool,
    split: bool,
    captions: bool,
    cue_sheet: bool,
    **kwargs: Any,
) -> None:
    """Export a session as an audio file with a chapter per point, to play on a phone.

    \b
    Example:
      voiceguide export evening                  # audio/evening.m4b, chapters for every point
      voiceguide export evening -o evening.opus --captions
      voiceguide export evening -o phone/evening.mp3 --split
    """
    from pathlib import Path

    from ..speech.registry import start_ahead
    from ..tuning import batch_heap

    if split and (captions or cue_sheet):
        raise click.UsageError("--captions and --cue-sheet go with a single file, not --split")
    loaded, pacing = session_of(routine, kwargs)
    # A first run's speech starts while the rest loads (before the format is checked: that needs the export
    # code, i.e. numpy; a refused export only leaves an idle server, which ends with this process).
    start_ahead(pacing.engine, pacing.voice)
    batch_heap()  # one pass over many large buffers: reuse them (tuning.py says why)

    from ..export import choose_format, default_path, export, export_split, split_folder
    from ..plan.show import clock
    from ..prepare import prepare

    path = Path(output) if output else None
    fmt = choose_format(path, fmt)
    dest = path or default_path(loaded, fmt)
    shown = split_folder(dest) if split else dest
    with prepare(loaded, pacing) as session:
        with click.progressbar(
            length=session.timeline.length, label=f"Writing {shown}", file=sys.stderr, hidden=not sys.stderr.isatty()
        ) as bar:
            if split:
                result = export_split(session, dest, fmt, force=force, progress=bar.update)
            else:
                result = export(
                    session,
                    dest,
                    fmt,
                    force=force,
                    with_captions=captions,
                    with_cue_sheet=cue_sheet,
                    progress=bar.update,
                )
    what = f", {len(result.parts)} files" if split else ""
    click.echo(f"Wrote {result.path} ({clock(result.seconds)}{what}, {result.size / 1e6:.1f} MB)")
    for side in result.side_files:
        click.echo(f"Wrote {side}")


@cli.command()
@click.argument("routine", required=False, shell_complete=routines)
@pacing_options
@click.option("--device", metavar="NAME_OR_INDEX", help="Output device (default: the system's).")
@click.option("--resume", is_flag=True, help="Continue the last interrupted session where it stopped.")
@click.option("--quiet", is_flag=True, help="Show nothing while playing.")
@click.option("--mic", metavar="NAME_OR_INDEX", help="Input device for --listen (default: the system's).")
def play(routine: str | None, device: str | None, resume: bool, quiet: bool, mic: str | None, **kwargs: Any) -> None:
    """Play a session live on the speakers, hands-free.

    Keys while playing: space pause/resume, n next point, p previous point,
    r repeat the location, + and - volume, q quit (the position is saved), ? help.

    With --listen, say: "pause" (or "pause please"), "continue" (or "resume"), "next point"
    (or "skip ahead"), "previous point" (or "previous"), "repeat" (or "say again"), "louder",
    "softer" (or "quieter", "volume down"), "stop" (or "stop session", "end session").

    \b
    Example:
      voiceguide play evening --rate 140
      voiceguide play --resume
    """
    from ..live.display import ending
    from ..live.keys import KeyReader, help_text
    from ..live.output import native_stderr_hidden
    from ..live.start import open_session
    from .screen import Screen

    flags, preset = split_flags(kwargs)
    if mic is not None:
        flags["listen"] = True  # naming a microphone means listening on it
    session, notes = open_session(routine, resume=resume, device=device, flags=flags, preset=preset, mic=mic)
    for note in notes:
        click.echo(note, err=True)
    screen = Screen(quiet)
    with KeyReader() as keys, native_stderr_hidden():
        if keys.active:
            screen.keys(help_text(session.pacing.listen))
        try:
            outcome = session.run(screen.status, screen.message, keys.commands if keys.active else None)
        except BaseException:
            screen.end_line()  # an error line must not be glued to the status line
            raise
        finally:
            session.close()
    screen.say(ending(outcome))
    if outcome.log_note:
        screen.say(f"warning: {outcome.log_note}", err=True)
    if outcome.finished:
        return
    if outcome.saved is not None:
        from ..paths import command

        screen.say(f"Resume with: {command('play', session.routine_ref, '--resume')}")
    sys.exit(130 if outcome.reason == "interrupted" else 0)

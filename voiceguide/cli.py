"""The command line: parse, call the core, print. The only module that prints or exits."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from typing import Any

import click

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
@click.version_option(None, "--version", package_name="voiceguide", prog_name="voiceguide")
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
        click.echo(json.dumps(to_json(loaded, timeline, pacing), ensure_ascii=False, indent=1))
        return
    click.echo(f"{loaded.title}  ({_points(len(timeline.steps))}, {clock(timeline.duration)})")
    for time, step, side, what in table_rows(timeline):
        click.echo(f"{time:>8}  {step:<5} {side:<9} {what}")
    click.echo(f"Total: {clock(timeline.duration)} ({timeline.duration:.1f} s)")


@cli.command("export")
@click.argument("routine")
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

    from .export import choose_format, default_path, export, export_split, split_folder
    from .plan import clock, prepare

    if split and (captions or cue_sheet):
        raise click.UsageError("--captions and --cue-sheet go with a single file, not --split")
    loaded, pacing = _session(routine, kwargs)
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
@click.argument("routine", required=False)
@pacing_options
@click.option("--device", metavar="NAME_OR_INDEX", help="Output device (default: the system's).")
@click.option("--resume", is_flag=True, help="Continue the last interrupted session where it stopped.")
@click.option("--quiet", is_flag=True, help="Show nothing while playing.")
def play(routine: str | None, device: str | None, resume: bool, quiet: bool, **kwargs: Any) -> None:
    """Play a session live on the speakers, hands-free.

    Keys while playing: space pause/resume, n next point, p previous point,
    r repeat the location, + and - volume, q quit (the position is saved), ? help.

    \b
    Example:
      voiceguide play evening --rate 140
      voiceguide play --resume
    """
    import warnings

    from .player import warm_up_audio

    audio = warm_up_audio()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            session, note = _live_session(routine, resume, device, kwargs)
    finally:
        audio.join()  # sounddevice hides stderr while it loads: nothing may be written before this
    for item in caught:
        _warn(item.message)
    if note:
        click.echo(note, err=True)
    from .display import ending, plain_line, status_line
    from .keys import HELP, KeyReader

    ref = session.routine_ref
    tty = sys.stdout.isatty() and not quiet
    last: list[str] = [""]

    def on_status(status: Any) -> None:
        if quiet:
            return
        if tty:
            width = max(40, shutil.get_terminal_size().columns - 1)
            click.echo("\r\x1b[2K\x1b[2m" + status_line(status, width) + "\x1b[0m", nl=False)
            return
        key = f"{status.step}/{status.side}/{status.phase}/{status.paused}"
        if key != last[0]:
            last[0] = key
            click.echo(plain_line(status))

    def on_message(message: str) -> None:
        if not quiet:
            click.echo(("\r\x1b[2K" if tty else "") + message)

    with KeyReader() as keys:
        if tty and keys.active:
            click.echo(HELP)
        try:
            outcome = session.run(on_status, on_message, keys.commands if keys.active else None)
        finally:
            session.store.close()
    if tty:
        click.echo("\r\x1b[2K", nl=False)
    click.echo(ending(outcome))
    if outcome.finished:
        return
    if outcome.saved is not None:
        click.echo(f"Resume with: voiceguide play {ref} --resume")
    sys.exit(130 if outcome.reason == "interrupted" else 0)


@cli.group()
def pace() -> None:
    """Show, save or reset your default pacing.

    \b
    Example:
      voiceguide pace set --press 6 --release 4
    """


@pace.command("show")
@click.argument("routine", required=False)
@pacing_options
def pace_show(routine: str | None, **kwargs: Any) -> None:
    """Print the pacing in effect and where each value comes from.

    With ROUTINE, its own [pacing] table is included.

    \b
    Example:
      voiceguide pace show evening --preset gentle
    """
    from .config import config_path, effective_pacing
    from .pacing import PARSERS, value_text
    from .routine import load_routine

    flags, preset = _split(kwargs)
    loaded = load_routine(routine) if routine else None
    pacing, origin = effective_pacing(loaded, flags, preset)
    for key in PARSERS:
        text = value_text(getattr(pacing, key)) or "-"
        click.echo(f"{key:<10} {text:<16} {origin[key]}")
    click.echo(f"(saved defaults: {config_path()})")


@pace.command("set")
@pacing_options
def pace_set(**kwargs: Any) -> None:
    """Save pacing values as your defaults (the flags you give; others stay as they were).

    \b
    Example:
      voiceguide pace set --press 6 --release 4 --voice gmw/en-us
    """
    from .config import save
    from .pacing import parse_layer, preset_layer

    flags, preset = _split(kwargs)
    values = preset_layer(preset) | parse_layer(flags, prefix="--")
    if not values:
        raise click.UsageError("give at least one pacing flag to save, e.g. --press 6")
    path = save(values)
    click.echo(f"Saved {', '.join(values)} to {path}")


@pace.command("reset")
def pace_reset() -> None:
    """Forget your saved defaults.

    \b
    Example:
      voiceguide pace reset
    """
    from .config import config_path, reset

    if reset():
        click.echo(f"Removed {config_path()}; the built-in defaults apply again.")
    else:
        click.echo("There were no saved defaults.")


@cli.command()
@click.option("--lang", metavar="CODE", help="Only voices whose language starts with CODE, e.g. en.")
def voices(lang: str | None) -> None:
    """List the speech engine's voices (id, language, name).

    \b
    Example:
      voiceguide voices --lang en
    """
    from .pacing import Pacing
    from .plan import open_store

    store = open_store(Pacing(), cache=False)
    try:
        found = store.engine().voices()
    finally:
        store.close()
    shown = [v for v in found if not lang or v.language.lower().startswith(lang.lower())]
    for voice in sorted(shown, key=lambda v: (v.language, v.id)):
        click.echo(f"{voice.id:<28} {voice.language:<10} {voice.name}")
    if not shown:
        raise click.ClickException(f"no voices for language {lang!r}")


@cli.command()
@click.argument("text")
@click.option("--voice", metavar="ID", help="Voice id or name (see `voiceguide voices`).")
@click.option("--rate", metavar="WPM", default="150", show_default=True, help="Words per minute.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write a WAV file instead of playing.")
@click.option("--device", metavar="NAME_OR_INDEX", help="Output device.")
def say(text: str, voice: str | None, rate: str, output: str | None, device: str | None) -> None:
    """Speak one phrase, to audition a voice or a rate.

    \b
    Example:
      voiceguide say "Press now, and hold." --voice gmw/en-gb-x-rp --rate 140
    """
    from .config import effective_pacing
    from .plan import open_store

    pacing, _ = effective_pacing(None, {"voice": voice, "rate": rate}, None)
    store = open_store(pacing)
    try:
        clip = store.get(text.strip() or " ")
    finally:
        store.close()
    if output:
        import soundfile as sf

        sf.write(output, clip, store.sample_rate, subtype="PCM_16")
        click.echo(f"Wrote {output} ({clip.size / store.sample_rate:.1f} s)")
        return
    from .live import say_aloud

    say_aloud(clip, store.sample_rate, device)


@cli.command()
def check() -> None:
    """Check the speech engine, audio output, folders and formats; print the fix for anything missing.

    \b
    Example:
      voiceguide check
    """
    from .check import run_checks

    results = run_checks()
    for item in results:
        mark = "OK  " if item.ok else "FAIL"
        click.echo(f"{mark} {item.name:<20} {item.detail}")
        if not item.ok and item.fix:
            click.echo(f"     {'':<20} fix: {item.fix}")
    if any(not r.ok and r.needed_for_play for r in results):
        click.echo("Something `voiceguide play` needs is missing (see above).", err=True)
        sys.exit(1)


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def new(path: str, force: bool) -> None:
    """Write a commented template routine to PATH, to edit.

    \b
    Example:
      voiceguide new my-routine.toml
    """
    from importlib import resources
    from pathlib import Path

    target = Path(path)
    if target.exists() and not force:
        raise click.ClickException(f"{target} already exists; use --force to overwrite it")
    template = (resources.files("voiceguide") / "templates" / "routine.toml").read_text(encoding="utf-8")
    target.write_text(template.replace("THIS_FILE", str(target)), encoding="utf-8")
    click.echo(f"Wrote {target}. Check it with: voiceguide validate {target}")


@cli.command()
@click.argument("files", nargs=-1, required=True)
def validate(files: tuple[str, ...]) -> None:
    """Check routine files without playing them.

    \b
    Example:
      voiceguide validate my-routine.toml other.toml
    """
    from .config import effective_pacing
    from .routine import load_routine
    from .timeline import estimate

    failed = 0
    for name in files:
        try:
            routine = load_routine(name)
            pacing, _ = effective_pacing(routine, {}, None, saved={})
            minutes = estimate(routine, pacing).duration / 60
            click.echo(f"OK   {name}: {routine.title!r}, {_points(len(routine.steps))}, about {minutes:.0f} min")
        except VoiceguideError as exc:
            failed += 1
            click.echo(f"FAIL {exc}")
    if failed:
        sys.exit(1)


def _live_session(
    routine: str | None, resume: bool, device: str | None, kwargs: dict[str, Any]
) -> tuple[Any, str | None]:
    """The session to play (a new one, or the saved one with --resume) and a note about it, if any."""
    from . import state
    from .config import effective_pacing
    from .live import LiveSession, check_resume
    from .pacing import parse_layer, resolve
    from .routine import load_routine

    flags, preset = _split(kwargs)
    saved, note = None, None
    if resume:
        saved = state.load()
        if routine is not None and routine != saved.routine:
            raise click.UsageError(f"the saved session is of {saved.routine!r}, not {routine!r}")
        loaded = load_routine(saved.routine)
        note = check_resume(saved, loaded)
        pacing, _ = resolve([("saved session", parse_layer(saved.pacing)), ("flag", parse_layer(flags, prefix="--"))])
    else:
        if routine is None:
            raise click.UsageError("name a routine (e.g. `voiceguide play evening`) or use --resume")
        loaded = load_routine(routine)
        pacing, _ = effective_pacing(loaded, flags, preset)
    ref = saved.routine if saved else _routine_ref(routine or "")
    return LiveSession(loaded, ref, pacing, device=device, resume=saved), note


def _routine_ref(ref: str) -> str:
    """A built-in's name as is; a file as an absolute path, so --resume finds it from anywhere."""
    from pathlib import Path

    from .routine import builtin_names

    return ref if ref in builtin_names() else str(Path(ref).resolve())


def _points(n: int) -> str:
    return "1 point" if n == 1 else f"{n} points"


def _warn(message: Warning | str, *args: object, **kwargs: object) -> None:
    click.echo(f"warning: {message}", err=True)


def main() -> None:
    """Entry point of the ``voiceguide`` command."""
    import warnings

    warnings.showwarning = _warn  # one plain line, not Python's file-and-line format
    cli(prog_name="voiceguide")

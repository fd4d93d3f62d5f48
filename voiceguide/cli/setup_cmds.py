"""Set-up commands: pace (show, set, reset), voices, say, check, new, validate."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import VoiceguideError
from .group import cli
from .options import pacing_options, split_flags


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
    from ..config import effective_pacing
    from ..pacing import KNOBS, default_text, value_text
    from ..paths import config_path
    from ..routine import load_routine

    flags, preset = split_flags(kwargs)
    loaded = load_routine(routine) if routine else None
    pacing, origin = effective_pacing(loaded, flags, preset)
    for key in KNOBS:
        text = value_text(getattr(pacing, key)) or default_text(key)
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
    from ..config import save
    from ..pacing import parse_layer, preset_layer

    flags, preset = split_flags(kwargs)
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
    from ..config import reset
    from ..paths import config_path

    if reset():
        click.echo(f"Removed {config_path()}; the built-in defaults apply again.")
    else:
        click.echo("There were no saved defaults.")


@cli.command()
@click.option("--lang", metavar="CODE", help="Only voices whose language starts with CODE, e.g. en.")
def voices(lang: str | None) -> None:
    """List the speech engines' voices (id, language, engine, name).

    \b
    Example:
      voiceguide voices --lang en
    """
    from ..speech.registry import list_voices

    shown = list_voices(lang)
    if not shown:
        raise click.ClickException(f"no voices for language {lang!r}")
    width = max(len(v.id) for v in shown) + 2
    for voice in shown:
        click.echo(f"{voice.id:<{width}} {voice.language:<10} {voice.engine:<8} {voice.name}")


@cli.command()
@click.argument("text")
@click.option("--voice", metavar="ID", help="Voice id or name (see `voiceguide voices`).")
@click.option("--rate", metavar="WPM", default="150", show_default=True, help="Words per minute.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write a file instead of playing (its suffix is the format).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--device", metavar="NAME_OR_INDEX", help="Output device.")
def say(text: str, voice: str | None, rate: str, output: str | None, force: bool, device: str | None) -> None:
    """Speak one phrase, to audition a voice or a rate.

    \b
    Example:
      voiceguide say "Press now, and hold." --voice gmw/en-gb-x-rp --rate 140
    """
    from ..config import effective_pacing
    from ..prepare import open_store

    pacing, _ = effective_pacing(None, {"voice": voice, "rate": rate}, None)
    store = open_store(pacing)
    try:
        clip = store.get(text.strip() or " ")
    finally:
        store.close()
    if output:
        from pathlib import Path

        from ..export.phrase import export_phrase

        result = export_phrase(text, clip, store.sample_rate, Path(output), None, force=force)
        click.echo(f"Wrote {result.path} ({result.seconds:.1f} s)")
        return
    from ..live.output import say_aloud

    say_aloud(clip, store.sample_rate, device)


@cli.command()
@click.option(
    "--mic",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[NAME_OR_INDEX]",
    help="Instead: listen for 10 s, show the input level and every spoken command heard.",
)
def check(mic: str | None) -> None:
    """Check the speech engine, audio output, folders and formats; print the fix for anything missing.

    \b
    Example:
      voiceguide check
      voiceguide check --mic        # try the spoken commands before closing your eyes
    """
    from ..check import run_checks

    if mic is not None:
        _check_mic(mic or None)
        return

    results = run_checks()
    for item in results:
        mark = "OK  " if item.ok else "FAIL"
        click.echo(f"{mark} {item.name:<20} {item.detail}")
        if not item.ok and item.fix:
            click.echo(f"     {'':<20} fix: {item.fix}")
    if any(not r.ok and r.needed_for_play for r in results):
        click.echo("Something `voiceguide play` needs is missing (see above).", err=True)
        sys.exit(1)


def _check_mic(mic: str | None) -> None:
    from ..live.display import bar
    from ..live.listen import calibrate

    click.echo("Say a command (pause, continue, next point, go back, repeat, louder, softer, stop) …")
    tty = sys.stdout.isatty()

    def level(db: float) -> None:
        if tty:
            click.echo(f"\r\x1b[2Kinput {db:6.1f} dBFS {bar((db + 70) / 70, 30)}", nl=False)

    def heard(word: str) -> None:
        click.echo(("\r\x1b[2K" if tty else "") + f"heard: {word}")

    words = calibrate(10.0, level, heard, mic)
    click.echo(("\r\x1b[2K" if tty else "") + (f"{len(words)} command(s) heard." if words else "No command heard."))


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def new(path: str, force: bool) -> None:
    """Write a commented template routine to PATH, to edit.

    \b
    Example:
      voiceguide new my-routine.toml
    """
    from pathlib import Path

    from ..routine import write_template

    target = write_template(Path(path), force=force)
    click.echo(f"Wrote {target}. Check it with: voiceguide validate {target}")


@cli.command()
@click.argument("files", nargs=-1, required=True)
def validate(files: tuple[str, ...]) -> None:
    """Check routine files without playing them.

    \b
    Example:
      voiceguide validate my-routine.toml other.toml
    """
    from ..config import effective_pacing
    from ..length import session_minutes
    from ..routine import load_routine
    from ..timeline import estimate

    failed = 0
    for name in files:
        try:
            routine = load_routine(name)
            pacing, _ = effective_pacing(routine, {}, None, saved={})
            minutes = session_minutes(estimate(routine, pacing))
            points = "1 point" if len(routine.steps) == 1 else f"{len(routine.steps)} points"
            click.echo(f"OK   {name}: {routine.title!r}, {points}, about {minutes} min")
        except VoiceguideError as exc:
            failed += 1
            click.echo(f"FAIL {exc}")
    if failed:
        sys.exit(1)

"""Set-up commands: pace (show, set, reset), check, new, validate."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import VoiceguideError
from . import complete
from .group import cli
from .options import pacing_options, split_flags
from .table import aligned


@cli.group()
def pace() -> None:
    """Show, save or reset your default pacing.

    \b
    Example:
      voiceguide pace set --press 6 --release 4
    """


@pace.command("show")
@click.argument("routine", required=False, shell_complete=complete.routines)
@pacing_options
def pace_show(routine: str | None, **kwargs: Any) -> None:
    """Print the pacing in effect and where each value comes from.

    With ROUTINE, its own [pacing] table is included.

    \b
    Example:
      voiceguide pace show evening --preset gentle
    """
    from ..paths import config_path
    from ..plan.config import effective_pacing
    from ..plan.pacing import KNOBS, default_text, value_text
    from ..routine.library import load_routine
    from ..speech.registry import decide

    flags, preset = split_flags(kwargs)
    loaded = load_routine(routine) if routine else None
    pacing, origin = effective_pacing(loaded, flags, preset)
    chosen = decide(pacing.engine, pacing.voice)
    in_effect = {"engine": chosen.spec.name, "voice": chosen.voice}  # the voice in effect, not just the flag's
    rows = [("setting", "value", "from")]
    for key in KNOBS:
        text = value_text(in_effect.get(key, getattr(pacing, key))) or default_text(key)
        source = f"{origin[key]}: {chosen.reason}" if key in in_effect and origin[key] == "built-in" else origin[key]
        rows.append((key, text, source))
    for line in aligned(rows):
        click.echo(line)
    click.echo(f"(saved defaults: {config_path()})")


@pace.command("set")
@pacing_options
def pace_set(**kwargs: Any) -> None:
    """Save pacing values as your defaults (the flags you give; others stay as they were).

    \b
    Example:
      voiceguide pace set --press 6 --release 4 --voice gmw/en-us
    """
    from ..plan.config import save
    from ..plan.pacing import parse_layer, preset_layer

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
    from ..paths import config_path
    from ..plan.config import reset

    if reset():
        click.echo(f"Removed {config_path()}; the built-in defaults apply again.")
    else:
        click.echo("There were no saved defaults.")


@cli.command()
@click.option(
    "--mic",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[NAME_OR_INDEX]",
    help="Instead: listen for 10 s, show the input level and every spoken command heard.",
)
@click.option(
    "--recording",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="With --mic: hear a recording (any rate, mono or stereo) instead of the microphone, as play --listen would.",
)
@click.option("--json", "as_json", is_flag=True, help="With --recording: print the commands as JSON.")
def check(mic: str | None, recording: str | None, as_json: bool) -> None:
    """Check the speech engine, audio output, microphone, folders and formats; print the fix for anything missing.

    \b
    Example:
      voiceguide check
      voiceguide check --mic        # try the spoken commands before closing your eyes
      voiceguide check --mic --recording me.wav --json   # what play --listen would act on in a recording
    """
    from ..check import run_checks

    if recording is not None:
        _check_recording(recording, as_json)
        return
    if as_json:
        raise click.UsageError("--json goes with --mic --recording FILE")
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


def _said(phrase: str, command: str) -> str:
    """What was heard, in the user's words: the phrase, and what it does when that is said otherwise."""
    from ..live.grammar import DOES

    does = DOES[command]
    return f'"{phrase}"' + ("" if phrase == does else f" ({does})")


def _check_recording(path: str, as_json: bool) -> None:
    import json
    from dataclasses import asdict
    from pathlib import Path

    from ..live.recording import hear_file

    heard = hear_file(Path(path))
    if as_json:
        click.echo(json.dumps({"commands": [asdict(h) for h in heard]}))
        return
    for h in heard:
        click.echo(f"{h.start:7.2f} s  heard {_said(h.phrase, h.command)}")
    click.echo(f"{len(heard)} command(s) heard." if heard else "No command heard.")


def _check_mic(mic: str | None) -> None:
    from ..live.display import bar
    from ..live.grammar import DOES
    from ..live.listen import calibrate
    from ..live.recognizer import Decision

    click.echo(f"Say a command ({', '.join(DOES.values())}) …")
    tty = sys.stdout.isatty()

    def level(db: float) -> None:
        if tty:
            click.echo(f"\r\x1b[2Kinput {db:6.1f} dBFS {bar((db + 70) / 70, 30)}", nl=False)

    def heard(decision: Decision) -> None:
        assert decision.command is not None
        click.echo(("\r\x1b[2K" if tty else "") + f"heard {_said(decision.phrase or '', decision.command)}")

    found = calibrate(10.0, level, heard, mic)
    click.echo(("\r\x1b[2K" if tty else "") + (f"{len(found)} command(s) heard." if found else "No command heard."))


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

    from ..routine.library import write_template

    target = write_template(Path(path), force=force)
    click.echo(f"Wrote {target}. Check it with: voiceguide validate {target}")


@cli.command()
@click.argument("files", nargs=-1, required=True, shell_complete=complete.routines)
def validate(files: tuple[str, ...]) -> None:
    """Check routine files without playing them.

    \b
    Example:
      voiceguide validate my-routine.toml other.toml
    """
    from ..plan.config import effective_pacing
    from ..plan.length import session_minutes
    from ..plan.timeline import estimate
    from ..routine.library import load_routine

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

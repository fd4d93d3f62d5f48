"""Voice commands: voices (list, the catalogue's natural voices, download one) and say."""

from __future__ import annotations

import sys

import click

from . import complete
from .group import cli
from .table import aligned


@cli.command()
@click.option("--lang", metavar="CODE", help="Only voices whose language starts with CODE, e.g. en.")
@click.option("--available", is_flag=True, help="List the natural voices in Piper's catalogue instead.")
@click.option(
    "--get", "get", metavar="KEY", help="Download a natural voice from the catalogue, e.g. de_DE-thorsten-medium."
)
def voices(lang: str | None, available: bool, get: str | None) -> None:
    """List the speech engines' voices (id, language, engine, name), or fetch natural ones.

    `--available` lists Piper's catalogue (VOICEGUIDE_VOICES_URL replaces its address); `--get KEY`
    downloads a voice, checks its size and MD5, and puts it in your voices folder: then `--voice KEY`.

    \b
    Example:
      voiceguide voices --lang en
      voiceguide voices --available --lang de
      voiceguide voices --get de_DE-thorsten-medium
    """
    if get:
        _get_voice(get)
        return
    if available:
        _list_available(lang)
        return
    from ..speech.registry import list_voices

    shown = list_voices(lang)
    if not shown:
        raise click.ClickException(f"no voices for language {lang!r}")
    rows = [("id", "language", "engine", "name")]
    rows += [(voice.id, voice.language, voice.engine, voice.name) for voice in shown]
    for line in aligned(rows):
        click.echo(line)


def _list_available(lang: str | None) -> None:
    from ..speech.voice_catalog import matches_language
    from ..speech.voice_download import fetch_catalogue

    shown = [voice for voice in fetch_catalogue() if matches_language(voice.language, lang)]
    if not shown:
        raise click.ClickException(f"the catalogue has no voices for language {lang!r}")
    rows = [("key", "language", "quality", "size", "name")]
    rows += [(v.key, v.language, v.quality, f"{v.size / 1e6:.0f} MB", v.language_name) for v in shown]
    for line in aligned(rows):
        click.echo(line)


def _get_voice(key: str) -> None:
    from ..speech.voice_download import get_voice

    with click.progressbar(length=1, label=f"Downloading {key}", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        model = get_voice(key, progress)
    click.echo(f'Installed {key} in {model.parent}. Try it: voiceguide say "Press now." --voice {key}')


@cli.command()
@click.argument("text")
@click.option(
    "--voice", metavar="ID", help="Voice id or name (see `voiceguide voices`).", shell_complete=complete.voices
)
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
    from ..plan.config import effective_pacing
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

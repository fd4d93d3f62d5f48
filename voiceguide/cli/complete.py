"""What a shell offers on Tab for a value: routines, voices, engines, beds, point codes (click's
``shell_complete`` callbacks). Each imports only what its own values need, and a failure offers nothing."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

Items = list[Any]
"""Strings, or click's CompletionItem for "let the shell complete a file name"."""


def _files(incomplete: str) -> Items:
    from click.shell_completion import CompletionItem

    return [CompletionItem(incomplete, type="file")]


def _looks_like_path(incomplete: str) -> bool:
    return incomplete.startswith((".", "~", "/")) or os.sep in incomplete


def _here(incomplete: str, suffixes: tuple[str, ...]) -> list[str]:
    """Files in the current folder with one of ``suffixes`` whose name starts with ``incomplete``."""
    from pathlib import Path

    try:
        return sorted(p.name for p in Path.cwd().iterdir() if p.name.startswith(incomplete) and p.suffix in suffixes)
    except OSError:
        return []


def routines(ctx: click.Context, param: click.Parameter, incomplete: str) -> Items:
    """Built-in routine names and the .toml files here; a path is the shell's to complete."""
    if _looks_like_path(incomplete):
        return _files(incomplete)
    from ..routine.library import builtin_names

    found = [name for name in builtin_names() if name.startswith(incomplete)] + _here(incomplete, (".toml",))
    return found or _files(incomplete)


def voices(ctx: click.Context, param: click.Parameter, incomplete: str) -> Items:
    """Every engine's voice ids (and joe, the bundled neural voice's short name)."""
    from ..errors import VoiceguideError
    from ..speech.piper_voices import BUNDLED_ID, piper_available
    from ..speech.registry import ENGINES

    ids = ["joe"] if piper_available() else []
    for name, spec in ENGINES.items():
        try:
            if name == "espeak" and sys.platform.startswith("linux"):
                from ..speech.espeak_lib import binding
                from ..speech.oneclip import voice_list

                binding()  # this process speaks nothing: the library lists its voices, 30 ms, not pyttsx3's 390
                ids += [voice[0] for voice in voice_list()]
            elif spec.listed and spec.voices is not None:
                ids += [voice.id for voice in spec.voices()]
        except (VoiceguideError, RuntimeError):
            continue  # an engine that is not installed has no voices to offer
    ids = [i for i in ids if i != BUNDLED_ID] + ([BUNDLED_ID] if BUNDLED_ID in ids else [])
    return [i for i in dict.fromkeys(ids) if i.lower().startswith(incomplete.lower())]


def engines(ctx: click.Context, param: click.Parameter, incomplete: str) -> Items:
    """The engines' names."""
    from ..speech.registry import ENGINES

    return [name for name, spec in ENGINES.items() if spec.listed and name.startswith(incomplete)]


def beds(ctx: click.Context, param: click.Parameter, incomplete: str) -> Items:
    """The generated beds' names and the sound files here; a path is the shell's to complete."""
    if _looks_like_path(incomplete):
        return _files(incomplete)
    from ..routine.parsers import BED_NAMES

    sounds = (".wav", ".flac", ".ogg", ".mp3", ".opus", ".m4a")
    return [name for name in BED_NAMES if name.startswith(incomplete)] + _here(incomplete, sounds)


def _point_codes(ctx: click.Context) -> list[str]:
    """The points of the routine named earlier on the line, else every standard code."""
    from ..errors import VoiceguideError

    # While an option waits for its value, click leaves the words before it unparsed, in ctx.args.
    routine = ctx.params.get("routine") or next((a for a in ctx.args if not a.startswith("-")), None)
    if routine:
        from ..routine.library import load_routine

        try:
            return list(dict.fromkeys(step.point.code for step in load_routine(routine).steps))
        except VoiceguideError:
            pass
    from ..routine.points import MERIDIANS

    return [f"{code}{n}" for code, (_, count) in MERIDIANS.items() for n in range(1, count + 1)]


def _listed(incomplete: str, choices: list[str]) -> Items:
    """Comma-separated values: the words already given, then each choice that fits the last one."""
    given, _, last = incomplete.rpartition(",")
    head = given + "," if given else ""
    taken = {word.strip().upper() for word in given.split(",")}
    return [head + c for c in choices if c.upper().startswith(last.strip().upper()) and c.upper() not in taken]


def points(ctx: click.Context, param: click.Parameter, incomplete: str) -> Items:
    """Point codes for --only and --skip, after the ones already given (SP4,KI<Tab>)."""
    return _listed(incomplete, _point_codes(ctx))


def points_or_techniques(ctx: click.Context, param: click.Parameter, incomplete: str) -> Items:
    """Point codes and technique names for --wait-before."""
    from ..routine.parsers import WAIT_TECHNIQUES

    return _listed(incomplete, [*WAIT_TECHNIQUES, *_point_codes(ctx)])


BY_KNOB = {
    "voice": voices,
    "engine": engines,
    "bed": beds,
    "only": points,
    "skip": points,
    "wait_before": points_or_techniques,
}
"""The pacing flags whose values are offered (--preset and --verbosity are click Choices: click offers them)."""

"""The pacing flags, made from the pacing table (voiceguide.plan.pacing.Pacing), shared by every command that takes them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ..plan.pacing import KNOBS, PRESETS, default_text
from ..routine.parsers import switch
from .complete import BY_KNOB


def _option(key: str) -> Callable[[Any], Any]:
    spec = KNOBS[key]
    flag = "--" + key.replace("_", "-")
    help_text = f"{spec.help} [default: {default_text(key)}]"
    if spec.parse is switch:
        return click.option(f"{flag}/--no-{key.replace('_', '-')}", key, default=None, help=help_text)
    if spec.choices:
        return click.option(flag, key, type=click.Choice(spec.choices), help=help_text)
    metavar = spec.metavar or "VALUE"
    return click.option(flag, key, metavar=metavar, help=help_text, shell_complete=BY_KNOB.get(key))


def pacing_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Every pacing flag, plus --preset: for show, play, export and pace."""
    func = click.option("--preset", type=click.Choice(list(PRESETS)), help="A pacing preset.")(func)
    for key in reversed(KNOBS):
        func = _option(key)(func)
    return func


def split_flags(kwargs: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Take the pacing flags (those given) and the preset out of a command's keyword arguments."""
    flags = {key: kwargs.pop(key) for key in KNOBS if key in kwargs}
    return {key: value for key, value in flags.items() if value is not None}, kwargs.pop("preset", None)

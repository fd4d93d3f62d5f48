"""Pacing: every knob of a session in one table (the Pacing dataclass), presets, and layered resolution.

Each field of Pacing is one row: its default, its parser (and so its range), its help text and its
flag's metavar. The CLI options, the parsers of saved defaults and routine ``[pacing]`` tables, ``pace
show`` and the help text's defaults are all made from it, so a new knob is one new field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any, Final

from ..errors import PacingError
from ..routine.parsers import (
    Parser,
    PerPoint,
    Range,
    bed_name,
    choice,
    codes,
    codes_or_techniques,
    language,
    name,
    on_off,
    per_point,
    switch,
    whole_minutes,
)
from ..routine.points import Point
from ..routine.suggest import did_you_mean


class Verbosity(StrEnum):
    """How much is said at each point."""

    FULL = "full"
    """Name, other names, location, instructions and cautions."""
    BRIEF = "brief"
    """Name and what to do."""
    MINIMAL = "minimal"
    """Name only; the tones carry the rest."""


CYCLE_SECONDS: Final = Range(0.5, 60, "seconds", low_open=False)
"""Press and release seconds, in flags and in routine steps alike."""
STEP_MINUTES: Final = Range(0, 120, "minutes")
"""Minutes of a step, in flags and in routine steps alike."""
BED_LEVEL: Final = 24.0
"""How far under the voice a bed sits by default. Quieter than the 20 dB first planned: a bed fills most of a
session, and BS.1770's gate counts it from about 22 dB under the voice, pulling the file's integrated
loudness far below -16 LUFS (measured: -24 LUFS at 20 dB, -17 at 24 dB) while the voice cannot rise."""
SESSION_MINUTES: Final = Range(1, 240, "minutes", low_open=False)
"""A session length asked for with --length."""
DEFAULT_PRESS: Final = 5.0
DEFAULT_RELEASE: Final = 3.0


@dataclass(frozen=True)
class Knob:
    """How a pacing field is given on the command line and in files."""

    parse: Parser
    help: str
    metavar: str = ""
    default_text: str = ""
    """The default as the help text says it, when the field's own default would not read well."""
    choices: tuple[str, ...] = ()


def knob(
    default: Any, parse: Parser, help: str, metavar: str = "", *, default_text: str = "", factory: Any = None
) -> Any:
    """A Pacing field: its default and its Knob (kept in the field's metadata)."""
    choices = tuple(m.value for m in getattr(parse, "enum", ()))
    meta = {"knob": Knob(parse, help, metavar, default_text, choices)}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


def _choice(enum: type[StrEnum]) -> Parser:
    parse = choice(enum)
    parse.enum = enum  # type: ignore[attr-defined]  # lets the CLI offer the values
    return parse


@dataclass(frozen=True)
class Pacing:
    """Timing and wording choices for one session: the table of knobs."""

    press: PerPoint = knob(
        None,
        per_point(CYCLE_SECONDS),
        "Seconds of each press (or CODE=S pairs, e.g. 5,SP-3=6).",
        "S",
        default_text="the step's, else 5",
        factory=PerPoint,
    )
    release: PerPoint = knob(
        None,
        per_point(CYCLE_SECONDS),
        "Seconds of rest after each press (or CODE=S pairs).",
        "S",
        default_text="the step's, else 3",
        factory=PerPoint,
    )
    minutes: PerPoint = knob(
        None,
        per_point(STEP_MINUTES),
        "Minutes per step, per side for cycles (or CODE=M pairs).",
        "M",
        default_text="the routine's",
        factory=PerPoint,
    )
    scale: float = knob(
        1.0, Range(0, 10, "times the routine's length"), "Multiply every step's minutes, e.g. 0.5.", "F"
    )
    length: float | None = knob(
        None,
        SESSION_MINUTES,
        "Fit the session to about this many minutes, every point kept (see README: Short on time).",
        "MIN",
        default_text="the routine's",
    )
    rate: int = knob(
        150, Range(60, 400, "words per minute", low_open=False, integer=True), "Speech rate, words per minute.", "WPM"
    )
    gap: float = knob(8.0, Range(0, 300, "seconds", low_open=False), "Seconds between points, to move your hands.", "S")
    pause: float = knob(0.7, Range(0, 30, "seconds", low_open=False), "Seconds of quiet after each spoken cue.", "S")
    announce: float = knob(2.0, whole_minutes, "Whole minutes between time-left announcements; 0 for none.", "M")
    verbosity: Verbosity = knob(Verbosity.FULL, _choice(Verbosity), "How much is said at each point.")
    only: tuple[Point, ...] = knob((), codes, "Only these points, e.g. SP-4,KD-6.", "CODES", default_text="all")
    skip: tuple[Point, ...] = knob((), codes, "Leave these points out.", "CODES", default_text="none")
    wait_before: tuple[Point | str, ...] = knob(
        (),
        codes_or_techniques,
        "Wait for you before these points, or before every hold, cycles or warmth step (e.g. warmth).",
        "CODES",
        default_text="none",
    )
    bed: str = knob(
        "none", bed_name, "Sound bed under the session: none, brown, pink, rain, drone, or a sound file.", "NAME|FILE"
    )
    bed_level: float = knob(
        BED_LEVEL,
        Range(6, 60, "dB under the voice", low_open=False),
        "dB the bed sits under the voice between cues.",
        "DB",
    )
    listen: bool = knob(
        False,
        switch,
        "Also take spoken commands (offline, live only): pause, continue, next point, previous point, repeat, louder, "
        "softer, stop.",
        default_text="off",
    )
    voice: str | None = knob(
        None,
        name("a voice id (see `voiceguide voices`)"),
        "Speech voice (see `voiceguide voices`).",
        "ID",
        default_text="joe with the neural extra, else espeak-ng's",
    )
    lang: str | None = knob(
        None,
        language,
        "Language of a built-in routine, e.g. de, es, fr, pt-BR, zh (see `voiceguide list`).",
        "CODE",
        default_text="the system's if translated, else en",
    )
    engine: str | None = knob(
        None,
        name("an engine name (see `voiceguide voices`)"),
        "Speech engine: espeak or piper.",
        "NAME",
        default_text="the voice's; else piper with the neural extra, else espeak",
    )

    log: bool = knob(
        True,
        on_off,
        "Record live sessions in your practice log (`voiceguide log`).",
    )

    def includes(self, point: Point) -> bool:
        """Whether a step at ``point`` is part of the session."""
        return (not self.only or point in self.only) and point not in self.skip

    def waits_before(self, point: Point, technique: str) -> bool:
        """Whether the session waits for the listener before a step at ``point`` of ``technique``."""
        return point in self.wait_before or technique in self.wait_before


KNOBS: Final[dict[str, Knob]] = {f.name: f.metadata["knob"] for f in fields(Pacing)}
"""Every knob by name, in table order."""

PRESETS: Final[dict[str, dict[str, Any]]] = {
    "gentle": {"rate": 130, "release": 4.0, "gap": 12.0, "pause": 1.0, "verbosity": "full"},
    "standard": {},
    "brisk": {"rate": 180, "release": 2.0, "gap": 5.0, "pause": 0.4, "verbosity": "brief"},
}

SOURCES: Final = ("built-in", "routine", "saved", "preset", "flag")
"""Layers from lowest to highest precedence."""


def parse_layer(values: Mapping[str, Any], *, prefix: str = "") -> dict[str, Any]:
    """Parse one layer's raw values (flag strings or TOML values); errors name ``prefix + key``."""
    parsed: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue
        shown = f"{prefix}{key.replace('_', '-')}" if prefix == "--" else f"{prefix}{key}"  # as the flag is typed
        spec = KNOBS.get(key)
        if spec is None:
            raise PacingError(f"unknown setting; {did_you_mean(key, KNOBS)}allowed: {', '.join(KNOBS)}", key=shown)
        try:
            parsed[key] = spec.parse(value)
        except PacingError as exc:
            raise PacingError(exc.reason, key=shown) from None
        except RecursionError:
            raise PacingError("is nested too deeply", key=shown) from None
    return parsed


def resolve(layers: list[tuple[str, Mapping[str, Any]]]) -> tuple[Pacing, dict[str, str]]:
    """Lay parsed layers, lowest first, over the built-in defaults; also say where each value came from."""
    pacing = Pacing()
    origin = {key: "built-in" for key in KNOBS}
    for source, values in layers:
        for key, value in values.items():
            current = getattr(pacing, key)
            if isinstance(value, PerPoint):
                value = value.over(current)
            pacing = replace(pacing, **{key: value})
            origin[key] = source
    return pacing, origin


def value_text(value: Any) -> str | None:
    """A parsed value written back as the text a flag would take (None: not set)."""
    if value is None or value == () or (isinstance(value, PerPoint) and str(value) == "-"):
        return None
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return ",".join(getattr(p, "code", p) for p in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def default_text(key: str) -> str:
    """The built-in default of a knob, as its help text says it."""
    spec = KNOBS[key]
    return spec.default_text or value_text(getattr(Pacing(), key)) or "-"


def to_texts(values: Mapping[str, Any]) -> dict[str, str]:
    """Parsed values as flag texts, leaving out the unset ones; parse_layer reads them back."""
    texts = {key: value_text(value) for key, value in values.items()}
    return {key: text for key, text in texts.items() if text is not None}


def pacing_texts(pacing: Pacing) -> dict[str, str]:
    """Every value of a Pacing as flag texts."""
    return to_texts({key: getattr(pacing, key) for key in KNOBS})


def preset_layer(preset: str | None) -> dict[str, Any]:
    """The parsed values of a preset (empty for None)."""
    if preset is None:
        return {}
    if preset not in PRESETS:
        raise PacingError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    return parse_layer(PRESETS[preset], prefix=f"preset {preset}: ")

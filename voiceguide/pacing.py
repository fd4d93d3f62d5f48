"""Pacing: every knob the scheduler uses, its defaults, presets, and layered resolution."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Final

from .errors import PacingError
from .points import Point, PointCodeError, parse_point, parse_point_list


class Verbosity(StrEnum):
    """How much is said at each point."""

    FULL = "full"
    """Name, other names, location, instructions and cautions."""
    BRIEF = "brief"
    """Name and what to do."""
    MINIMAL = "minimal"
    """Name only; the tones carry the rest."""


@dataclass(frozen=True)
class PerPoint:
    """A value for every point, with optional per-point exceptions (``5,SP-3=6``)."""

    default: float | None = None
    points: tuple[tuple[Point, float], ...] = ()

    def get(self, point: Point) -> float | None:
        """The value for ``point``: its own exception, else the default (None: not set)."""
        return dict(self.points).get(point, self.default)

    def over(self, lower: PerPoint) -> PerPoint:
        """This layer laid over ``lower``: exceptions merge, a set default wins."""
        merged = dict(lower.points) | dict(self.points)
        default = self.default if self.default is not None else lower.default
        return PerPoint(default, tuple(sorted(merged.items())))

    def __str__(self) -> str:
        parts = [] if self.default is None else [f"{self.default:g}"]
        parts += [f"{p.code}={v:g}" for p, v in self.points]
        return ",".join(parts) if parts else "-"


DEFAULT_PRESS: Final = 5.0
DEFAULT_RELEASE: Final = 3.0


@dataclass(frozen=True)
class Pacing:
    """Timing and wording choices for one session."""

    press: PerPoint = field(default_factory=PerPoint)
    """Cycles: seconds of pressure (unset: the step's, else 5)."""
    release: PerPoint = field(default_factory=PerPoint)
    """Cycles: seconds of rest (unset: the step's, else 3)."""
    minutes: PerPoint = field(default_factory=PerPoint)
    """Minutes of a step (per side for cycles); unset: the routine's."""
    scale: float = 1.0
    """Multiplies every step's minutes (0.5 halves the session's pressing time)."""
    rate: int = 150
    """Speech rate in words per minute."""
    gap: float = 8.0
    """Seconds of quiet between steps, to move the hands."""
    pause: float = 0.7
    """Seconds of quiet after each spoken cue."""
    announce: float = 2.0
    """Whole minutes between time-left announcements in long steps; 0 turns them off."""
    verbosity: Verbosity = Verbosity.FULL
    """How much is said at each point."""
    only: tuple[Point, ...] = ()
    """Keep only these points (empty: all)."""
    skip: tuple[Point, ...] = ()
    """Leave these points out."""
    wait_before: tuple[Point | str, ...] = ()
    """Wait for the listener before these points, or before every step of these techniques (hold, cycles, warmth)."""
    voice: str | None = None
    """Speech engine voice id (None: the engine's default)."""

    def includes(self, point: Point) -> bool:
        """Whether a step at ``point`` is part of the session."""
        return (not self.only or point in self.only) and point not in self.skip

    def waits_before(self, point: Point, technique: str) -> bool:
        """Whether the session waits for the listener before a step at ``point`` of ``technique``."""
        return point in self.wait_before or technique in self.wait_before


# key -> (help text, parser). Parsers take flag strings or TOML values.
def _number(low: float, high: float, unit: str, *, integer: bool = False, low_open: bool = True):
    def parse(value: Any) -> float:
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise PacingError(f"must be a number of {unit}, got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PacingError(f"must be a number of {unit}, got {value!r}")
        ok = math.isfinite(value) and (low < value if low_open else low <= value) and value <= high
        if not ok:
            word = "more than" if low_open else "at least"
            raise PacingError(f"must be {word} {low:g} and at most {high:g} {unit}, got {value!r}")
        return round(value) if integer else float(value)

    return parse


def _per_point(low: float, high: float, unit: str, *, low_open: bool = True):
    single = _number(low, high, unit, low_open=low_open)

    def parse(value: Any) -> PerPoint:
        if isinstance(value, dict):  # TOML: press = { default = 5, SP3 = 6 }
            items = [(k, v) for k, v in value.items()]
        elif isinstance(value, str):
            items = []
            for part in (p.strip() for p in value.split(",")):
                if not part:
                    continue
                code, sep, amount = part.partition("=")
                items.append((code.strip(), amount) if sep else ("default", code))
            if not items:
                raise PacingError(f"must be a number of {unit} or CODE=VALUE pairs, e.g. 5 or SP-3=6,KD-6=4")
        else:
            items = [("default", value)]
        default, points = None, {}
        for code, amount in items:
            if code == "default":
                default = single(amount)
                continue
            try:
                points[parse_point(code)] = single(amount)
            except PointCodeError as exc:
                raise PacingError(str(exc)) from None
        return PerPoint(default, tuple(sorted(points.items())))

    return parse


def _choice(enum: type[StrEnum]):
    def parse(value: Any) -> StrEnum:
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(m.value for m in enum)
            raise PacingError(f"must be one of {allowed}, got {value!r}") from None

    return parse


def _codes(value: Any) -> tuple[Point, ...]:
    if isinstance(value, list):
        value = ",".join(str(v) for v in value)
    if not isinstance(value, str):
        raise PacingError(f"must be point codes separated by commas, got {value!r}")
    try:
        return parse_point_list(value)
    except PointCodeError as exc:
        raise PacingError(str(exc)) from None


def _announce(value: Any) -> float:
    # Announcements say whole minutes ("Two minutes left."), so only whole minutes make sense between them.
    minutes = _number(0, 60, "minutes (0 turns announcements off)", low_open=False)(value)
    if minutes != int(minutes):
        raise PacingError(f"must be a whole number of minutes from 1 to 60, or 0 for none, got {value!r}")
    return minutes


WAIT_TECHNIQUES: Final = ("hold", "cycles", "warmth")
"""Technique names --wait-before takes besides point codes (the values of routine.Technique)."""


def _codes_or_techniques(value: Any) -> tuple[Point | str, ...]:
    if isinstance(value, list):
        value = ",".join(str(v) for v in value)
    if not isinstance(value, str) or not value.strip(" ,"):
        raise PacingError(f"must be point codes or {', '.join(WAIT_TECHNIQUES)}, separated by commas, got {value!r}")
    words = [w.strip() for w in value.split(",") if w.strip()]
    techniques = tuple(dict.fromkeys(w.lower() for w in words if w.lower() in WAIT_TECHNIQUES))
    codes = ",".join(w for w in words if w.lower() not in WAIT_TECHNIQUES)
    return techniques + (_codes(codes) if codes else ())


def _voice(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        raise PacingError(f"must be a voice id (see `voiceguide voices`), got {value!r}")
    return value.strip()


PARSERS: Final[dict[str, Any]] = {
    "press": _per_point(0.5, 60, "seconds", low_open=False),
    "release": _per_point(0.5, 60, "seconds", low_open=False),
    "minutes": _per_point(0, 120, "minutes"),
    "scale": _number(0, 10, "times the routine's length"),
    "rate": _number(60, 400, "words per minute", integer=True, low_open=False),
    "gap": _number(0, 300, "seconds", low_open=False),
    "pause": _number(0, 30, "seconds", low_open=False),
    "announce": _announce,
    "verbosity": _choice(Verbosity),
    "only": _codes,
    "skip": _codes,
    "wait_before": _codes_or_techniques,
    "voice": _voice,
}

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
        parser = PARSERS.get(key)
        if parser is None:
            raise PacingError(f"unknown setting; allowed: {', '.join(PARSERS)}", key=f"{prefix}{key}")
        try:
            parsed[key] = parser(value)
        except PacingError as exc:
            raise PacingError(exc.reason, key=f"{prefix}{key}") from None
        except RecursionError:
            raise PacingError("is nested too deeply", key=f"{prefix}{key}") from None
    return parsed


def resolve(layers: list[tuple[str, Mapping[str, Any]]]) -> tuple[Pacing, dict[str, str]]:
    """Lay parsed layers, lowest first, over the built-in defaults; also say where each value came from."""
    pacing = Pacing()
    origin = {key: "built-in" for key in PARSERS}
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
    if isinstance(value, tuple):
        return ",".join(getattr(p, "code", p) for p in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def to_texts(values: Mapping[str, Any]) -> dict[str, str]:
    """Parsed values as flag texts, leaving out the unset ones; parse_layer reads them back."""
    texts = {key: value_text(value) for key, value in values.items()}
    return {key: text for key, text in texts.items() if text is not None}


def pacing_texts(pacing: Pacing) -> dict[str, str]:
    """Every value of a Pacing as flag texts."""
    return to_texts({key: getattr(pacing, key) for key in PARSERS})


def preset_layer(name: str | None) -> dict[str, Any]:
    """The parsed values of a preset (empty for None)."""
    if name is None:
        return {}
    if name not in PRESETS:
        raise PacingError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return parse_layer(PRESETS[name], prefix=f"preset {name}: ")

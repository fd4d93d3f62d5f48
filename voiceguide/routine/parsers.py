"""Value parsers shared by pacing flags, saved defaults and routine files: each takes a flag's text or a TOML value."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..errors import PacingError
from .points import Point, PointCodeError, parse_point, parse_point_list

Parser = Callable[[Any], Any]
"""Turns a raw value (flag text or TOML value) into a checked one; raises PacingError with the reason."""


@dataclass(frozen=True)
class Range:
    """A numeric range with its unit: the one place a limit is written."""

    low: float
    high: float
    unit: str
    low_open: bool = True
    """True: the low end itself is not allowed (more than ``low``)."""
    integer: bool = False

    def describe(self) -> str:
        """``more than 0 and at most 120 minutes``."""
        word = "more than" if self.low_open else "at least"
        return f"{word} {self.low:g} and at most {self.high:g} {self.unit}"

    def contains(self, value: float) -> bool:
        """Whether a finite ``value`` lies in the range."""
        above = self.low < value if self.low_open else self.low <= value
        return math.isfinite(value) and above and value <= self.high

    def __call__(self, value: Any) -> float:
        """Parse a number of this range's unit (text or number)."""
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise PacingError(f"must be a number of {self.unit}, got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PacingError(f"must be a number of {self.unit}, got {value!r}")
        if not self.contains(value):
            raise PacingError(f"must be {self.describe()}, got {value!r}")
        return round(value) if self.integer else float(value)


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


def per_point(single: Range) -> Parser:
    """A parser of ``5``, ``5,SP-3=6`` or a TOML table ``{ default = 5, SP3 = 6 }``."""

    def parse(value: Any) -> PerPoint:
        if isinstance(value, dict):
            items = list(value.items())
        elif isinstance(value, str):
            items = []
            for part in (p.strip() for p in value.split(",")):
                if part:
                    code, sep, amount = part.partition("=")
                    items.append((code.strip(), amount) if sep else ("default", code))
            if not items:
                raise PacingError(f"must be a number of {single.unit} or CODE=VALUE pairs, e.g. 5 or SP-3=6,KD-6=4")
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


def choice(enum: type[StrEnum]) -> Parser:
    """A parser of one of an enum's values."""

    def parse(value: Any) -> StrEnum:
        try:
            return enum(value)
        except ValueError:
            raise PacingError(f"must be one of {', '.join(m.value for m in enum)}, got {value!r}") from None

    return parse


def codes(value: Any) -> tuple[Point, ...]:
    """Point codes separated by commas (or a TOML list of them)."""
    if isinstance(value, list):
        value = ",".join(str(v) for v in value)
    if not isinstance(value, str):
        raise PacingError(f"must be point codes separated by commas, got {value!r}")
    try:
        return parse_point_list(value)
    except PointCodeError as exc:
        raise PacingError(str(exc)) from None


def name(what: str, limit: int = 100) -> Parser:
    """A parser of a short non-empty name (a voice id, an engine)."""

    def parse(value: Any) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            raise PacingError(f"must be {what}, got {value!r}")
        return value.strip()

    return parse


def switch(value: Any) -> bool:
    """true/false, on/off, yes/no, 1/0."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "on", "yes", "1"):
        return True
    if text in ("false", "off", "no", "0"):
        return False
    raise PacingError(f"must be on or off, got {value!r}")


class OnOff(StrEnum):
    """The words an on_off flag takes."""

    ON = "on"
    OFF = "off"


def on_off(value: Any) -> bool:
    """Like switch, but its flag takes the word (``--log off``) rather than being a --x/--no-x pair."""
    return switch(value)


on_off.enum = OnOff  # type: ignore[attr-defined]  # lets the CLI offer the words


def whole_minutes(value: Any) -> float:
    """Whole minutes from 0 to 60 (time-left announcements say whole minutes, so only those make sense)."""
    minutes = Range(0, 60, "minutes (0 turns announcements off)", low_open=False)(value)
    if minutes != int(minutes):
        raise PacingError(f"must be a whole number of minutes from 1 to 60, or 0 for none, got {value!r}")
    return minutes


WAIT_TECHNIQUES = ("hold", "cycles", "warmth")
"""Technique names --wait-before takes besides point codes (the values of routine.Technique)."""


def codes_or_techniques(value: Any) -> tuple[Point | str, ...]:
    """Point codes and technique names (hold, cycles, warmth), separated by commas."""
    if isinstance(value, list):
        value = ",".join(str(v) for v in value)
    if not isinstance(value, str) or not value.strip(" ,"):
        raise PacingError(f"must be point codes or {', '.join(WAIT_TECHNIQUES)}, separated by commas, got {value!r}")
    words = [w.strip() for w in value.split(",") if w.strip()]
    techniques = tuple(dict.fromkeys(w.lower() for w in words if w.lower() in WAIT_TECHNIQUES))
    named = ",".join(w for w in words if w.lower() not in WAIT_TECHNIQUES)
    return techniques + (codes(named) if named else ())


BED_NAMES = ("none", "brown", "pink", "rain", "drone")
"""The generated beds (voiceguide.audio.bed.BEDS, named here without importing numpy)."""
BED_SUFFIXES = (".wav", ".flac", ".ogg", ".oga", ".mp3")


def bed_name(value: Any) -> str:
    """A generated bed's name, or the path of a sound file (checked, with its name, when the session opens it)."""
    allowed = f"must be one of {', '.join(BED_NAMES)}, or a sound file ({', '.join(BED_SUFFIXES)})"
    if not isinstance(value, str) or not value.strip() or len(value) > 4096 or any(ord(c) < 32 for c in value):
        raise PacingError(f"{allowed}, got {value!r}")
    text = value.strip()
    if text.lower() in BED_NAMES:
        return text.lower()
    if os.sep in text or "/" in text or text.startswith("~") or text.lower().endswith(BED_SUFFIXES):
        return os.path.expanduser(text)
    raise PacingError(f"{allowed}, got {value!r}")


def language(value: Any) -> str:
    """A language tag that has a catalogue of spoken words ("de", "pt-BR"; any case, _ or -)."""
    from ..words import best, languages, normalize

    tag = normalize(value) if isinstance(value, str) else None
    if tag is None:
        raise PacingError(f"must be a language tag such as de or pt-BR, got {value!r}")
    found = best(tag, languages())
    if found is None:
        raise PacingError(f"{tag!r} has no catalogue of spoken words; there are: {', '.join(languages())}")
    return found

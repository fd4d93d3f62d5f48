"""Saved defaults: a TOML file in the user's config dir, and the layering of every pacing source."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import PacingError, RoutineError
from ..locks import locked, why
from ..paths import atomic_write, config_path
from ..routine.library import Routine
from ..routine.points import Point
from ..routine.tomlfile import MAX_FILE_BYTES, read_toml
from .pacing import SOURCES, Pacing, PerPoint, parse_layer, preset_layer, resolve, to_texts


def load_saved(path: Path | None = None) -> dict[str, Any]:
    """The saved defaults, parsed (empty when there is no file); a broken file is a RoutineError."""
    path = path or config_path()
    try:
        if path.is_file() and path.stat().st_size > MAX_FILE_BYTES:
            raise RoutineError(str(path), None, None, f"config file is larger than {MAX_FILE_BYTES:,} bytes")
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        raise RoutineError(str(path), None, None, "is a folder, not a config file") from None
    except OSError as exc:
        raise RoutineError(str(path), None, None, f"cannot read: {exc.strerror or exc}") from None
    if not data.strip():
        return {}
    doc, lines = read_toml(data, str(path))
    try:
        return parse_layer(doc)
    except PacingError as exc:
        line = lines.key("", 0, exc.key or "")
        raise RoutineError(str(path), line, exc.key, exc.reason) from None


def effective_pacing(
    routine: Routine | None, flags: Mapping[str, Any], preset: str | None, saved: Mapping[str, Any] | None = None
) -> tuple[Pacing, dict[str, str]]:
    """Built-in < routine < saved defaults < preset < flags; and the source of each value."""
    layers: list[tuple[str, Mapping[str, Any]]] = []
    if routine is not None:
        layers.append(("routine", routine.pacing))
    layers.append(("saved", load_saved() if saved is None else saved))
    layers.append(("preset", preset_layer(preset)))
    layers.append(("flag", parse_layer(flags, prefix="--")))
    if routine is not None:
        layers = [(source, _fit(routine, source, values)) for source, values in layers]
    pacing, origin = _length_or_scale(*resolve(layers))
    if routine is not None and not any(pacing.includes(step.point) for step in routine.steps):
        raise PacingError(f"leaves no point to play; {routine.name} has {_codes(routine.steps)}", key="--only/--skip")
    return pacing, origin


def _length_or_scale(pacing: Pacing, origin: dict[str, str]) -> tuple[Pacing, dict[str, str]]:
    """--length and --scale both set how long the whole session is: the one from the higher layer wins
    (a flag over saved defaults over the routine's), and both in the same layer is an error."""
    if pacing.length is None or origin["scale"] == "built-in":
        return pacing, origin
    length, scale = SOURCES.index(origin["length"]), SOURCES.index(origin["scale"])
    if length == scale:
        where = "flags" if origin["length"] == "flag" else f"{origin['length']} values"
        raise PacingError(f"--length and --scale both set the session's length; give one of them ({where})")
    if length > scale:
        return replace(pacing, scale=1.0), {**origin, "scale": "built-in"}
    return replace(pacing, length=None), {**origin, "length": "built-in"}


_POINT_KEYS = ("only", "skip", "wait_before")
_PER_POINT_KEYS = ("press", "release", "minutes")


def _codes(steps: Any) -> str:
    return ", ".join(step.point.code for step in steps) or "no points"


def _fit(routine: Routine, source: str, values: Mapping[str, Any]) -> Mapping[str, Any]:
    """A layer checked against the routine: a point it names that the routine does not have is an error
    (naming the routine's points), except in saved defaults, which serve every routine: there a saved
    --only that fits nothing is dropped with a warning, and other codes simply do not apply."""
    have = {step.point for step in routine.steps}
    cycles = {step.point for step in routine.steps if step.technique.value == "cycles"}
    fitted = dict(values)
    for key in (*_POINT_KEYS, *_PER_POINT_KEYS):
        if key not in values:
            continue
        points = values[key] if key in _POINT_KEYS else [p for p, _ in values[key].points]
        points = [p for p in points if isinstance(p, Point)]  # wait_before may also name techniques
        foreign = [p for p in points if p not in have]
        flag = f"--{key.replace('_', '-')}" if source == "flag" else f"{source} {key}"
        if source == "saved":
            if key == "only" and points and not set(points) & have:
                import warnings

                warnings.warn(
                    f"your saved --only {','.join(p.code for p in points)} names none of the points of "
                    f"{routine.name} ({_codes(routine.steps)}); playing it whole",
                    stacklevel=3,
                )
                fitted.pop(key)
            continue
        if foreign:
            codes = ", ".join(p.code for p in foreign)
            raise PacingError(f"{codes} is not in {routine.name}; its points are {_codes(routine.steps)}", key=flag)
        if key in ("press", "release"):
            holds = [p for p in points if p not in cycles]
            if holds:
                kinds = {s.point: s.technique.value for s in routine.steps}
                raise PacingError(
                    f"{holds[0].code} is a {kinds[holds[0]]} step; {key} applies to press-release points: "
                    f"{_codes([s for s in routine.steps if s.point in cycles])}",
                    key=flag,
                )
    return fitted


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def save(values: Mapping[str, Any], path: Path | None = None) -> Path:
    """Merge parsed values into the saved defaults and write them atomically."""
    path = path or config_path()
    try:
        with locked(path):  # two `pace set` at once: both count
            merged = dict(load_saved(path))
            for key, value in values.items():
                merged[key] = value.over(merged[key]) if isinstance(value, PerPoint) and key in merged else value
            text = "# voiceguide saved defaults (written by `voiceguide pace set`)\n" + "".join(
                f"{key} = {_quote(value)}\n" for key, value in to_texts(merged).items()
            )
            return atomic_write(path, text)
    except OSError as exc:
        raise RoutineError(str(path), None, None, f"cannot save the defaults: {why(exc, path)}") from None


def reset(path: Path | None = None) -> bool:
    """Remove the saved defaults; True if there were any."""
    path = path or config_path()
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise RoutineError(str(path), None, None, f"cannot remove the defaults: {exc.strerror or exc}") from None
    return True

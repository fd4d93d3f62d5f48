"""Saved defaults: a TOML file in the user's config dir, and the layering of every pacing source."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import PacingError, RoutineError
from .pacing import Pacing, PerPoint, parse_layer, preset_layer, resolve, to_texts
from .routine import MAX_FILE_BYTES, Routine, read_toml


def config_path() -> Path:
    """``$VOICEGUIDE_CONFIG``, else ``config.toml`` in the user's config dir (platformdirs)."""
    override = os.environ.get("VOICEGUIDE_CONFIG")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir("voiceguide", appauthor=False)) / "config.toml"


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
    return resolve(layers)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def save(values: Mapping[str, Any], path: Path | None = None) -> Path:
    """Merge parsed values into the saved defaults and write them atomically."""
    path = path or config_path()
    merged = dict(load_saved(path))
    for key, value in values.items():
        merged[key] = value.over(merged[key]) if isinstance(value, PerPoint) and key in merged else value
    text = "# voiceguide saved defaults (written by `voiceguide pace set`)\n" + "".join(
        f"{key} = {_quote(value)}\n" for key, value in to_texts(merged).items()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def reset(path: Path | None = None) -> bool:
    """Remove the saved defaults; True if there were any."""
    path = path or config_path()
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True

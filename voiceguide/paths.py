"""Where voiceguide keeps things (each folder: an environment variable, else platformdirs) and how it writes them."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

APP = "voiceguide"


def _place(variable: str, kind: str, name: str = "") -> Path:
    """``$variable`` if set, else ``name`` inside the user's ``kind`` folder (platformdirs: cache, config, ...)."""
    override = os.environ.get(variable)
    if override:
        return Path(override)
    import platformdirs  # only when needed: it costs start-up time

    folder = Path(getattr(platformdirs, f"user_{kind}_dir")(APP, appauthor=False))
    return folder / name if name else folder


def cache_dir() -> Path:
    """Clip cache: ``$VOICEGUIDE_CACHE_DIR``, else ``clips`` in the user's cache dir."""
    return _place("VOICEGUIDE_CACHE_DIR", "cache", "clips")


def config_path() -> Path:
    """Saved defaults: ``$VOICEGUIDE_CONFIG``, else ``config.toml`` in the user's config dir."""
    return _place("VOICEGUIDE_CONFIG", "config", "config.toml")


def state_dir() -> Path:
    """Saved session positions: ``$VOICEGUIDE_STATE_DIR``, else the user's state dir."""
    return _place("VOICEGUIDE_STATE_DIR", "state")


def voices_dir() -> Path:
    """A user's own Piper voices: ``$VOICEGUIDE_VOICES_DIR``, else ``voices`` in the user's data dir."""
    return _place("VOICEGUIDE_VOICES_DIR", "data", "voices")


def data_dir() -> Path:
    """What voiceguide keeps for the user (the practice log): ``$VOICEGUIDE_DATA_DIR``, else the user's data dir."""
    return _place("VOICEGUIDE_DATA_DIR", "data")


def atomic_write(path: Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never a part.

    The data goes to a temporary file in the same folder, which is then renamed over ``path``
    (a rename within one file system is atomic). No fsync: a power cut may lose the newest
    write, but never leaves a half-written file in its place.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:16]}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path

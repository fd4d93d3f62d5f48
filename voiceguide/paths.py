"""Where voiceguide keeps things (each folder: an environment variable, else platformdirs) and how it writes them."""

from __future__ import annotations

import os
import sys
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


def program() -> str:
    """How to run voiceguide again, as a shell command the user can type: ``voiceguide`` when that name on
    PATH is this program, else this program's own path (``~/src/voiceguide/.venv/bin/voiceguide``), or
    ``PYTHON -m voiceguide`` when it was started that way."""
    import shutil

    argv0 = sys.argv[0] if sys.argv else ""
    found = shutil.which(APP)
    if not argv0 or argv0.endswith("__main__.py") or argv0 in ("-c", "-m"):  # python -m voiceguide
        # The name on PATH runs this very install when it is (or links to) the script beside this Python.
        if found and os.path.dirname(os.path.realpath(found)) == os.path.dirname(os.path.abspath(sys.executable)):
            return APP
        return f"{_typed(sys.executable)} -m {APP}"
    mine = argv0 if os.sep in argv0 else shutil.which(argv0) or argv0
    if found and _same(found, mine):
        return APP
    return _typed(os.path.abspath(mine))


def command(*words: str) -> str:
    """A voiceguide command line the user can type as printed: ``program()`` and the words, quoted as needed."""
    import shlex

    return " ".join([program(), *(shlex.quote(word) for word in words)])


def _same(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _typed(path: str) -> str:
    """``path`` as a shell word: ``~/…`` under the home folder (the shell expands it), else quoted if it must be."""
    import shlex

    home = os.path.expanduser("~")
    if home != "/" and path.startswith(home + os.sep) and shlex.quote(path) == path:
        return "~" + path[len(home) :]
    return shlex.quote(path)


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

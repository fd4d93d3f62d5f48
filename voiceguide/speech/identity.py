"""The speech pool's engine identity, part of every cache key: worked out without starting espeak-ng and,
once remembered, without loading it.

Apart from pool.py, so that a warm run, which needs only this name, imports no process or thread machinery.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

from ..errors import SpeechError

FRESH: Final = "fresh-per-clip"
"""Marks clips made this way in the engine name (and so in every cache key): they differ from the
clips a long-lived engine made, which depended on what it had spoken before."""


def pool_engine_name(ask: Callable[[], tuple[str, str | None] | None] | None = None) -> str:
    """Engine identity of the pool's clips, for cache keys; starts nothing (espeak_version: loads nothing, warm;
    ``ask``: see espeak_version).

    Like pyttsx3_engine.engine_name, but pyttsx3's version comes from its dist-info folder (dist_version).
    """
    version = dist_version("pyttsx3", "pyttsx3")
    if version is None:
        raise SpeechError("pyttsx3 is not installed; run: pip install pyttsx3")
    espeak = espeak_version(ask)
    return f"pyttsx3-{version}+espeak-ng-{espeak}+{FRESH}"


def dist_version(module: str, dist: str) -> str | None:
    """The version of the installed distribution ``dist`` that provides ``module`` (None: not installed), from
    its dist-info folder's name beside the module: importlib.metadata costs ~40 ms and 3 MiB, on every warm run."""
    import importlib.util
    import os

    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return None
    prefix = dist.replace("-", "_") + "-"
    site = Path(spec.origin).parent.parent
    found = [
        e.name[len(prefix) : -10]
        for e in os.scandir(site)
        if e.name.startswith(prefix) and e.name.endswith(".dist-info")
    ]
    if len(found) == 1:
        return found[0]
    from importlib import metadata  # an unusual install: ask the slow way

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def espeak_version(ask: Callable[[], tuple[str, str | None] | None] | None = None) -> str:
    """libespeak-ng's version, as the fork server's children will load it.

    Asked once, then remembered (cache folder, ``espeak-ng.json``) with the loaded file's path, size and time
    and the loader's cache: a warm export then never loads the library (~10 ms and ~5 MiB), and an upgraded
    or newly installed library is asked again. ``ask``: (version, library file) from a fork server already
    started (SynthesisPool.espeak_facts), so this process need not load the library even the first time.
    """
    import json

    from ..paths import atomic_write, cache_dir

    memo = cache_dir() / "espeak-ng.json"
    try:
        known = json.loads(memo.read_text())
        if known["stamp"] == _stamp(known["library"]):
            return str(known["version"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    told = ask() if ask is not None else None
    if told is not None:
        version, library = told
    else:
        from .espeak_lib import binding
        from .oneclip import loaded_library, version_of

        _espeak = binding()  # the very library the fork server's children load

        version = version_of(_espeak.Info())
        library = loaded_library("libespeak")
    if library is not None:
        try:
            atomic_write(memo, json.dumps({"library": library, "stamp": _stamp(library), "version": version}))
        except OSError:
            pass  # only a speed-up
    return version


def _stamp(library: str) -> list[int]:
    """What changes when the library file is replaced, or another one installed (the loader's cache)."""
    import os

    lib = os.stat(library)
    try:
        loader = os.stat("/etc/ld.so.cache").st_mtime_ns
    except OSError:
        loader = 0
    return [lib.st_size, lib.st_mtime_ns, lib.st_ino, loader]

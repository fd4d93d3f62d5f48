"""Routines: the built-in routines, and loading one by name or path (the Routine and Step model is model.py)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from importlib import resources
from pathlib import Path

from ..errors import RoutineError
from .model import Routine, Sides, Step, Technique, plain_text
from .tomlfile import MAX_FILE_BYTES, read_toml
from .validate import Validator

# The model is re-exported: most of the package knows it as voiceguide.routine.library.Routine.
__all__ = [
    "Routine",
    "Sides",
    "Step",
    "Technique",
    "builtin_languages",
    "builtin_names",
    "load_routine",
    "parse_routine",
    "plain_text",
    "routine_ref",
    "write_template",
]


def _builtin_files() -> list[str]:
    folder = resources.files("voiceguide") / "routines"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def builtin_names() -> list[str]:
    """Names of the routines shipped with voiceguide (``evening``; its translations are ``evening.de.toml``…)."""
    return [stem for stem in _builtin_files() if "." not in stem]


def builtin_languages(name: str) -> list[str]:
    """The languages a built-in routine comes in: its own file's (English), then its translations'."""
    return ["en", *(stem.split(".", 1)[1] for stem in _builtin_files() if stem.startswith(f"{name}."))]


def load_routine(ref: str, lang: str | None = None) -> Routine:
    """Load a built-in routine by name (in language ``lang``, one of builtin_languages(ref); default its
    own), or a user's routine by path (``lang`` does not apply: a file is in the language it says)."""
    if ref in builtin_names():
        stem = ref if lang in (None, "en") else f"{ref}.{lang}"
        text = (resources.files("voiceguide") / "routines" / f"{stem}.toml").read_bytes()
        return parse_routine(text, name=ref, source=f"built-in routine {stem!r}")
    path = Path(ref)
    if not path.suffix and not path.exists() and "/" not in ref:
        known = ", ".join(builtin_names())
        raise RoutineError(
            ref, None, None, f"no such routine; built-in routines: {known}; or give a path to a .toml file"
        )
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise RoutineError(
                str(path),
                None,
                None,
                f"file is {path.stat().st_size:,} bytes; a routine may be at most {MAX_FILE_BYTES:,} bytes",
            )
        data = path.read_bytes()
    except RoutineError:
        raise
    except IsADirectoryError:
        raise RoutineError(str(path), None, None, "is a folder, not a routine file") from None
    except FileNotFoundError:
        raise RoutineError(str(path), None, None, "no such file") from None
    except OSError as exc:
        raise RoutineError(str(path), None, None, f"cannot read: {exc.strerror or exc}") from None
    return parse_routine(data, name=path.stem, source=str(path))


def parse_routine(data: bytes, *, name: str, source: str) -> Routine:
    """Parse and validate routine bytes; every problem is a RoutineError naming source and line."""
    doc, lines = read_toml(data, source)
    routine = Validator(source, lines).routine(doc, name)
    return replace(routine, digest=hashlib.sha256(data).hexdigest())


def routine_ref(ref: str) -> str:
    """How a session remembers its routine: a built-in's name as is, a file as an absolute path
    (so ``play --resume`` finds it from any folder)."""
    return ref if ref in builtin_names() else str(Path(ref).resolve())


def write_template(target: Path, *, force: bool = False) -> Path:
    """Write the commented template routine to ``target`` (an existing file only with ``force``)."""
    if target.exists() and not force:
        raise RoutineError(str(target), None, None, "already exists; use --force to overwrite it")
    template = (resources.files("voiceguide") / "templates" / "routine.toml").read_text(encoding="utf-8")
    try:
        target.write_text(template.replace("THIS_FILE", str(target)), encoding="utf-8")
    except OSError as exc:
        raise RoutineError(str(target), None, None, f"cannot write: {exc.strerror or exc}") from None
    return target

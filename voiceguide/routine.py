"""Routines: the Routine and Step model, the built-in routines, and loading one by name or path."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, Final

from .errors import RoutineError
from .points import Point
from .tomlfile import MAX_FILE_BYTES, read_toml


class Technique(StrEnum):
    """How a point is worked."""

    HOLD = "hold"
    CYCLES = "cycles"
    WARMTH = "warmth"


class Sides(StrEnum):
    """Which feet, and in what order."""

    LEFT = "left"
    RIGHT = "right"
    BOTH = "both"
    TOGETHER = "together"


@dataclass(frozen=True)
class Step:
    """One point of a routine, as written in its file."""

    point: Point
    """The standard point, e.g. LR3."""
    name: str
    """How the voice names it, e.g. "Liver 3"."""
    technique: Technique
    """Steady hold, press-release cycles, or warmth."""
    minutes: float
    """Hold and warmth: total minutes; cycles: minutes per side."""
    sides: Sides
    """Which feet, and in what order."""
    aliases: tuple[str, ...] = ()
    """Other names, said once after the name."""
    location: str = ""
    """Where to find the point, in plain words."""
    instructions: str = ""
    """What to do there."""
    cautions: str = ""
    """Said aloud after the instructions when present."""
    press: float | None = None
    """Cycles only: seconds of pressure; None takes the pacing's."""
    release: float | None = None
    """Cycles only: seconds of rest; None takes the pacing's."""
    line: int | None = None
    """Line of the step's header in its file."""
    prepare: str = ""
    """Said in the opening, only when this step is in the session (e.g. what to have at hand for it)."""
    closing: str = ""
    """Said in the closing, before the routine's own, only when this step is in the session."""
    wait: bool = False
    """Wait for the listener before this step (live: until a key; exports: a fixed gap)."""


@dataclass(frozen=True)
class Routine:
    """A validated routine: an opening, steps, a closing."""

    name: str
    """Short name: the built-in's name or the file's stem."""
    title: str
    description: str
    steps: tuple[Step, ...]
    opening: str = ""
    """Said after the start bell."""
    closing: str = ""
    """Said before the end bell."""
    source: str = ""
    """Where it was loaded from (a path or ``built-in``)."""
    pacing: dict[str, Any] = field(default_factory=dict)
    """The file's own ``[pacing]`` table, parsed by pacing.parse_layer."""
    digest: str = ""
    """SHA-256 of the file's bytes: tells a resumed session whether the routine changed."""


_MARKUP: Final = re.compile(r"<[^<>]*>|\[\[|\]\]")


def plain_text(text: str) -> str:
    """Text as the speech engine should get it: SSML-like tags and espeak-ng's [[phoneme]] brackets
    removed (their words stay), whitespace folded. Routines are data, never instructions to the engine."""
    return " ".join(_MARKUP.sub(" ", text).split())


def builtin_names() -> list[str]:
    """Names of the routines shipped with voiceguide."""
    folder = resources.files("voiceguide") / "routines"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_routine(ref: str) -> Routine:
    """Load a built-in routine by name or a user's routine by path."""
    if ref in builtin_names():
        text = (resources.files("voiceguide") / "routines" / f"{ref}.toml").read_bytes()
        return parse_routine(text, name=ref, source=f"built-in routine {ref!r}")
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
    from .validate import Validator

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

"""Routine files: TOML -> validated Routine and Step dataclasses, with line numbers for errors."""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, Final

from .errors import PacingError, RoutineError
from .pacing import parse_layer
from .points import Point, PointCodeError, parse_point

MAX_FILE_BYTES: Final = 1024 * 1024
MAX_MINUTES: Final = 120.0
MAX_STEPS: Final = 100
MAX_TEXT: Final = 2000
MIN_CYCLE_SECONDS: Final = 0.5
MAX_CYCLE_SECONDS: Final = 60.0


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


TOP_KEYS: Final = {"title", "description", "opening", "closing", "steps", "pacing"}
STEP_KEYS: Final = {
    "point",
    "name",
    "aliases",
    "location",
    "instructions",
    "cautions",
    "technique",
    "minutes",
    "sides",
    "press",
    "release",
    "prepare",  # said in the opening when the step is in the session: see _session_keys
    "closing",  # said in the closing when the step is in the session
    "wait",  # wait for the listener before the step
}
_HEADER_RE: Final = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")
_KEY_RE: Final = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")


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
    doc, lines = read_toml(data, source)
    routine = _Validator(source, lines).routine(doc, name)
    return replace(routine, digest=hashlib.sha256(data).hexdigest())


def read_toml(data: bytes, source: str) -> tuple[dict[str, Any], _Lines]:
    """Decode and parse TOML bytes, with a line index for later error messages."""
    if len(data) > MAX_FILE_BYTES:
        raise RoutineError(source, None, None, f"file is {len(data):,} bytes; at most {MAX_FILE_BYTES:,} are allowed")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        field = _Lines(data.decode("utf-8", errors="replace")).field_at(line)
        raise RoutineError(
            source, line, field, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        ) from None
    if not text.strip():
        raise RoutineError(
            source, 1, "title", "missing: the file is empty; a routine needs a title and at least one [[steps]] table"
        )
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        found = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line = int(found.group(1)) if found else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)|\s*\(at end of document\)", "", msg)
        if "end of document" in msg:
            line = text.count("\n") + 1
        field = _Lines(text).field_at(line)
        raise RoutineError(source, line, field, f"TOML syntax error: {reason}") from None
    except RecursionError:
        lines = text.splitlines() or [""]
        line = max(range(len(lines)), key=lambda i: lines[i].count("[") + lines[i].count("{")) + 1
        raise RoutineError(source, line, _Lines(text).field_at(line), "values are nested too deeply") from None
    return doc, _Lines(text)


class _Lines:
    """Finds the line of a key or of the n-th ``[[table]]`` in TOML text (tomllib keeps none)."""

    def __init__(self, text: str) -> None:
        self.keys: dict[tuple[str, int, str], int] = {}
        self.tables: dict[tuple[str, int], int] = {}
        self.fields: dict[int, str] = {}
        counts: dict[str, int] = {}
        table, index = "", 0
        for number, raw in enumerate(text.splitlines(), start=1):
            self.fields[number] = table if table != "steps" else f"steps[{index}]"
            header = _HEADER_RE.match(raw)
            if not header and raw.lstrip().startswith("[") and not _KEY_RE.match(raw):
                self.fields[number] = raw.strip().strip("[]").strip() or table  # a broken header
            if header and not _KEY_RE.match(raw):
                table = header.group(1).strip().strip("\"'")
                if raw.lstrip().startswith("[["):
                    index = counts.get(table, -1) + 1
                    counts[table] = index
                else:
                    index = 0
                self.tables.setdefault((table, index), number)
                self.fields[number] = table
                continue
            key = _KEY_RE.match(raw)
            if key:
                self.keys.setdefault((table, index, key.group(1)), number)
                prefix = self.fields[number]
                self.fields[number] = f"{prefix}.{key.group(1)}" if prefix else key.group(1)

    def field_at(self, line: int | None) -> str | None:
        """The field a line sets (``steps[2].minutes``), or its table, or None."""
        return self.fields.get(line) or None if line is not None else None

    def key(self, table: str, index: int, key: str) -> int | None:
        """Line of ``key`` in the index-th ``table`` (``""`` is the top level)."""
        return self.keys.get((table, index, key)) or self.tables.get((table, index))


class _Validator:
    def __init__(self, source: str, lines: _Lines) -> None:
        self.source = source
        self.lines = lines

    def fail(self, line: int | None, where: str, message: str) -> RoutineError:
        return RoutineError(self.source, line, where, message)

    def routine(self, doc: dict[str, Any], name: str) -> Routine:
        for key in doc:
            if key not in TOP_KEYS:
                raise self.fail(
                    self.lines.key("", 0, key),
                    key,
                    f"unknown key; allowed at the top level: {', '.join(sorted(TOP_KEYS))}",
                )
        title = self.text(doc, "title", "", 0, "title", required=True, limit=200)
        description = self.text(doc, "description", "", 0, "description")
        opening = self.text(doc, "opening", "", 0, "opening")
        closing = self.text(doc, "closing", "", 0, "closing")
        raw_pacing = doc.get("pacing", {})
        if not isinstance(raw_pacing, dict):
            raise self.fail(self.lines.key("", 0, "pacing"), "pacing", "must be a table: [pacing]")
        try:
            pacing = parse_layer(raw_pacing)
        except PacingError as exc:
            line = self.lines.key("pacing", 0, exc.key or "")
            raise self.fail(line, f"pacing.{exc.key}", exc.reason) from None
        raw_steps = doc.get("steps")
        if raw_steps is None:
            raise self.fail(1, "steps", "missing; add at least one [[steps]] table")
        if not isinstance(raw_steps, list) or not all(isinstance(s, dict) for s in raw_steps):
            raise self.fail(
                self.lines.key("", 0, "steps"), "steps", "must be an array of tables: write each step under [[steps]]"
            )
        if not raw_steps:
            raise self.fail(self.lines.key("", 0, "steps"), "steps", "is empty; add at least one [[steps]] table")
        if len(raw_steps) > MAX_STEPS:
            raise self.fail(
                self.lines.key("steps", MAX_STEPS, "point"),
                "steps",
                f"has {len(raw_steps)} steps; at most {MAX_STEPS} are allowed",
            )
        steps = tuple(self.step(raw, i) for i, raw in enumerate(raw_steps))
        return Routine(
            name=name,
            title=title,
            description=description,
            steps=steps,
            opening=opening,
            closing=closing,
            source=self.source,
            pacing=pacing,
        )

    def text(
        self,
        table: dict[str, Any],
        key: str,
        tname: str,
        index: int,
        where: str,
        *,
        required: bool = False,
        limit: int = MAX_TEXT,
    ) -> str:
        line = self.lines.key(tname, index, key)
        if key not in table:
            if required:
                raise self.fail(self.lines.tables.get((tname, index), 1), where, "missing; it is required")
            return ""
        value = table[key]
        if not isinstance(value, str):
            raise self.fail(line, where, f"must be text in quotes, got {_kind(value)}")
        value = plain_text(value)
        if required and not value:
            raise self.fail(line, where, "must not be empty")
        if len(value) > limit:
            raise self.fail(line, where, f"is {len(value)} characters long; at most {limit} are allowed")
        bad = next((c for c in value if ord(c) < 32 or 0x7F <= ord(c) < 0xA0), None)
        if bad is not None:
            raise self.fail(line, where, f"contains the control character U+{ord(bad):04X}; use plain text")
        return value

    def number(
        self,
        table: dict[str, Any],
        key: str,
        index: int,
        where: str,
        low: float,
        high: float,
        unit: str,
        *,
        low_open: bool = True,
    ) -> float | None:
        if key not in table:
            return None
        value = table[key]
        line = self.lines.key("steps", index, key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(line, where, f"must be a number of {unit}, got {_kind(value)}")
        if not math.isfinite(value) or not (low < value if low_open else low <= value) or value > high:
            word = "more than" if low_open else "at least"
            raise self.fail(line, where, f"must be {word} {low:g} and at most {high:g} {unit}, got {value!r}")
        return float(value)

    def choice(self, table: dict[str, Any], key: str, index: int, where: str, enum: type[StrEnum]) -> Any:
        line = self.lines.key("steps", index, key)
        value = table.get(key)
        allowed = " | ".join(f'"{m.value}"' for m in enum)
        if value is None:
            raise self.fail(self.lines.tables.get(("steps", index)), where, f"missing; one of {allowed}")
        try:
            return enum(value)
        except (ValueError, TypeError):
            raise self.fail(line, where, f"must be one of {allowed}, got {value!r}") from None

    def step(self, raw: dict[str, Any], i: int) -> Step:
        here = f"steps[{i}]"
        header = self.lines.tables.get(("steps", i))
        for key in raw:
            if key not in STEP_KEYS:
                raise self.fail(
                    self.lines.key("steps", i, key),
                    f"{here}.{key}",
                    f"unknown key; allowed in a step: {', '.join(sorted(STEP_KEYS))}",
                )
        if "point" not in raw:
            raise self.fail(
                header, f"{here}.point", "missing; give a standard code such as LR3 (aliases like Liv-3 work too)"
            )
        if not isinstance(raw["point"], str):
            raise self.fail(
                self.lines.key("steps", i, "point"),
                f"{here}.point",
                f'must be text such as "LR3", got {_kind(raw["point"])}',
            )
        try:
            point = parse_point(raw["point"])
        except PointCodeError as exc:
            raise self.fail(self.lines.key("steps", i, "point"), f"{here}.point", str(exc)) from None
        name = self.text(raw, "name", "steps", i, f"{here}.name", limit=200) or f"{point.meridian_name} {point.number}"
        aliases_raw = raw.get("aliases", [])
        if not isinstance(aliases_raw, list) or not all(isinstance(a, str) for a in aliases_raw):
            raise self.fail(
                self.lines.key("steps", i, "aliases"), f"{here}.aliases", 'must be a list of text, e.g. ["Tai Chong"]'
            )
        aliases = tuple(self.text({"a": a}, "a", "steps", i, f"{here}.aliases", limit=200) for a in aliases_raw)
        technique = self.choice(raw, "technique", i, f"{here}.technique", Technique)
        sides = self.choice(raw, "sides", i, f"{here}.sides", Sides)
        minutes = self.number(raw, "minutes", i, f"{here}.minutes", 0, MAX_MINUTES, "minutes")
        if minutes is None:
            raise self.fail(header, f"{here}.minutes", f"missing; a number of minutes up to {MAX_MINUTES:g}")
        timing = {}
        for key in ("press", "release"):
            timing[key] = self.number(
                raw, key, i, f"{here}.{key}", MIN_CYCLE_SECONDS, MAX_CYCLE_SECONDS, "seconds", low_open=False
            )
            if timing[key] is not None and technique is not Technique.CYCLES:
                raise self.fail(
                    self.lines.key("steps", i, key),
                    f"{here}.{key}",
                    f'only applies to technique = "cycles", this step is "{technique.value}"',
                )
        return Step(
            point=point,
            name=name,
            technique=technique,
            minutes=minutes,
            sides=sides,
            aliases=aliases,
            location=self.text(raw, "location", "steps", i, f"{here}.location"),
            instructions=self.text(raw, "instructions", "steps", i, f"{here}.instructions"),
            cautions=self.text(raw, "cautions", "steps", i, f"{here}.cautions"),
            press=timing["press"],
            release=timing["release"],
            line=header,
            **self._session_keys(raw, i, here),
        )

    def _session_keys(self, raw: dict[str, Any], i: int, here: str) -> dict[str, Any]:
        # The step keys that shape the session around the step: its words for the opening and the closing,
        # and whether to wait for the listener before it.
        wait = raw.get("wait", False)
        if not isinstance(wait, bool):
            line = self.lines.key("steps", i, "wait")
            raise self.fail(line, f"{here}.wait", f"must be true or false, got {_kind(wait)}")
        return {
            "prepare": self.text(raw, "prepare", "steps", i, f"{here}.prepare"),
            "closing": self.text(raw, "closing", "steps", i, f"{here}.closing"),
            "wait": wait,
        }


def _kind(value: object) -> str:
    names = {bool: "true/false", int: "a whole number", float: "a number", str: "text", list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)

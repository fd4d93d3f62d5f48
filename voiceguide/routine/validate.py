"""Routine documents -> validated Routine and Step objects; every problem names the file, line and field."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final

from ..errors import PacingError, RoutineError
from ..plan.pacing import CYCLE_SECONDS, STEP_MINUTES, parse_layer
from .model import Routine, Sides, Step, Technique, plain_text
from .parsers import Range
from .points import PointCodeError, parse_point
from .suggest import did_you_mean
from .tomlfile import LineIndex

MAX_STEPS: Final = 100
MAX_TEXT: Final = 2000
TOP_KEYS: Final = {"title", "description", "opening", "closing", "steps", "pacing", "pronounce", "language"}
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


class Validator:
    """Checks a parsed routine document field by field; the first problem is a RoutineError with its line."""

    def __init__(self, source: str, lines: LineIndex) -> None:
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
                    f"unknown key; {did_you_mean(key, TOP_KEYS)}allowed at the top level: {', '.join(sorted(TOP_KEYS))}",
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
        pronounce = self.pronounce(doc.get("pronounce", {}))
        return Routine(
            name=name,
            title=title,
            description=description,
            steps=steps,
            opening=opening,
            closing=closing,
            source=self.source,
            pacing=pacing,
            pronounce=pronounce,
            language=self.language(doc),
        )

    def language(self, doc: dict[str, Any]) -> str:
        """The ``language`` key: a BCP 47 tag that has a catalogue of the program's words (default en)."""
        from ..words import best, languages, normalize

        value = doc.get("language", "en")
        line = self.lines.key("", 0, "language")
        tag = normalize(value) if isinstance(value, str) else None
        if tag is None:
            raise self.fail(line, "language", f'must be a language tag such as "de" or "pt-BR", got {value!r}')
        found = best(tag, languages())
        if found is None:
            known = ", ".join(languages())
            raise self.fail(line, "language", f"{tag!r} has no catalogue of spoken words; there are: {known}")
        return found

    def pronounce(self, table: Any) -> dict[str, str]:
        """The ``[pronounce]`` table: word or name -> respelling, both short plain text."""
        if not isinstance(table, dict):
            raise self.fail(
                self.lines.key("", 0, "pronounce"),
                "pronounce",
                'must be a table: [pronounce] then "Word" = "respelling"',
            )
        out: dict[str, str] = {}
        for word in table:
            where = f"pronounce.{word}"
            if not word.strip() or len(word) > 100:
                raise self.fail(self.lines.key("pronounce", 0, word), where, "must be a word or a short name")
            out[word.strip()] = self.text(table, word, "pronounce", 0, where, required=True, limit=200)
        return out

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

    def number(self, table: dict[str, Any], key: str, index: int, where: str, limits: Range) -> float | None:
        if key not in table:
            return None
        value = table[key]
        line = self.lines.key("steps", index, key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(line, where, f"must be a number of {limits.unit}, got {_kind(value)}")
        if not limits.contains(value):
            raise self.fail(line, where, f"must be {limits.describe()}, got {value!r}")
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
                    f"unknown key; {did_you_mean(key, STEP_KEYS)}allowed in a step: {', '.join(sorted(STEP_KEYS))}",
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
        minutes = self.number(raw, "minutes", i, f"{here}.minutes", STEP_MINUTES)
        if minutes is None:
            raise self.fail(header, f"{here}.minutes", f"missing; a number of minutes up to {STEP_MINUTES.high:g}")
        timing = {}
        for key in ("press", "release"):
            timing[key] = self.number(raw, key, i, f"{here}.{key}", CYCLE_SECONDS)
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

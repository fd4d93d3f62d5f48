"""TOML files with line numbers: tomllib parses, LineIndex remembers where each key and table was written."""

from __future__ import annotations

import re
import tomllib
from typing import Any, Final

from ..errors import RoutineError

MAX_FILE_BYTES: Final = 1024 * 1024
"""Routine and config files larger than this are refused before parsing."""

_KEY_PART: Final = r'(?:[A-Za-z0-9_\-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_KEY_RE: Final = re.compile(rf"^\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")
_HEADER_RE: Final = re.compile(rf"^\s*(\[\[?)\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*\]\]?\s*(#.*)?$")
_INLINE_KEY_RE: Final = re.compile(rf"[{{,]\s*({_KEY_PART})\s*=")
_PART_RE: Final = re.compile(_KEY_PART)
_STRING_RE: Final = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'')
_KEY_NEXT_RE: Final = re.compile(r"\s*[=.]")


def _parts(dotted: str) -> list[str]:
    """``pacing."release"`` -> ["pacing", "release"]."""
    return [p.strip("\"'") for p in _PART_RE.findall(dotted)]


def _strip_strings(line: str) -> str:
    """The line with single-line string values blanked, so brackets and quotes inside them are not read as
    syntax; quoted keys (a string followed by ``=`` or ``.``) stay."""
    # Strings are matched left to right, each whole, so a key's closing quote never starts another string.
    return _STRING_RE.sub(lambda m: m.group(0) if _KEY_NEXT_RE.match(line, m.end()) else '""', line)


class LineIndex:
    """Finds the line of a key or of the n-th ``[[table]]`` in TOML text (tomllib keeps none).

    It reads lines the way TOML writes them: bare, quoted and dotted keys, inline tables on one
    line, and multi-line strings (whose lines are text, never headers or keys).
    """

    def __init__(self, text: str) -> None:
        self.keys: dict[tuple[str, int, str], int] = {}
        self.tables: dict[tuple[str, int], int] = {}
        self.fields: dict[int, str] = {}
        counts: dict[str, int] = {}
        table, index = "", 0
        quote: str | None = None  # the delimiter of the multi-line string we are inside
        for number, raw in enumerate(text.splitlines(), start=1):
            here = table if table != "steps" else f"steps[{index}]"
            self.fields[number] = self.fields.get(number - 1, here) if quote else here
            if quote:
                quote = None if raw.count(quote) % 2 else quote
                continue
            header = _HEADER_RE.match(raw)
            key = _KEY_RE.match(raw)
            if header and not key:
                table = ".".join(_parts(header.group(2)))
                if header.group(1) == "[[":
                    index = counts.get(table, -1) + 1
                    counts[table] = index
                else:
                    index = 0
                self.tables.setdefault((table, index), number)
                self.fields[number] = table
            elif key:
                parts = _parts(key.group(1))
                self._key(table, index, parts, number, here)
                rest = raw[key.end() :]
                if rest.lstrip().startswith("{"):
                    scope = ".".join([table, *parts] if table else parts)
                    for found in _INLINE_KEY_RE.finditer(_strip_strings(rest)):
                        self.keys.setdefault((scope, 0, _parts(found.group(1))[0]), number)
                for delimiter in ('"""', "'''"):
                    if rest.count(delimiter) % 2:
                        quote = delimiter
            elif raw.lstrip().startswith("["):
                self.fields[number] = raw.strip().strip("[]").strip() or table  # a broken header

    def _key(self, table: str, index: int, parts: list[str], number: int, here: str) -> None:
        # A dotted key a.b = 1 sets key a of the table and key b of the table "a" (as [a] would);
        # an inline table a = { b = 1 } likewise, on this line.
        scope = table
        for part in parts:
            self.keys.setdefault((scope, index if scope == table else 0, part), number)
            scope = f"{scope}.{part}" if scope else part
        self.fields[number] = f"{here}.{'.'.join(parts)}" if here else ".".join(parts)

    def field_at(self, line: int | None) -> str | None:
        """The field a line sets (``steps[2].minutes``), or its table, or None."""
        return self.fields.get(line) or None if line is not None else None

    def key(self, table: str, index: int, key: str) -> int | None:
        """Line of ``key`` in the index-th ``table`` (``""`` is the top level), else of the table itself."""
        return self.keys.get((table, index, key)) or self.tables.get((table, index))


def read_toml(data: bytes, source: str) -> tuple[dict[str, Any], LineIndex]:
    """Decode and parse TOML bytes, with a line index for later error messages."""
    if len(data) > MAX_FILE_BYTES:
        raise RoutineError(source, None, None, f"file is {len(data):,} bytes; at most {MAX_FILE_BYTES:,} are allowed")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        field = LineIndex(data.decode("utf-8", errors="replace")).field_at(line)
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
        field = LineIndex(text).field_at(line)
        raise RoutineError(source, line, field, f"TOML syntax error: {reason}") from None
    except RecursionError:
        lines = text.splitlines() or [""]
        line = max(range(len(lines)), key=lambda i: lines[i].count("[") + lines[i].count("{")) + 1
        raise RoutineError(source, line, LineIndex(text).field_at(line), "values are nested too deeply") from None
    return doc, LineIndex(text)

"""Hypothesis strategies for routine files: well-formed routines drawn from the real keys and ranges, the same
routines with one known fault (and the file:line:field the error must name), and damaged or arbitrary bytes."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields
from typing import Any

from hypothesis import strategies as st

from voiceguide.plan.pacing import CYCLE_SECONDS, KNOBS, STEP_MINUTES, Pacing
from voiceguide.routine.library import Sides, Technique, plain_text
from voiceguide.routine.parsers import (
    BED_NAMES,
    WAIT_TECHNIQUES,
    Range,
    bed_name,
    codes,
    codes_or_techniques,
    language,
    switch,
    whole_minutes,
)
from voiceguide.routine.points import MERIDIANS, Point
from voiceguide.routine.validate import STEP_KEYS, TOP_KEYS


# TOML documents built from Python values.
def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return "inf" if value == math.inf else "-inf" if value == -math.inf else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON string escapes are valid TOML basic strings (lone surrogates are not)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


# Arbitrary values of every TOML type, for the keys of routine and config files.
scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=50),
    st.sampled_from(["LR3", "Liv-3", "KD-6", "SP4", "LR15", "hold", "cycles", "left", "both", "x" * 5000, "\x07bell"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)

# Well-formed parts: text a routine accepts, points, numbers inside a Range.
words = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), max_size=30)
lines_of_text = st.lists(words | st.sampled_from(["[[steps]]", "minutes = 0", "[pacing]", '"quoted" = 1']), max_size=4)


@st.composite
def point_codes(draw: st.DrawFn) -> tuple[str, Point]:
    """A point as a routine may write it (LR3, LR-3, lr 3, Liver 3) and the Point it means."""
    meridian = draw(st.sampled_from(sorted(MERIDIANS)))
    number = draw(st.integers(1, MERIDIANS[meridian][1]))
    form = draw(st.sampled_from(["{m}{n}", "{m}-{n}", "{lower} {n}", "{name} {n}"]))
    return form.format(m=meridian, n=number, lower=meridian.lower(), name=MERIDIANS[meridian][0]), Point(
        meridian, number
    )


def number_in(limits: Range) -> st.SearchStrategy[float]:
    """Whole and fractional numbers that ``limits`` accepts."""
    low = math.floor(limits.low) + 1 if limits.low_open else math.ceil(limits.low)
    whole = st.integers(low, math.floor(limits.high))
    if limits.integer:
        return whole
    return whole | st.floats(limits.low, limits.high, exclude_min=limits.low_open, allow_nan=False)


PER_POINT = {f.name for f in fields(Pacing) if f.type == "PerPoint"}


def knob_values(key: str) -> st.SearchStrategy[Any]:
    """Values a routine's [pacing] table accepts for a knob, read from its parser."""
    parse = KNOBS[key].parse
    if isinstance(parse, Range):
        return number_in(parse)
    if key in PER_POINT:
        return number_in(CYCLE_SECONDS if key in ("press", "release") else STEP_MINUTES)
    if KNOBS[key].choices:
        return st.sampled_from(KNOBS[key].choices)
    if parse is codes:
        return st.lists(point_codes().map(lambda p: p[0]), min_size=1, max_size=3).map(",".join)
    if parse is codes_or_techniques:
        either = point_codes().map(lambda p: p[0]) | st.sampled_from(WAIT_TECHNIQUES)
        return st.lists(either, min_size=1, max_size=3).map(",".join)
    if parse is whole_minutes:
        return st.integers(0, 60)
    if parse is bed_name:
        return st.sampled_from(BED_NAMES)
    if parse is switch:
        return st.booleans()
    if parse is language:
        return st.sampled_from(["en", "de", "ES", "pt_br", "pt-PT", "zh", "fr-CA"])  # any case, _ or -, a region
    return st.from_regex(r"[a-z][a-z0-9/_-]{0,20}", fullmatch=True)  # a name: voice id, engine


@dataclass
class Doc:
    """A routine as data, before it is written as TOML; points keeps the Point each step's code means."""

    top: dict[str, Any]
    steps: list[dict[str, Any]]
    points: list[Point] = field(default_factory=list)


@st.composite
def steps(draw: st.DrawFn) -> tuple[dict[str, Any], Point]:
    code, point = draw(point_codes())
    technique = draw(st.sampled_from(Technique))
    step: dict[str, Any] = {
        "point": code,
        "technique": technique.value,
        "minutes": draw(number_in(STEP_MINUTES)),
        "sides": draw(st.sampled_from(Sides)).value,
    }
    for key in sorted(STEP_KEYS - set(step) - {"press", "release"}):
        if draw(st.booleans()):
            if key == "wait":
                step[key] = draw(st.booleans())
            else:
                step[key] = draw(st.lists(words, max_size=3) if key == "aliases" else lines_of_text.map("\n".join))
    if technique is Technique.CYCLES:
        for key in ("press", "release"):
            if draw(st.booleans()):
                step[key] = draw(number_in(CYCLE_SECONDS))
    order = draw(st.permutations(list(step)))
    return {key: step[key] for key in order}, point


@st.composite
def routines(draw: st.DrawFn) -> Doc:
    """A routine every rule accepts."""
    top: dict[str, Any] = {"title": draw(words.filter(plain_text))}
    for key in ("description", "opening", "closing"):
        if draw(st.booleans()):
            top[key] = draw(lines_of_text.map("\n".join))
    knobs = draw(st.lists(st.sampled_from(sorted(KNOBS)), unique=True, max_size=4))
    if knobs or draw(st.booleans()):
        top["pacing"] = {key: draw(knob_values(key)) for key in knobs}
    drawn = draw(st.lists(steps(), min_size=1, max_size=4))
    return Doc(top, [s for s, _ in drawn], [p for _, p in drawn])


# One fault in a routine: (where it is, what is written there or None to remove it, the field the error names).
# "where" is a top-level key, "pacing.KEY", or "steps[i].KEY"; the error's line is that key's, or for a
# missing key its table's header (line 1 at the top level).
FAULT_KINDS = [
    *("top_unknown", "title", "text", "pacing", "pacing_unknown", "pacing_not_table"),
    *("step_unknown", "missing", "point", "choice", "minutes", "timing", "aliases", "long_name"),
]
BAD_NUMBERS = [0, -1, 1e9, math.nan, math.inf, "ten", True, [1]]


@st.composite
def faults(draw: st.DrawFn, doc: Doc) -> tuple[str, Any, str]:
    i = draw(st.integers(0, len(doc.steps) - 1))
    step = doc.steps[i]
    kind = draw(st.sampled_from(FAULT_KINDS))
    if kind == "top_unknown":
        return "colour", "red", "colour"
    if kind == "title":
        return "title", draw(st.sampled_from([None, "", "  <b></b> ", 5, ["T"], True])), "title"
    if kind == "text":
        key = draw(st.sampled_from(["description", "opening", "closing"]))
        return key, draw(st.sampled_from([f"a{chr(7)}b", "x" * 2001, 1.5])), key
    if kind == "pacing":
        key = draw(st.sampled_from(sorted(k for k in KNOBS if isinstance(KNOBS[k].parse, Range) or k in PER_POINT)))
        return f"pacing.{key}", draw(st.sampled_from([-5, 1e9, math.nan, "fast", True])), f"pacing.{key}"
    if kind == "pacing_unknown":
        return "pacing.tempo", 1, "pacing.tempo"
    if kind == "pacing_not_table":
        return "pacing", draw(st.sampled_from([5, "brisk", [1]])), "pacing"
    here = f"steps[{i}]"
    if kind == "step_unknown":
        return f"{here}.pressure", 3, f"{here}.pressure"
    if kind == "missing":
        key = draw(st.sampled_from(["point", "technique", "minutes", "sides"]))
        return f"{here}.{key}", None, f"{here}.{key}"
    if kind == "point":
        return f"{here}.point", draw(st.sampled_from(["XX3", "LR99", "LR", 3, ""])), f"{here}.point"
    if kind == "choice":
        key = draw(st.sampled_from(["technique", "sides"]))
        return f"{here}.{key}", draw(st.sampled_from(["squeeze", "LEFT", 1])), f"{here}.{key}"
    if kind == "minutes":
        return f"{here}.minutes", draw(st.sampled_from(BAD_NUMBERS)), f"{here}.minutes"
    if kind == "timing":
        key = draw(st.sampled_from(["press", "release"]))
        value = draw(st.sampled_from(BAD_NUMBERS)) if step["technique"] == "cycles" else 3
        return f"{here}.{key}", value, f"{here}.{key}"
    if kind == "aliases":
        return f"{here}.aliases", draw(st.sampled_from(["Tai Chong", [1], [["x"]]])), f"{here}.aliases"
    return f"{here}.name", "n" * 201, f"{here}.name"


def apply(doc: Doc, where: str, value: Any) -> Doc:
    """The doc with ``where`` set to ``value`` (None removes it)."""
    top = dict(doc.top)
    steps_ = [dict(s) for s in doc.steps]
    head, _, key = where.partition(".")
    if head.startswith("steps["):
        table = steps_[int(head[6:-1])]
    elif key:  # pacing.KEY
        table = top["pacing"] = dict(top.get("pacing", {}))
    else:
        table, key = top, head
    if value is None:
        table.pop(key, None)
    else:
        table[key] = value
    return Doc(top, steps_, doc.points)


# Writing a Doc as TOML, in the forms TOML allows, remembering the line of every key and table.
@dataclass
class Style:
    pacing: str  # "table", "inline" or "dotted"
    quote: bool  # "minutes" = 1 instead of minutes = 1
    multiline: bool  # text with line breaks as """...""" (else as "...\n...")
    filler: str  # a line written between entries: blank, a comment


styles = st.builds(
    Style,
    st.sampled_from(["table", "inline", "dotted"]),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["", "\n", "# a comment\n", "#[[steps]]\n"]),
)


def write(doc: Doc, style: Style) -> tuple[str, dict[str, int]]:
    """TOML text for ``doc`` and the line of each key ("title", "pacing.rate", "steps[0]", "steps[0].minutes")."""
    out: list[str] = []
    at: dict[str, int] = {}

    def emit(text: str, name: str | None = None) -> None:
        if name is not None:
            at[name] = sum(chunk.count("\n") for chunk in out) + 1
        out.append(text)

    def key(name: str) -> str:
        return json.dumps(name) if style.quote else name

    def value(v: Any) -> str:
        if isinstance(v, str) and "\n" in v and style.multiline:
            # Every quote and backslash escaped, so no line inside holds a closing """.
            return '"""\n' + "\n".join(json.dumps(part, ensure_ascii=False)[1:-1] for part in v.split("\n")) + '"""'
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)  # raw UTF-8: TOML takes no surrogate-pair escapes
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return toml_value(v)

    pacing = doc.top.get("pacing")
    for name, v in doc.top.items():
        if name == "pacing" and isinstance(v, dict):
            if style.pacing == "inline":
                inline = ", ".join(f"{key(k)} = {toml_value(x)}" for k, x in v.items())
                emit(f"{key(name)} = {{{inline}}}\n", name)
                at.update({f"pacing.{k}": at[name] for k in v})
            elif style.pacing == "dotted":
                for k, x in v.items():
                    emit(f"{key('pacing')}.{key(k)} = {toml_value(x)}\n", f"pacing.{k}")
        else:
            emit(f"{key(name)} = {value(v)}\n", name)
        emit(style.filler)
    if isinstance(pacing, dict) and style.pacing == "table":
        emit(f"[{key('pacing')}]\n", "pacing")
        for k, x in pacing.items():
            emit(f"{key(k)} = {toml_value(x)}\n", f"pacing.{k}")
    for i, step in enumerate(doc.steps):
        emit(style.filler)
        emit(f"[[{key('steps')}]]\n", f"steps[{i}]")
        for k, v in step.items():
            emit(f"{key(k)} = {value(v)}\n", f"steps[{i}].{k}")
    return "".join(out), at


@dataclass
class Case:
    """A generated routine file and what parsing it must give."""

    data: bytes
    doc: Doc | None = None
    """Set when the file is well formed: the routine it must parse into."""
    error: tuple[int, str] | None = None
    """Set when the file has one known fault: the line and field its error must name."""


def damage(draw: st.DrawFn, data: bytes) -> bytes:
    how = draw(st.sampled_from(["flip", "cut", "insert", "garbage", "deep", "empty"]))
    if how == "flip" and data:
        at = draw(st.integers(0, len(data) - 1))
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    if how == "cut":
        return data[: draw(st.integers(0, len(data)))]
    if how == "insert":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=20)) + data[at:]
    if how == "garbage":
        return draw(st.binary(max_size=300))
    if how == "deep":
        depth = draw(st.integers(10, 3000))
        return b"title = " + b"[" * depth + b"1" + b"]" * depth + b"\n"
    return b""


arbitrary_steps = st.lists(
    st.dictionaries(st.sampled_from([*sorted(STEP_KEYS), "bogus"]), values, max_size=11), max_size=4
)
arbitrary_top = st.dictionaries(st.sampled_from([*sorted(TOP_KEYS - {"steps"}), "extra"]), values, max_size=5)


@st.composite
def routine_files(draw: st.DrawFn) -> Case:
    """Well-formed routines (5 in 10), one known fault (3 in 10), damaged bytes, or arbitrary keys and values."""
    mode = draw(st.sampled_from(["valid"] * 5 + ["fault"] * 3 + ["damaged", "arbitrary"]))
    if mode == "arbitrary":
        text = "".join(f"{k} = {toml_value(v)}\n" for k, v in draw(arbitrary_top).items())
        for step in draw(arbitrary_steps):
            text += "\n[[steps]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in step.items())
        data = text.encode()
        return Case(damage(draw, data) if draw(st.booleans()) else data)
    doc, style = draw(routines()), draw(styles)
    if mode == "fault":
        where, value, name = draw(faults(doc))
        doc = apply(doc, where, value)
        text, at = write(doc, style)
        table = where.split(".")[0] if where.startswith("steps[") else None
        line = at.get(where) or (at[table] if table else 1)
        return Case(text.encode(), error=(line, name))
    text, _ = write(doc, style)
    if mode == "damaged":
        return Case(damage(draw, text.encode()))
    return Case(text.encode(), doc=doc)

"""Numbers as words, and which plural form a count takes, from CLDR's rules (unicode-rbnf keeps them).

Nothing here is written per language: a catalogue names the CLDR rule set a phrase needs (``{n}`` says the
number as when counting; ``{n:spellout-cardinal-feminine}`` agrees with a feminine noun; Chinese
``{n:spellout-cardinal-alternate2}`` says 两 before a measure word), and CLDR does the rest.

What CLDR answered is remembered in the cache folder (``numbers-<tag>.json``, checked against the library's
files): loading unicode-rbnf and a language's rules costs ~100 ms (its import reads package metadata), and
a session says the same few numbers every time.
"""

from __future__ import annotations

import atexit
import json
import re
from functools import lru_cache
from typing import Any, Final

DEFAULT_RULESET: Final = "spellout-numbering"
"""The rule set every CLDR language has: the number as when counting ("eins", "uno", "一")."""
_DIGITS: Final = re.compile(r"\d+(?:\.\d+)?")


def _cldr(tag: str) -> str:
    # CLDR names a language and region with an underscore (pt_BR); its files exist for the language alone.
    return tag.split("-")[0]


@lru_cache(maxsize=16)
def _engine(tag: str) -> Any:
    from unicode_rbnf import RbnfEngine

    return RbnfEngine.for_language(_cldr(tag))


def rulesets(tag: str) -> set[str]:
    """The spell-out rule sets CLDR has for a language (what a catalogue may name after ``{n:``)."""
    return set(_engine(tag).format_number(1).text_by_ruleset) | set(
        _engine(tag).format_number(1, _ordinal()).text_by_ruleset
    )


def _ordinal() -> Any:
    from unicode_rbnf import FormatPurpose

    return FormatPurpose.ORDINAL


_memos: dict[str, dict[str, Any]] = {}
_unsaved: set[str] = set()


def _memo(tag: str) -> dict[str, Any]:
    if tag not in _memos:
        _memos[tag] = {"stamp": _stamp(tag), "said": {}}
        try:
            kept = json.loads(_memo_path(tag).read_text(encoding="utf-8"))
            if kept["stamp"] == _memos[tag]["stamp"] and isinstance(kept["said"], dict):
                _memos[tag] = kept
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return _memos[tag]


def _memo_path(tag: str) -> Any:
    from ..paths import cache_dir

    return cache_dir() / f"numbers-{tag}.json"


def _stamp(tag: str) -> list[int]:
    # The library's code and the language's rules, as files: an upgrade changes them (found without importing).
    import os
    from importlib.util import find_spec

    spec = find_spec("unicode_rbnf")
    folder = os.path.dirname(spec.origin) if spec is not None and spec.origin else ""
    stamp: list[int] = []
    for name in ("engine.py", "plural_rules.py", os.path.join("rbnf", f"{_cldr(tag)}.xml")):
        try:
            info = os.stat(os.path.join(folder, name))
            stamp += [info.st_size, info.st_mtime_ns]
        except OSError:
            stamp += [0, 0]
    return stamp


def _remembered(tag: str, key: str, work: Any) -> str:
    said = _memo(tag)["said"]
    if key not in said:
        said[key] = work()
        if not _unsaved:
            atexit.register(_save)
        _unsaved.add(tag)
    return str(said[key])


def _save() -> None:
    from ..paths import atomic_write

    for tag in sorted(_unsaved):
        try:
            atomic_write(_memo_path(tag), json.dumps(_memos[tag], ensure_ascii=False))
        except OSError:
            pass  # only a speed-up
    _unsaved.clear()


def spell(number: int | float, tag: str, ruleset: str = "") -> str:
    """``number`` in words in language ``tag``, by the CLDR rule set named (default: counting)."""
    ruleset = ruleset or DEFAULT_RULESET
    return _remembered(tag, f"{ruleset}|{number!r}", lambda: _spell(number, tag, ruleset))


def _spell(number: int | float, tag: str, ruleset: str) -> str:
    engine = _engine(tag)
    purpose = _ordinal() if "ordinal" in ruleset else None
    said = engine.format_number(number, purpose).text_by_ruleset
    words = said.get(ruleset)
    if not words and isinstance(number, float) and said:
        words = next(iter(said.values()))  # some rule sets count whole numbers only; a fraction takes another
    if not words:
        raise KeyError(f"CLDR has no rule set {ruleset!r} for {tag!r}; it has {', '.join(sorted(rulesets(tag)))}")
    return str(words)


def spell_digits(text: str, tag: str) -> str:
    """``text`` with every number written in digits said in words ("Liver 3" -> "Liver three"): what a
    voice is given never holds a digit, so no engine reads one in another language's way."""
    if not any(c.isdigit() for c in text):
        return text
    return _DIGITS.sub(lambda m: _said_number(m.group(), tag), text)


LONGEST_NUMBER: Final = 12
"""Digits of the longest number said as one (CLDR's rules stop near 10**18); a longer run of digits in a
routine's text (a serial, a phone number) is said digit by digit."""


def _said_number(digits: str, tag: str) -> str:
    if sum(c.isdigit() for c in digits) > LONGEST_NUMBER:
        return " ".join(spell(int(c), tag) for c in digits if c.isdigit())
    return spell(float(digits) if "." in digits else int(digits), tag)


def plural(number: int | float, tag: str) -> str:
    """The CLDR plural category of a count in a language: "one", "other" (and "few", "many"… where it has them)."""
    return _remembered(tag, f"plural|{number!r}", lambda: _plural(number, tag))


def _plural(number: int | float, tag: str) -> str:
    from unicode_rbnf.plural_rules import PluralType, get_plural_category

    return str(get_plural_category(tag.replace("-", "_"), number, PluralType.CARDINAL))

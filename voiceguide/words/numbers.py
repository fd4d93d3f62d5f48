"""Numbers as words, and which plural form a count takes, from CLDR's rules (unicode-rbnf keeps them).

Nothing here is written per language: a catalogue names the CLDR rule set a phrase needs (``{n}`` says the
number as when counting; ``{n:spellout-cardinal-feminine}`` agrees with a feminine noun; Chinese
``{n:spellout-cardinal-alternate2}`` says 两 before a measure word), and CLDR does the rest.
"""

from __future__ import annotations

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


@lru_cache(maxsize=512)
def spell(number: int | float, tag: str, ruleset: str = "") -> str:
    """``number`` in words in language ``tag``, by the CLDR rule set named (default: counting)."""
    engine = _engine(tag)
    ruleset = ruleset or DEFAULT_RULESET
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
    return _DIGITS.sub(lambda m: spell(float(m.group()) if "." in m.group() else int(m.group()), tag), text)


@lru_cache(maxsize=512)
def plural(number: int, tag: str) -> str:
    """The CLDR plural category of a count in a language: "one", "other" (and "few", "many"… where it has them)."""
    from unicode_rbnf.plural_rules import PluralType, get_plural_category

    return str(get_plural_category(tag.replace("-", "_"), number, PluralType.CARDINAL))

"""One catalogue per language: every sentence the program itself says, read from ``words/<tag>.toml``.

A catalogue is data a translator writes (see the README, "Add a language"): a ``[language]`` table (its own
name, ISO 639-2 code for file tags, espeak-ng voice), a ``[phrases]`` table with a key per phrase, and an
optional ``[pronounce]`` table of respellings for that language's voice, and a ``[labels]`` table of words
that are shown, never said (the chart and the printed guide: digits allowed, ``{placeholders}`` filled as
they are). A phrase is text with
``{placeholders}``: a number placeholder is said in words by CLDR's rules (``{n}``, or ``{n:RULESET}`` for
gender and measure words); a phrase that depends on a count is a table of CLDR plural forms
(``{ one = "…", other = "…" }``, chosen by ``n``); a list holds alternatives said in turn.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Final

from ..errors import RoutineError
from .numbers import plural, spell, spell_digits

SOURCE: Final = "en"
"""The catalogue every other one translates: it has every key."""
Phrase = str | Mapping[str, str] | list[str]


class _Spoken(string.Formatter):
    """str.format with numbers said in words (the format spec names the CLDR rule set)."""

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return spell(value, self.tag, format_spec)
        return spell_digits(format(value, format_spec), self.tag)


@dataclass(frozen=True)
class Words:
    """A language's catalogue: what the program says in it, and how that language is tagged and voiced."""

    tag: str
    """BCP 47 tag, as the file is named: "en", "de", "pt-BR", "zh"."""
    name: str
    """The language's own name ("Deutsch")."""
    english: str
    """Its name in English ("German"), for messages."""
    iso639_2: str
    """Three-letter code for file tags (MP4, ID3): "deu"."""
    voice: str
    """The espeak-ng voice that speaks it by default ("gmw/de")."""
    phrases: Mapping[str, Phrase]
    joiner: str = " "
    """Put between sentences said as one cue ("" in Chinese, which writes no space after a full stop)."""
    pronounce: Mapping[str, str] = field(default_factory=dict)
    """Respellings for this language's voice (see speech/pronounce.py)."""
    labels: Mapping[str, Phrase] = field(default_factory=dict)
    """Words shown on the chart and in the guide, never said (see ``shown``)."""
    _said: dict[tuple[Any, ...], str] = field(default_factory=dict, repr=False, compare=False)

    def say(self, key: str, n: int | float | None = None, **values: Any) -> str:
        """The phrase ``key`` with its placeholders filled (``n``: the count that picks a plural form and
        fills ``{n}``), numbers in words, its first letter a capital."""
        # A session says the same cues over and over, and is laid out several times: each text is made once.
        memo = (key, n, *sorted(values.items()))
        if memo not in self._said:
            self._said[memo] = self._say(key, n, **values)
        return self._said[memo]

    def _say(self, key: str, n: int | float | None, **values: Any) -> str:
        phrase = self._phrase(key)
        if isinstance(phrase, list):
            raise TypeError(f"phrase {key!r} is a list of alternatives; use alternative()")
        if not isinstance(phrase, str):
            count = 0 if n is None else int(n) if float(n).is_integer() else n
            phrase = phrase.get(plural(count, self.tag)) or phrase["other"]
        text = _Spoken(self.tag).format(phrase, **values, **({} if n is None else {"n": n}))
        return text[:1].upper() + text[1:]

    def label(self, key: str) -> str:
        """A phrase that is shown, not said (a chapter title), exactly as the catalogue writes it."""
        return str(self._phrase(key))

    def shown(self, key: str, n: int | float | None = None, **values: Any) -> str:
        """The ``[labels]`` entry ``key`` with its placeholders filled as they are (digits stay digits);
        a table of plural forms is chosen by ``n``, which also fills ``{n}``."""
        label = self.labels.get(key) or catalogue(SOURCE).labels[key]
        if isinstance(label, list):
            raise TypeError(f"label {key!r} is a list; a label has one text")
        if not isinstance(label, str):
            count = 0 if n is None else int(n) if float(n).is_integer() else n
            label = label.get(plural(count, self.tag)) or label["other"]
        return label.format(**values, **({} if n is None else {"n": n}))

    def alternative(self, key: str, index: int) -> str:
        """The ``index``-th of a phrase's alternatives (they take turns)."""
        phrase = self._phrase(key)
        options = phrase if isinstance(phrase, list) else [phrase]
        return str(options[index % len(options)])

    def spoken(self, text: str) -> str:
        """A routine's own text as it is said: numbers in words."""
        return spell_digits(text, self.tag)

    def join(self, *sentences: str) -> str:
        """Sentences said as one cue."""
        return self.joiner.join(s for s in sentences if s)

    def _phrase(self, key: str) -> Phrase:
        if key in self.phrases:
            return self.phrases[key]
        # A phrase added to the program but not yet translated: said in the source language rather than
        # not at all (tests/test_words.py fails until every catalogue has it).
        return catalogue(SOURCE).phrases[key]


def languages() -> list[str]:
    """The tags of every catalogue shipped, English first."""
    folder = resources.files("voiceguide") / "words"
    tags = sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))
    return sorted(tags, key=lambda tag: tag != SOURCE)


@lru_cache(maxsize=16)
def catalogue(tag: str) -> Words:
    """The catalogue of language ``tag`` (as ``languages()`` names it); a broken one is a RoutineError."""
    where = f"voiceguide/words/{tag}.toml"
    try:
        doc = tomllib.loads((resources.files("voiceguide") / "words" / f"{tag}.toml").read_text(encoding="utf-8"))
    except FileNotFoundError:
        known = ", ".join(languages())
        raise RoutineError(tag, None, None, f"no catalogue for this language; there are: {known}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RoutineError(where, None, None, f"is not valid TOML: {exc}") from None
    about = doc.get("language", {})
    try:
        return Words(
            tag=tag,
            name=str(about["name"]),
            english=str(about["english"]),
            iso639_2=str(about["iso639_2"]),
            voice=str(about["voice"]),
            phrases=dict(doc["phrases"]),
            joiner=str(about.get("joiner", " ")),
            pronounce={str(k): str(v) for k, v in doc.get("pronounce", {}).items()},
            labels=dict(doc.get("labels", {})),
        )
    except KeyError as exc:
        raise RoutineError(where, None, None, f"misses {exc.args[0]!r}") from None

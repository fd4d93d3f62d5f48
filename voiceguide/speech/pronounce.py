"""Say names right: respellings applied to the text an engine speaks (never to captions, chapters or the display).

Both engines read English through espeak-ng's rules (Piper phonemizes with espeak-ng too), which read
pinyin as English: "Yong Quan" comes out /jɑːŋ kwɔn/ ("yahng kwon"). A respelling in plain English
letters gives both engines the Mandarin-like sound; each was checked with ``espeak-ng -q --ipa`` (en and
en-us) and with the Piper voice's phonemizer:

    Tai Chong  -> Tie Choong      tˈaɪ tʃˈuːŋ        (was tʃˈɑːŋ)
    Zhong Feng -> Joong Fung      dʒˈuːŋ fˈʌŋ        (was ʒˈɑːŋ fˈɛŋ)
    Gong Sun   -> Goong Swun      ɡˈuːŋ swˈʌn        (was ɡˈɔŋ sˈʌn)
    Tai Bai    -> Tie Buy         tˈaɪ bˈaɪ          (already right; kept so the names stay paired)
    Zhao Hai   -> Jow High        dʒˈaʊ hˈaɪ         (was ʒˈaʊ)
    Yong Quan  -> Yoong Choo-wen  jˈuːŋ tʃˈuːwˈɛn    (was jˈɑːŋ kwˈɔn; "chwen" is spelled out as C-H-wen)

Syllables that are English words (Sun, Gong, Tai, Bai, Hai, Feng) are only respelled inside the two-word
names, so "the sun" stays the sun; the others are also respelled on their own, for other aliases.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from typing import Final

DEFAULT_TABLE: Final[Mapping[str, str]] = {
    "Tai Chong": "Tie Choong",
    "Zhong Feng": "Joong Fung",
    "Gong Sun": "Goong Swun",
    "Tai Bai": "Tie Buy",
    "Zhao Hai": "Jow High",
    "Yong Quan": "Yoong Choo-wen",
    "Chong": "Choong",
    "Zhong": "Joong",
    "Zhao": "Jow",
    "Yong": "Yoong",
    "Quan": "Choo-wen",
}
"""Word or name -> respelling, for the built-in routine's pinyin names. A routine's ``[pronounce]``
table is merged over it (see ``merged``)."""


def _fold(char: str) -> str:
    """One character without its accents (ō -> o, ǚ -> u): the same length, so spans map back."""
    base = unicodedata.normalize("NFD", char)[:1]
    return base if len(base) == 1 else char


def _folded(text: str) -> str:
    return "".join(_fold(c) for c in text)


def _written_without_spaces(char: str) -> bool:
    # Chinese and Japanese run their words together: a key there matches inside a longer run of characters.
    return "\u3040" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


@lru_cache(maxsize=64)
def _pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    # Longest first, so "Tai Chong" wins over "Chong"; words of a name may be split by any whitespace; a key
    # matches whole words only (except at an edge written without spaces).
    alternatives = [
        ("" if _written_without_spaces(key[0]) else r"(?<![\w'’-])")
        + r"\s+".join(map(re.escape, key.split()))
        + ("" if _written_without_spaces(key[-1]) else r"(?![\w-])")
        for key in sorted(keys, key=len, reverse=True)
    ]
    return re.compile("(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


def merged(routine_table: Mapping[str, str] | None, language: str = "en") -> dict[str, str]:
    """The language's table (English: DEFAULT_TABLE; others: their catalogue's ``[pronounce]``, as respellings
    are written for one language's letter rules) with a routine's own entries on top (a routine's entry wins,
    any case)."""
    if language == "en":
        table = dict(DEFAULT_TABLE)
    else:
        from ..words import catalogue

        table = dict(catalogue(language).pronounce)
    for word, respelling in (routine_table or {}).items():
        for existing in [k for k in table if k.lower() == word.lower()]:
            del table[existing]
        table[word] = respelling
    return table


def respell(text: str, table: Mapping[str, str] | None = None) -> str:
    """``text`` with every whole word or name in ``table`` (default: DEFAULT_TABLE) replaced by its respelling.

    Matching ignores case and accents (Tai Chōng matches Tai Chong); punctuation and the text around
    a match are kept; a respelling starts with a capital exactly when the word it replaces did; a possessive
    's stays.
    """
    table = DEFAULT_TABLE if table is None else table
    by_key = {" ".join(_folded(k).lower().split()): v for k, v in table.items() if k.split()}
    if not by_key or not text:
        return text
    keys = tuple(by_key)
    folded = _folded(text)
    out: list[str] = []
    last = 0
    for match in _pattern(keys).finditer(folded):
        respelling = by_key[" ".join(match.group(0).lower().split())]
        if respelling:
            head = respelling[0].upper() if text[match.start()].isupper() else respelling[0].lower()
            respelling = head + respelling[1:]
        out.append(text[last : match.start()])
        out.append(respelling)
        last = match.end()
    out.append(text[last:])
    return "".join(out)

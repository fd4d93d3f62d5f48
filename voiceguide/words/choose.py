"""Which language: BCP 47 tags written one way, the system locale's language, the best of what exists."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Final

_TAG: Final = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
LOCALE_VARIABLES: Final = ("LC_ALL", "LC_MESSAGES", "LANG")
"""Where the system says its language, first set one wins (as POSIX reads them for messages)."""


def normalize(tag: str) -> str | None:
    """A BCP 47 tag written the usual way ("pt_br" -> "pt-BR", "ZH" -> "zh", "zh_hans" -> "zh-Hans");
    None when it is not a language tag at all."""
    tag = tag.strip()
    if not _TAG.match(tag):
        return None
    first, *rest = re.split(r"[-_]", tag)
    parts = [first.lower()]
    for part in rest:
        if len(part) == 2 and part.isalpha():
            parts.append(part.upper())  # a region
        elif len(part) == 4 and part.isalpha():
            parts.append(part.title())  # a script
        else:
            parts.append(part.lower())
    return "-".join(parts)


def system_language(environ: Mapping[str, str] | None = None) -> str | None:
    """The language the system's locale asks for ("de_DE.UTF-8" -> "de-DE"); None for C/POSIX or unset."""
    environ = os.environ if environ is None else environ
    value = next((environ[name] for name in LOCALE_VARIABLES if environ.get(name)), "")
    value = value.split(".")[0].split("@")[0]
    if value in ("", "C", "POSIX"):
        return None
    return normalize(value)


def best(wanted: str, available: Iterable[str]) -> str | None:
    """The available tag for ``wanted``: the same tag, else one of the same language ("pt-PT" -> "pt-BR",
    "de-AT" -> "de", "zh-TW" -> "zh"); None when the language is not there at all."""
    have = list(available)
    tag = normalize(wanted) or ""
    for candidate in have:
        if candidate.lower() == tag.lower():
            return candidate
    primary = tag.split("-")[0].lower()
    return next((c for c in have if c.split("-")[0].lower() == primary), None)

"""Standard acupoint codes (WHO meridian + number) and their common aliases."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from ..errors import VoiceguideError
from .suggest import close_match

# Meridian code -> (English name, number of points on it).
MERIDIANS: Final[dict[str, tuple[str, int]]] = {
    "LU": ("Lung", 11),
    "LI": ("Large Intestine", 20),
    "ST": ("Stomach", 45),
    "SP": ("Spleen", 21),
    "HT": ("Heart", 9),
    "SI": ("Small Intestine", 19),
    "BL": ("Bladder", 67),
    "KI": ("Kidney", 27),
    "PC": ("Pericardium", 9),
    "TE": ("Triple Energizer", 23),
    "GB": ("Gallbladder", 44),
    "LR": ("Liver", 14),
    "GV": ("Governing Vessel", 28),
    "CV": ("Conception Vessel", 24),
}

# Prefixes seen in books and articles, folded to upper case without spaces or dashes.
_PREFIX_ALIASES: Final[dict[str, str]] = {
    "LUNG": "LU",
    "L": "LU",
    "LARGEINTESTINE": "LI",
    "COLON": "LI",
    "STOMACH": "ST",
    "S": "ST",
    "SPLEEN": "SP",
    "HEART": "HT",
    "HE": "HT",
    "H": "HT",
    "SMALLINTESTINE": "SI",
    "BLADDER": "BL",
    "UB": "BL",
    "B": "BL",
    "KIDNEY": "KI",
    "KD": "KI",
    "K": "KI",
    "PERICARDIUM": "PC",
    "P": "PC",
    "TRIPLEENERGIZER": "TE",
    "TRIPLEWARMER": "TE",
    "SANJIAO": "TE",
    "SJ": "TE",
    "TW": "TE",
    "TB": "TE",
    "GALLBLADDER": "GB",
    "LIVER": "LR",
    "LV": "LR",
    "LIV": "LR",
    "LE": "LR",
    "GOVERNINGVESSEL": "GV",
    "DU": "GV",
    "CONCEPTIONVESSEL": "CV",
    "REN": "CV",
}

_CODE_RE: Final = re.compile(r"^\s*([A-Za-z][A-Za-z\s]*?)[\s\-_.]*(\d{1,3})\s*$")


class PointCodeError(VoiceguideError):
    """A point code is not a standard code nor a known alias."""


@dataclass(frozen=True, order=True)
class Point:
    """One acupoint: meridian code and number, e.g. LR 3."""

    meridian: str
    number: int

    @property
    def code(self) -> str:
        """The standard code, e.g. ``LR3``."""
        return f"{self.meridian}{self.number}"

    @property
    def meridian_name(self) -> str:
        """The meridian's English name, e.g. ``Liver``."""
        return MERIDIANS[self.meridian][0]


def parse_point(text: str) -> Point:
    """Parse a code or alias (``LR3``, ``Liv-3``, ``Liver 3``, ``KD-6``) into a Point."""
    match = _CODE_RE.match(text) if isinstance(text, str) else None
    if match is None:
        raise PointCodeError(f"{text!r} is not a point code; write a meridian and a number, e.g. LR3 or Liv-3")
    prefix = re.sub(r"[\s\-_.]", "", match.group(1)).upper()
    meridian = prefix if prefix in MERIDIANS else _PREFIX_ALIASES.get(prefix)
    number = int(match.group(2))
    if meridian is None:
        known = ", ".join(MERIDIANS)
        near = close_match(prefix.lower(), [name.lower() for name in (*MERIDIANS, *_PREFIX_ALIASES)])
        hint = f"did you mean {_standard(near.upper())}{number}? " if near else ""
        raise PointCodeError(f"{text!r}: unknown meridian {match.group(1)!r}; {hint}known: {known}")
    name, count = MERIDIANS[meridian]
    if not 1 <= number <= count:
        raise PointCodeError(f"{text!r}: the {name} meridian has points 1 to {count}")
    return Point(meridian, number)


def _standard(prefix: str) -> str:
    return prefix if prefix in MERIDIANS else _PREFIX_ALIASES[prefix]


def parse_point_list(text: str) -> tuple[Point, ...]:
    """Parse a comma-separated list of codes (``SP-4,KD-6``)."""
    parts = [part for part in (p.strip() for p in text.split(",")) if part]
    if not parts:
        raise PointCodeError("expected one or more point codes separated by commas, e.g. SP-4,KD-6")
    return tuple(parse_point(part) for part in parts)

"""What is said during a long hold or warmth, so stillness never sounds like a stopped player (pure).

Three kinds of cue, all placed from the hold's first sample:
time-left marks every `announce` whole minutes; "Thirty seconds left." near the end of a long enough hold;
and gentle reminders wherever the quiet between two sounds would otherwise last longer than MAX_QUIET.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

from ..routine.library import Technique
from ..words import Words
from . import cues

MAX_QUIET: Final = 60.0
"""Seconds: no quiet inside a hold or warmth lasts longer than this."""
LAST_CALL: Final = 30.0
"""Seconds before a hold or warmth ends that "Thirty seconds left." is said."""
LAST_CALL_FROM: Final = 90.0
"""Seconds a hold or warmth (per side) must last for the last call: shorter ones end soon enough anyway."""


def announce_marks(seconds: float, announce: float) -> list[float]:
    """Remaining-time marks in seconds, largest first: every `announce` whole minutes before the end,
    none in the last half minute (pacing refuses fractions of a minute; this rounds them, as the cues say
    whole minutes)."""
    if announce <= 0:
        return []
    every = max(1, round(announce)) * 60
    count = math.ceil(seconds / every - 1e-9)
    return [every * m for m in range(count - 1, 0, -1) if every * m < seconds - LAST_CALL]


def hold_cues(
    words: Words,
    length: int,
    rate: int,
    technique: Technique,
    announce: float,
    measure: Callable[[str], int],
    lead: int = 0,
) -> list[tuple[int, str, str]]:
    """(sample offset from the hold's start, text, cue role) of everything said during a hold of `length`
    samples. `lead` is how long the sound at the hold's start lasts (the press tone of a hold)."""
    seconds = length / rate
    said = [
        (round((seconds - mark) * rate), cues.time_left(words, mark), "time-left")
        for mark in announce_marks(seconds, announce)
    ]
    if announce > 0 and seconds >= LAST_CALL_FROM:
        said.append((length - round(LAST_CALL * rate), cues.time_left(words, LAST_CALL), "time-left"))
    said.sort()
    reminders: list[tuple[int, str, str]] = []
    quiet_from = lead
    for start, text in [(at, text) for at, text, _ in said] + [(length, "")]:
        reminders += _fill(words, quiet_from, start, rate, technique, measure, len(reminders))
        quiet_from = start + (measure(text) if text else 0)
    return sorted(said + reminders)


def _fill(
    words: Words, begin: int, end: int, rate: int, technique: Technique, measure: Callable[[str], int], count: int
) -> list[tuple[int, str, str]]:
    # Reminders spread evenly through the quiet from `begin` to `end`, as few as keep each part under MAX_QUIET.
    limit = MAX_QUIET * rate
    texts: list[str] = []
    while True:
        lengths = [measure(t) for t in texts]
        quiet = (end - begin - sum(lengths)) / (len(texts) + 1)
        if quiet <= limit or quiet <= 0:
            break
        texts.append(cues.keep_going(words, technique, count + len(texts)))
    if not texts or quiet <= 0:
        return []
    placed, at = [], float(begin)
    for text, size in zip(texts, lengths, strict=True):
        at += quiet
        placed.append((round(at), text, "reminder"))
        at += size
    return placed

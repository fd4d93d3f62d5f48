"""How long a session is: guessed clip lengths, the one whole-minute figure, and its longest quiet."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from .events import Timeline

SPEECH_SPEED: Final = 4 / 3
"""How much faster than its nominal words per minute the speech engine talks (espeak-ng, measured on the
evening routine's cues: 0.30 s a word at 150 wpm, plus about 0.4 s of lead-in and tail per clip)."""


_RUN_TOGETHER: Final = re.compile(r"[\u3040-\u9fff\uf900-\ufaff\uff00-\uffef]")
"""Chinese (and Japanese) characters and full-width punctuation: each takes about as long as an English word
(espeak-ng cmn at 150 wpm: 14.8 s for a sentence of 49 characters, 7.5 s for 23)."""


def estimate_samples(text: str, words_per_minute: int, sample_rate: int) -> int:
    """A guess at a spoken clip's length, for planning before anything is synthesized."""
    words = len(_RUN_TOGETHER.sub(" ", text).split()) + len(_RUN_TOGETHER.findall(text))
    return round((words * 60 / (words_per_minute * SPEECH_SPEED) + 0.4) * sample_rate)


def session_minutes(timeline: Timeline) -> int:
    """The session's length in whole minutes, halves rounded up, at least one.

    The one figure every place gives: the voice ("It takes about N minutes."), `show`, and from
    `estimate` `list` and `validate`.
    """
    return max(1, math.floor(timeline.duration / 60 + 0.5))


def longest_quiet(timeline: Timeline) -> tuple[int, int]:
    """(first sample, length in samples) of the longest stretch where nothing sounds; (0, 0) if none."""
    best, at, sounding_until = 0, 0, 0
    for event in sorted(timeline.events, key=lambda e: e.start):
        if event.start - sounding_until > best:
            best, at = event.start - sounding_until, sounding_until
        sounding_until = max(sounding_until, event.end)
    if timeline.length - sounding_until > best:
        best, at = timeline.length - sounding_until, sounding_until
    return at, best

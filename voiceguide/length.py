"""How long a session is: guessed clip lengths, the one whole-minute figure, and its longest quiet."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from .events import Timeline

SPEECH_SPEED: Final = 4 / 3
"""How much faster than its nominal words per minute the speech engine talks (espeak-ng, measured on the
evening routine's cues: 0.30 s a word at 150 wpm, plus about 0.4 s of lead-in and tail per clip)."""


def estimate_samples(text: str, words_per_minute: int, sample_rate: int) -> int:
    """A guess at a spoken clip's length, for planning before anything is synthesized."""
    return round((len(text.split()) * 60 / (words_per_minute * SPEECH_SPEED) + 0.4) * sample_rate)


def session_minutes(timeline: Timeline) -> int:
    """The session's length in whole minutes, halves rounded up, at least one.

    The one figure every place gives: the voice ("It takes about N minutes."), `show`, and from
    `estimate` `list` and `validate`.
    """
    return max(1, math.floor(timeline.duration / 60 + 0.5))

"""Finishing a raw clip from any engine: trimmed, faded at the edges, levelled, peaks limited."""

from __future__ import annotations

from typing import Final

import numpy as np

from ..audio.limiter import LIMIT_WINDOW, limit
from ..audio.loudness import TARGET_LUFS, loudness
from ..audio.types import Audio

TRIM_LEVEL: Final = 10 ** (-50 / 20)
"""Amplitude (-50 dBFS) under which a clip's leading and trailing samples are trimmed as silence."""
EDGE_FADE: Final = 0.004
"""Seconds of fade at each end of a clip, so no clip starts or stops with a click."""
CLIP_CEILING: Final = 10 ** (-5 / 20)
"""Peak of a finished clip (-5 dBFS): room for the session gain (pauses and soft tones lower the
session's loudness below its clips', so it is lifted by 2 to 3 dB), which stops at -1 dBFS."""


PROCESSING: Final = f"finish-v6/{EDGE_FADE}/{CLIP_CEILING:.5f}/{LIMIT_WINDOW}/{TARGET_LUFS}"
"""Version and settings of finish_clip: part of the cache key, so a change re-synthesizes.
(v6: loudness measured with a 0.1 s K-weighting impulse, not 0.25 s.)"""


def finish_clip(audio: Audio, rate: int) -> Audio:
    """Trim leading/trailing silence, fade the edges, and level the clip to the target loudness."""
    loud = np.abs(audio) > TRIM_LEVEL
    if loud.any():  # (the first and last loud sample found without listing them all: 8 bytes a sample)
        audio = audio[int(np.argmax(loud)) : audio.size - int(np.argmax(loud[::-1]))]
    del loud
    audio = audio.astype(np.float32, copy=True)
    fade = min(round(EDGE_FADE * rate), audio.size // 2)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
        audio[:fade] *= ramp
        audio[-fade:] *= ramp[::-1]
    # Level to the target, limit the peaks that now stick out, and again: two rounds get within
    # half a dB, and the session gain (measured on the finished clips) sets the exact level.
    for _ in range(2):
        level = loudness(audio, rate)
        if not np.isfinite(level):
            break
        audio *= np.float32(10 ** ((TARGET_LUFS - level) / 20))  # our own copy: scaled in place
        audio = limit(audio, CLIP_CEILING, rate)
    return audio

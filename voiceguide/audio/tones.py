"""Tones drawn with numpy: press and release beeps, side-switch and point-done chimes, start and end bells."""

from __future__ import annotations

from functools import cache
from typing import Final

import numpy as np

from ..plan.timeline import TONE_SECONDS
from .loudness import TARGET_LUFS, loudness
from .types import Audio

TONE_LUFS: Final = TARGET_LUFS - 10.0
"""Tones sit 10 dB under the speech: clearly heard, never louder than the voice."""
ATTACK: Final = 0.012
"""Seconds of raised-cosine fade-in; with the fade-out this keeps every tone click-free."""
FADE_OUT: Final = 0.04

# (frequency ratios to the fundamental, relative amplitudes, decay time constants in seconds)
_BOWL: Final = ((1.0, 2.76, 5.40, 8.93), (1.0, 0.5, 0.25, 0.12), (1.6, 0.9, 0.5, 0.3))
TONE_PITCH: Final[dict[str, float]] = {
    "press": 880.0,  # A5
    "release": 440.0,  # A4: an octave below the press tone
    "switch": 659.25,  # E5, answered by B5 a fifth above
    "done": 783.99,  # G5, falling to C5 a fifth below: the switch chime's rise, answered
    "start": 220.0,
    "end": 196.0,
}


def _envelope(n: int, rate: int) -> np.ndarray:
    env = np.ones(n)
    attack = min(n // 2, round(ATTACK * rate))
    release = min(n // 2, round(FADE_OUT * rate))
    env[:attack] = 0.5 - 0.5 * np.cos(np.pi * np.arange(attack) / attack)
    env[n - release :] = 0.5 + 0.5 * np.cos(np.pi * np.arange(release) / release)
    return env


def _draw(name: str, rate: int) -> np.ndarray:
    n = round(TONE_SECONDS[name] * rate)
    t = np.arange(n) / rate
    f = TONE_PITCH[name]
    if name in ("press", "release"):
        wave = np.sin(2 * np.pi * f * t) + 0.15 * np.sin(2 * np.pi * 2 * f * t)
        wave *= np.exp(-t / (TONE_SECONDS[name] * 0.8))
    elif name in ("switch", "done"):
        # Two notes, the second 0.18 s after the first: a fifth up (switch sides) or down (point done).
        second = np.clip(t - 0.18, 0, None)
        ratio, decay = (1.5, 0.4) if name == "switch" else (2 / 3, 0.45)
        wave = np.sin(2 * np.pi * f * t) * np.exp(-t / 0.35) + (t >= 0.18) * np.sin(
            2 * np.pi * ratio * f * second
        ) * np.exp(-second / decay)
    else:
        ratios, amps, decays = _BOWL
        wave = sum(
            a * np.sin(2 * np.pi * f * r * t) * np.exp(-t / d) for r, a, d in zip(ratios, amps, decays, strict=True)
        )
    return wave * _envelope(n, rate)


_MADE: dict[tuple[str, int], Audio] = {}


def tone(name: str, rate: int) -> Audio:
    """The named tone at ``rate``, exactly TONE_SECONDS[name] long, at TONE_LUFS (made once per process)."""
    audio = _MADE.get((name, rate))
    if audio is None:
        audio = _MADE[(name, rate)] = draw_tone(name, rate)
    return audio


def draw_tone(name: str, rate: int) -> Audio:
    """The named tone, computed (tone() keeps it; the bells take ~15 ms each)."""
    if name not in TONE_SECONDS:
        raise KeyError(f"unknown tone {name!r}")
    wave = _draw(name, rate)
    level = loudness(wave.astype(np.float32), rate)
    wave *= 10 ** ((TONE_LUFS - level) / 20)
    audio = wave.astype(np.float32)
    audio.setflags(write=False)
    return audio


def keep_tone(name: str, rate: int, audio: Audio) -> None:
    """Hand tone() a tone made earlier (prepare.py keeps them in the clip cache, keyed by tone_code())."""
    if name not in TONE_SECONDS or audio.size != round(TONE_SECONDS[name] * rate):
        raise ValueError(f"not the {name!r} tone at {rate} Hz")
    audio.setflags(write=False)
    _MADE[(name, rate)] = audio


@cache
def tone_code() -> str:
    """A digest of the code that draws and levels the tones: a kept tone is valid only for the same code."""
    import hashlib
    from pathlib import Path

    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in ("tones.py", "loudness.py", "../plan/timeline.py"):
        try:
            digest.update((here / name).read_bytes())
        except OSError:  # no source beside the bytecode: never reuse a kept tone
            import os

            digest.update(os.urandom(16))
    return digest.hexdigest()

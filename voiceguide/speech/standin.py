"""A fast, deterministic stand-in engine for unit tests, and the reference for the engine contract
(speech/engine.py): tone bursts as long as speech would be, float32 mono at 22,050 Hz."""

from __future__ import annotations

import hashlib
from typing import Final

import numpy as np

from ..audio.types import Audio
from .engine import VoiceInfo

STANDIN_RATE: Final = 22050


class StandinEngine:
    """Makes a 'syllable' burst per word so that clips have speech-like length and loudness."""

    name = "standin-1"
    sample_rate = STANDIN_RATE

    def synthesize(self, text: str, *, voice: str | None, rate: int, volume: float) -> Audio:
        """A clip of about 60/rate seconds per word, seeded by the text (pure: safe from any thread). Any voice id
        is a voice of its own, with its own pitch and pace (so tests can change voices); None is the default."""
        words = max(1, len(text.split()))
        pace = 1.0 if voice is None else 0.8 + _seed(voice) % 41 / 100  # 0.8 to 1.2 times as long
        word = round(60 / rate * self.sample_rate * pace)
        seed = _seed(text if voice is None else f"{voice}\n{text}")
        freq = 120 + seed % 80
        t = np.arange(word, dtype=np.float64) / self.sample_rate
        envelope = np.sin(np.pi * np.arange(word) / word) ** 2
        burst = (0.5 * np.sin(2 * np.pi * freq * t) + 0.2 * np.sin(2 * np.pi * 3 * freq * t)) * envelope
        return (np.tile(burst, words) * volume).astype(np.float32)

    def voices(self) -> list[VoiceInfo]:
        """One voice, for tests of voice selection."""
        return [VoiceInfo("standin", "Stand-in", "en")]

    def close(self) -> None:
        """Nothing to release."""


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")

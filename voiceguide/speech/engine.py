"""The contract every speech engine keeps: text in, float32 mono samples out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeAlias

import numpy as np
import numpy.typing as npt

Audio: TypeAlias = npt.NDArray[np.float32]
"""Mono float32 samples in [-1, 1]."""


@dataclass(frozen=True)
class VoiceInfo:
    """One voice an engine offers."""

    id: str
    name: str
    language: str
    engine: str = ""
    """The engine that speaks it (e.g. ``piper``); empty for the default engine."""


class SpeechEngine(Protocol):
    """Turns text into samples. Implementations are imported lazily: they touch hardware or C libraries."""

    name: str
    """Engine and version, e.g. ``pyttsx3-2.99+espeak-ng-1.51``: part of every cache key."""
    sample_rate: int
    """Rate of every clip the engine returns."""

    def synthesize(self, text: str, *, voice: str | None, rate: int, volume: float) -> Audio:
        """Speak ``text`` at ``rate`` words per minute; never returns an empty clip."""
        ...

    def voices(self) -> list[VoiceInfo]:
        """The voices this engine can speak with."""
        ...

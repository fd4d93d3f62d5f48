"""The contract every speech engine keeps: text in, float32 mono samples out.

- ``synthesize`` returns a non-empty, finite, 1-D float32 array at the engine's ``sample_rate``
  (the session rate, 22,050 Hz; an engine whose voice speaks at another rate resamples). The
  ClipStore checks every clip where it enters (``audio.types.check_clip``) and refuses others.
- The same (text, voice, rate, volume) gives the same samples, in any process: clips are cached
  by those and the engine's ``name``, so ``name`` must change whenever the sound could.
- ``synthesize`` and ``voices`` may be called from several threads at once (the ClipStore's
  workers); an engine that can only do one thing at a time serialises them itself.
- ``close`` releases what the engine holds (temporary folders, models); calling it twice is fine.
- Every failure a user can cause or fix (engine missing, unknown voice, bad voice file) is a
  ``SpeechError`` with one line that says what to do.

``standin.StandinEngine`` is the smallest complete engine: read it as the reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Protocol

if TYPE_CHECKING:
    from ..audio.types import Audio

SESSION_RATE: Final = 22050
"""Samples per second of every clip an engine returns, and so of every session (timeline, render, export)."""


@dataclass(frozen=True)
class VoiceInfo:
    """One voice an engine offers."""

    id: str
    name: str
    language: str
    engine: str = ""
    """The registry name of the engine that speaks it (filled in by the registry)."""


class SpeechEngine(Protocol):
    """Turns text into samples. Implementations are imported lazily: they touch hardware or C libraries."""

    name: str
    """Engine, version and voice data identity, e.g. ``pyttsx3-2.99+espeak-ng-1.51``: part of every cache key."""
    sample_rate: int
    """Rate of every clip the engine returns."""

    def synthesize(self, text: str, *, voice: str | None, rate: int, volume: float) -> Audio:
        """Speak ``text`` at ``rate`` words per minute and ``volume`` (0 to 1); never returns an empty clip."""
        ...

    def voices(self) -> list[VoiceInfo]:
        """The voices this engine can speak with."""
        ...

    def close(self) -> None:
        """Release what the engine holds; it may not be used afterwards."""
        ...

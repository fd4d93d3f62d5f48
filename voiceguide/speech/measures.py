"""What a session's loudness and headroom need of each clip: its energy profile and its peak, kept by text."""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from ..audio.types import Audio


class Measures:
    """The profile and peak of each clip a store gives (a mixin of ClipStore: it brings ``get`` and
    ``sample_rate``)."""

    sample_rate: int
    _lock: threading.Lock
    get: Callable[[str], Audio]

    def __init__(self) -> None:
        self._profiles: dict[str, np.ndarray] = {}  # energy profiles, by text (1/24 of a clip's bytes)
        self._peaks: dict[str, float] = {}

    def _measure(self, text: str, clip: Audio) -> None:
        from ..audio.loudness import energy_profile

        profile, peak = energy_profile(clip, self.sample_rate), float(np.max(np.abs(clip), initial=0.0))
        with self._lock:
            self._profiles[text], self._peaks[text] = profile, peak

    def profile(self, text: str) -> np.ndarray:
        """The energy profile of the clip for ``text`` (audio.loudness.energy_profile): what measuring a
        session's loudness needs of it."""
        return self._measures(text)[0]

    def peak(self, text: str) -> float:
        """The loudest sample of the clip for ``text``."""
        return self._measures(text)[1]

    def _measures(self, text: str) -> tuple[np.ndarray, float]:
        # A clip made here was measured by its worker as it was made; another is read once for both.
        with self._lock:
            if text in self._profiles:
                return self._profiles[text], self._peaks[text]
        clip = self.get(text)
        with self._lock:
            if text in self._profiles:
                return self._profiles[text], self._peaks[text]
        self._measure(text, clip)
        with self._lock:
            return self._profiles[text], self._peaks[text]

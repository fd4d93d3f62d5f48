"""Loudness after ITU-R BS.1770: K-weighting and gated integrated loudness, measured as a stream.

pyloudnorm measures whole arrays; a session is rendered block by block and never held in
memory, so this meter keeps only one mean square per 100 ms (a 2-hour session: 72,000 floats).
The tests check it against pyloudnorm.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
from scipy import signal

from .speech.engine import Audio

TARGET_LUFS: Final = -16.0
PEAK_CEILING: Final = 10 ** (-1.0 / 20)
"""-1 dBFS: no exported sample goes above this."""


def k_weighting(rate: int) -> np.ndarray:
    """Second-order sections of the BS.1770 K-weighting filter at ``rate``."""
    # Stage 1: high shelf, +4 dB above ~1.5 kHz (head effects).
    gain, q, fc = 4.0, 1 / math.sqrt(2), 1500.0
    a_ = 10 ** (gain / 40)
    w0 = 2 * math.pi * fc / rate
    alpha = math.sin(w0) / (2 * q)
    cos = math.cos(w0)
    shelf_b = [
        a_ * ((a_ + 1) + (a_ - 1) * cos + 2 * math.sqrt(a_) * alpha),
        -2 * a_ * ((a_ - 1) + (a_ + 1) * cos),
        a_ * ((a_ + 1) + (a_ - 1) * cos - 2 * math.sqrt(a_) * alpha),
    ]
    shelf_a = [
        (a_ + 1) - (a_ - 1) * cos + 2 * math.sqrt(a_) * alpha,
        2 * ((a_ - 1) - (a_ + 1) * cos),
        (a_ + 1) - (a_ - 1) * cos - 2 * math.sqrt(a_) * alpha,
    ]
    # Stage 2: RLB high-pass at 38 Hz.
    q, fc = 0.5, 38.0
    w0 = 2 * math.pi * fc / rate
    alpha = math.sin(w0) / (2 * q)
    cos = math.cos(w0)
    hp_b = [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2]
    hp_a = [1 + alpha, -2 * cos, 1 - alpha]
    sos = np.array([[*shelf_b, *shelf_a], [*hp_b, *hp_a]], dtype=np.float64)
    sos[:, :3] /= sos[:, 3:4]
    sos[:, 3:] /= sos[:, 3:4]
    return sos


class LoudnessMeter:
    """Integrated loudness (LUFS) and peak of mono audio fed in blocks of any size."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.hop = round(rate * 0.1)
        self._sos = k_weighting(rate)
        self._zi = np.zeros((self._sos.shape[0], 2))
        self._hops: list[float] = []
        self._partial = 0.0
        self._filled = 0
        self.peak = 0.0

    def feed(self, block: Audio) -> None:
        """Add the next samples."""
        if block.size == 0:
            return
        self.peak = max(self.peak, float(np.max(np.abs(block))))
        weighted, self._zi = signal.sosfilt(self._sos, block.astype(np.float64), zi=self._zi)
        squares = weighted * weighted
        pos = 0
        while pos < squares.size:
            take = min(self.hop - self._filled, squares.size - pos)
            self._partial += float(np.sum(squares[pos : pos + take]))
            self._filled += take
            pos += take
            if self._filled == self.hop:
                self._hops.append(self._partial)
                self._partial, self._filled = 0.0, 0

    def integrated(self) -> float:
        """Gated integrated loudness in LUFS (-inf for silence or under 400 ms)."""
        hops = np.asarray(self._hops)
        if hops.size < 4:
            return -math.inf
        blocks = (hops[:-3] + hops[1:-2] + hops[2:-1] + hops[3:]) / (4 * self.hop)
        with np.errstate(divide="ignore"):
            levels = -0.691 + 10 * np.log10(blocks)
        kept = blocks[levels > -70.0]
        if kept.size == 0:
            return -math.inf
        relative = -0.691 + 10 * math.log10(float(np.mean(kept))) - 10.0
        kept = blocks[(levels > -70.0) & (levels > relative)]
        return -0.691 + 10 * math.log10(float(np.mean(kept)))


def loudness(audio: Audio, rate: int) -> float:
    """Integrated loudness of a whole clip; clips under 400 ms are measured ungated."""
    meter = LoudnessMeter(rate)
    meter.feed(audio)
    if audio.size >= 4 * meter.hop:
        return meter.integrated()
    weighted = signal.sosfilt(k_weighting(rate), audio.astype(np.float64))
    power = float(np.mean(weighted * weighted)) if weighted.size else 0.0
    return -0.691 + 10 * math.log10(power) if power > 0 else -math.inf


def gain_to(target_lufs: float, measured_lufs: float, peak: float) -> float:
    """Linear gain that brings ``measured_lufs`` to the target without a peak above -1 dBFS."""
    if not math.isfinite(measured_lufs) or peak <= 0:
        return 1.0
    gain = 10 ** ((target_lufs - measured_lufs) / 20)
    return min(gain, PEAK_CEILING / peak)

"""Loudness after ITU-R BS.1770 (K-weighting, 400 ms blocks, gating), without SciPy.

scipy.signal alone would add ~75 MB to the process (more than the whole export may use),
so the K-weighting filter runs as its impulse response, truncated at a fixed TAIL_SECONDS (0.1 s,
by which the response has decayed below 1e-10 of its energy), applied by FFT. A session is never rendered to
measure it: its K-weighted energy per 100 ms is the sum of its events' (speech never overlaps tones), taken from
each clip's energy profile (made once, when the clip is), so the export gain is known before the first block
is written. Tests check both against pyloudnorm.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from functools import lru_cache
from typing import Any, Final

import numpy as np

from .types import Audio

TARGET_LUFS: Final = -16.0
PEAK_CEILING: Final = 10 ** (-1.0 / 20)
"""-1 dBFS: no exported sample goes above this."""
HOP_SECONDS: Final = 0.1
TAIL_SECONDS: Final = 0.1
"""Length of the K-weighting impulse response kept: beyond 93 ms (2,048 samples at 22,050 Hz) the rest holds
5e-20 of its energy; 0.25 s made every FFT block a third tail."""
PROFILE_STEP: Final = 49
"""Samples between the points of a clip's energy profile (a 100 ms hop at 22,050 Hz is 45 of them)."""


def _biquads(rate: int) -> list[tuple[list[float], list[float]]]:
    """(b, a) of the two K-weighting stages at ``rate`` (the same design as pyloudnorm's)."""
    gain, q, fc = 4.0, 1 / math.sqrt(2), 1500.0  # stage 1: +4 dB shelf above ~1.5 kHz
    big_a = 10 ** (gain / 40)
    w0 = 2 * math.pi * fc / rate
    alpha, cos, root = math.sin(w0) / (2 * q), math.cos(w0), math.sqrt(big_a)
    shelf = (
        [
            big_a * ((big_a + 1) + (big_a - 1) * cos + 2 * root * alpha),
            -2 * big_a * ((big_a - 1) + (big_a + 1) * cos),
            big_a * ((big_a + 1) + (big_a - 1) * cos - 2 * root * alpha),
        ],
        [
            (big_a + 1) - (big_a - 1) * cos + 2 * root * alpha,
            2 * ((big_a - 1) - (big_a + 1) * cos),
            (big_a + 1) - (big_a - 1) * cos - 2 * root * alpha,
        ],
    )
    q, fc = 0.5, 38.0  # stage 2: RLB high-pass
    w0 = 2 * math.pi * fc / rate
    alpha, cos = math.sin(w0) / (2 * q), math.cos(w0)
    high_pass = ([(1 + cos) / 2, -(1 + cos), (1 + cos) / 2], [1 + alpha, -2 * cos, 1 - alpha])
    return [shelf, high_pass]


@lru_cache(maxsize=8)
def k_impulse(rate: int) -> np.ndarray:
    """Impulse response of the K-weighting filter, TAIL_SECONDS long."""
    n = round(TAIL_SECONDS * rate)
    signal = [1.0] + [0.0] * (n - 1)
    for b, a in _biquads(rate):
        b0, b1, b2 = (x / a[0] for x in b)
        a1, a2 = a[1] / a[0], a[2] / a[0]
        out, x1, x2, y1, y2 = [], 0.0, 0.0, 0.0, 0.0
        for x in signal:
            y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
            out.append(y)
            x1, x2, y1, y2 = x, x1, y, y1
        signal = out
    return np.asarray(signal)


FFT_SIZE: Final = 1 << 14


@lru_cache(maxsize=8)
def _k_spectrum(rate: int) -> np.ndarray:
    # Single precision and 16384-point FFTs (which stay in the CPU's cache): 30 % less time than double
    # and 32768 (each clip is measured three times when it is finished), for a loudness within 1e-5 dB of it.
    return np.fft.rfft(k_impulse(rate), FFT_SIZE).astype(np.complex64)


def k_weighted(audio: Audio, rate: int) -> np.ndarray:
    """The K-weighted signal (float32), including its decaying tail (len(audio) + TAIL - 1 samples).

    Overlap-add in fixed-size FFTs, so memory stays small whatever the clip's length.
    """
    h = k_impulse(rate)
    spectrum = _k_spectrum(rate)
    step = FFT_SIZE - h.size + 1
    out = np.zeros(audio.size + h.size - 1, dtype=np.float32)  # the FFTs are single precision anyway
    for pos in range(0, audio.size, step):
        chunk = audio[pos : pos + step].astype(np.float32, copy=False)
        piece = np.fft.irfft(np.fft.rfft(chunk, FFT_SIZE) * spectrum, FFT_SIZE)[: chunk.size + h.size - 1]
        out[pos : pos + piece.size] += piece
    return out


def gated(hop_energy: np.ndarray, hop: int) -> float:
    """Integrated loudness from K-weighted energy per 100 ms hop: 400 ms blocks, 75 % overlap, gates."""
    if hop_energy.size < 4:
        return -math.inf
    blocks = (hop_energy[:-3] + hop_energy[1:-2] + hop_energy[2:-1] + hop_energy[3:]) / (4 * hop)
    with np.errstate(divide="ignore"):
        levels = -0.691 + 10 * np.log10(blocks)
    kept = blocks[levels > -70.0]
    if kept.size == 0:
        return -math.inf
    relative = -0.691 + 10 * math.log10(float(np.mean(kept))) - 10.0
    kept = blocks[(levels > -70.0) & (levels > relative)]
    return -0.691 + 10 * math.log10(float(np.mean(kept)))


def _hops(energy: np.ndarray, offset: int, hop: int, total: int) -> tuple[int, np.ndarray]:
    """Sum squared samples that start at ``offset`` into 100 ms hops: (first hop index, sums)."""
    first = offset // hop
    cut = np.arange((first + 1) * hop - offset, energy.size, hop)
    sums = np.add.reduceat(energy, np.concatenate(([0], cut))) if energy.size else np.zeros(0)
    last = min(first + sums.size, total)
    return first, sums[: last - first]


def loudness(audio: Audio, rate: int) -> float:
    """Integrated loudness of a clip as if it stood alone; under 400 ms it is measured ungated."""
    hop = round(HOP_SECONDS * rate)
    squared = np.square(k_weighted(audio, rate)[: audio.size], dtype=np.float64)
    if audio.size < 4 * hop:
        power = float(np.mean(squared)) if squared.size else 0.0
        return -0.691 + 10 * math.log10(power) if power > 0 else -math.inf
    _, sums = _hops(squared, 0, hop, audio.size // hop)
    return gated(sums, hop)


def energy_profile(audio: Audio, rate: int) -> np.ndarray:
    """A clip's K-weighted energy (its tail included) summed from its start, at every PROFILE_STEP-th sample.

    All a session's loudness needs of a clip, whatever sample it starts at, in one point per 49 samples
    (float64: 1/24 of the clip's bytes):
    made when the clip is made, so measuring a session reads no clip again.
    """
    weighted = k_weighted(audio, rate)
    squared = np.zeros(-(-weighted.size // PROFILE_STEP) * PROFILE_STEP)
    np.square(weighted, out=squared[: weighted.size], dtype=np.float64)
    return np.concatenate(([0.0], np.cumsum(squared.reshape(-1, PROFILE_STEP).sum(axis=1))))


def placed_energy(profile: np.ndarray, start: int, hop: int, total: int) -> tuple[int, np.ndarray]:
    """A clip's energy in each 100 ms hop of a session when it starts at sample ``start``: (first hop, sums),
    cut at hop ``total``. Hop edges between profile points are interpolated (its energy is kept whole)."""
    first = start // hop
    last = min(first + -(-(start % hop + (profile.size - 1) * PROFILE_STEP) // hop), total)
    if last <= first:
        return first, np.zeros(0)
    edges = np.arange(first, last + 1) * hop - start
    cumulative = np.interp(edges, np.arange(profile.size) * PROFILE_STEP, profile)
    return first, np.diff(cumulative)


def session_energy(
    length: int, rate: int, events: Iterable[tuple[int, Hashable]], profile_for: Callable[[Any], np.ndarray]
) -> np.ndarray:
    """K-weighted energy per 100 ms hop of a session made of placed clips (``profile_for``: a clip's
    energy_profile). Other sounds known per hop (a sound bed) can be added to it before it is gated."""
    hop = round(HOP_SECONDS * rate)
    total = length // hop
    energy = np.zeros(total)
    by_clip: dict[Hashable, list[int]] = defaultdict(list)
    for start, key in events:
        by_clip[key].append(start)
    for key, starts in by_clip.items():
        profile = profile_for(key)
        for start in starts:
            first, sums = placed_energy(profile, start, hop, total)
            energy[first : first + sums.size] += sums
    return energy


def gain_to(target_lufs: float, measured_lufs: float, peak: float) -> float:
    """Linear gain that brings ``measured_lufs`` to the target without a peak above -1 dBFS."""
    if not math.isfinite(measured_lufs) or peak <= 0:
        return 1.0
    gain = 10 ** ((target_lufs - measured_lufs) / 20)
    return min(gain, PEAK_CEILING / peak)

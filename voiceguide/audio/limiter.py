"""A smooth look-ahead peak limiter (numpy, whole clips): peaks come down to a ceiling without a click."""

from __future__ import annotations

import functools
from typing import Final

import numpy as np

from .types import Audio

LIMIT_WINDOW: Final = 0.006
"""Seconds over which the limiter's gain moves: slow enough not to distort, fast enough for a syllable."""


def running_min(x: np.ndarray, size: int) -> np.ndarray:
    """out[i] = min(x[i:i+size]) for every full window, exactly, in about log2(size) vectorized passes.

    Minima over spans of 1, 2, 4, ... samples, then the window is covered by two overlapping spans;
    50 times faster than a van Herk / Gil-Werman pass in numpy (whose reshapes and copies dominate).
    """
    span, spans = 1, x
    while span * 2 <= size:
        spans = np.minimum(spans[:-span], spans[span:])
        span *= 2
    count = x.size - size + 1
    return np.minimum(spans[:count], spans[size - span : size - span + count])


def limit(audio: Audio, ceiling: float, rate: int, window: float = LIMIT_WINDOW) -> Audio:
    """Smooth peak limiting: a gain that dips under the loudest peaks, so loudness can rise without clipping.

    No output sample is above ``ceiling`` (to float32 rounding), and the gain moves by at most 1/w of its
    dip per sample (w = ``window`` seconds): it never jumps. The gain differs from 1 only within 2w
    samples of a peak over the ceiling, so it is worked out only on those stretches.
    """
    w = max(1, round(window * rate))
    peaks = np.flatnonzero(np.abs(audio) > np.float32(ceiling))
    out = audio.astype(np.float32, copy=True)
    if peaks.size == 0:
        return out
    reach = 2 * w
    gaps = np.flatnonzero(np.diff(peaks) > 2 * reach)
    stretches = []
    for first, last in zip(peaks[np.r_[0, gaps + 1]], peaks[np.r_[gaps, peaks.size - 1]], strict=True):
        start, stop = max(int(first) - reach, 0), min(int(last) + reach + 1, audio.size)
        # With `reach` samples of context each side, the stretch sees what the whole clip would.
        stretches.append((start, stop, max(start - reach, 0), min(stop + reach, audio.size)))
    # One gain for all stretches: their contexts side by side with `reach` silent samples between them
    # (where the gain is 1, as beyond a clip's ends), so none sees another's peaks. A call per stretch
    # was most of the limiter's time (a clip has ~15 stretches, each ~20 small numpy calls).
    joined = np.zeros(sum(hi - lo + reach for *_, lo, hi in stretches) - reach, dtype=np.float32)
    at, placed = 0, []
    for _, _, lo, hi in stretches:
        joined[at : at + hi - lo] = audio[lo:hi]
        placed.append(at - lo)
        at += hi - lo + reach
    gain = limit_gain(joined, ceiling, w)
    for (start, stop, _, _), shift in zip(stretches, placed, strict=True):
        out[start:stop] = (audio[start:stop] * gain[start + shift : stop + shift]).astype(np.float32)
    return out


OVERSAMPLE: Final = 4
"""Points looked at per sample period by true_peaks (the sample and three between it and the next)."""
_TAPS: Final = 8
"""Samples each side that an in-between point is interpolated from."""


@functools.cache
def _between_filters() -> np.ndarray:
    """Windowed-sinc filters that interpolate the points 1/4, 2/4 and 3/4 of the way to the next sample."""
    n = np.arange(-_TAPS + 1, _TAPS + 1)
    rows = []
    for k in range(1, OVERSAMPLE):
        t = n - k / OVERSAMPLE
        h = np.sinc(t) * np.cos(np.pi * t / (2 * _TAPS)) ** 2  # a raised-cosine window over the taps
        rows.append(h / h.sum())
    return np.asarray(rows, dtype=np.float32)


def true_peaks(audio: Audio) -> np.ndarray:
    """For each sample, the largest magnitude of the waveform from it to the next sample: itself and three
    points between, interpolated (4x oversampling, as a true-peak meter does).

    A waveform's peaks between samples pass its sample peak by up to ~1 dB in speech with sibilants, and a
    resampler or a DAC rebuilds them: a live session at +9 dB, limited to -1 dBFS on its samples, came back
    from the sound server (resampled to 48 kHz and back) at -0.06 dBFS; limited on these, at -0.99 dBFS. The last ``_TAPS`` samples see zeros after them.
    """
    x = audio.astype(np.float32, copy=False)
    out = np.abs(x)
    if x.size == 0:
        return out
    padded = np.concatenate((np.zeros(_TAPS - 1, np.float32), x, np.zeros(_TAPS, np.float32)))
    for h in _between_filters():
        # point k/4 after sample i: sum over n of x[i + n] h[n], n from -TAPS+1 to TAPS
        np.maximum(out, np.abs(np.convolve(padded, h[::-1], mode="valid"))[: x.size], out=out)
    return out


def limit_gain(audio: Audio, ceiling: float, w: int, level: np.ndarray | None = None) -> np.ndarray:
    """The limiter's gain for every sample of ``audio`` (window ``w`` samples); ``level``: the magnitude held
    under the ceiling at each sample (``|audio|`` when None; true_peaks for a true-peak limiter)."""
    level = np.abs(audio) if level is None else level
    need = np.minimum(np.float32(1.0), np.float32(ceiling) / np.maximum(level, np.float32(1e-9)))
    # Padded by hand: np.pad's ~15 us of Python per call was a quarter of a clip's finishing (a limit
    # call works stretch by stretch); the values are the very ones np.pad gives.
    padded = np.ones(need.size + 2 * w, dtype=need.dtype)
    padded[w : w + need.size] = need
    # The minimum over 2w+1 samples, then a w-sample average: the smoothed gain is at most
    # the needed gain at every peak, and it never jumps.
    low = running_min(padded, 2 * w + 1)
    edged = np.concatenate(
        (np.full(w // 2, low[0], dtype=low.dtype), low, np.full(w - w // 2 - 1, low[-1], dtype=low.dtype))
    )
    csum = np.concatenate(([0.0], np.cumsum(edged, dtype=np.float64)))
    return (csum[w:] - csum[:-w]) / w


class StreamLimiter:
    """limit() for a stream of blocks (live output): the very gain limit() gives the whole stream, worked out
    a block at a time, so every block comes out ``delay`` samples late (its look-ahead). With ``true_peak``
    it holds the waveform's peaks between samples under the ceiling too (true_peaks)."""

    def __init__(self, ceiling: float, rate: int, window: float = LIMIT_WINDOW, *, true_peak: bool = False) -> None:
        self.ceiling = ceiling
        self.true_peak = true_peak
        self.w = max(1, round(window * rate))
        self.delay = 2 * self.w
        """Samples each block is late: the gain at a sample depends on 2w samples either side of it."""
        self._history = np.zeros(2 * self.delay, dtype=np.float32)

    def __call__(self, block: Audio) -> Audio:
        """The next ``block.size`` limited samples (the input from ``delay`` samples ago)."""
        context = np.concatenate((self._history, block.astype(np.float32, copy=False)))
        self._history = context[block.size :]
        out = context[self.delay : self.delay + block.size].copy()
        loudest = float(np.max(np.abs(context), initial=0.0))
        # Between samples a waveform rises at most ~3 dB over its samples: under half the ceiling, no need to look.
        level = true_peaks(context) if self.true_peak and loudest > self.ceiling / 2 else None
        if loudest > self.ceiling or (level is not None and float(level.max()) > self.ceiling):
            # (else the gain is 1 throughout) The points between the last samples of the context lack what
            # follows them: they are delay samples and more away from this block's, beyond the gain's reach.
            gain = limit_gain(context, self.ceiling, self.w, level)
            out *= gain[self.delay : self.delay + block.size].astype(np.float32)
        return out

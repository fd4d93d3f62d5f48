"""A smooth look-ahead peak limiter (numpy, whole clips): peaks come down to a ceiling without a click."""

from __future__ import annotations

from typing import Final

import numpy as np

from .types import Audio

LIMIT_WINDOW: Final = 0.006
"""Seconds over which the limiter's gain moves: slow enough not to distort, fast enough for a syllable."""


def running_min(x: np.ndarray, size: int) -> np.ndarray:
    """out[i] = min(x[i:i+size]) for every full window, in O(n) (van Herk / Gil-Werman)."""
    n = x.size
    blocks = -(-n // size)
    padded = np.full(blocks * size, np.inf)
    padded[:n] = x
    # Accumulating down the columns of the transposed blocks runs across all blocks at once.
    columns = np.ascontiguousarray(padded.reshape(blocks, size).T)
    ahead = np.minimum.accumulate(columns, axis=0).T.ravel()
    behind = np.minimum.accumulate(columns[::-1], axis=0)[::-1].T.ravel()
    count = n - size + 1
    return np.minimum(behind[:count], ahead[size - 1 : size - 1 + count])


def limit(audio: Audio, ceiling: float, rate: int, window: float = LIMIT_WINDOW) -> Audio:
    """Smooth peak limiting: a gain that dips under the loudest peaks, so loudness can rise without clipping.

    No output sample is above ``ceiling``, and the gain moves by at most 1/w of its dip per sample
    (w = ``window`` seconds): it never jumps.
    """
    w = max(1, round(window * rate))
    need = np.minimum(np.float32(1.0), np.float32(ceiling) / np.maximum(np.abs(audio), np.float32(1e-9)))
    padded = np.pad(need, (w, w), constant_values=1.0)
    # The minimum over 2w+1 samples, then a w-sample average: the smoothed gain is at most
    # the needed gain at every peak, and it never jumps.
    low = running_min(padded, 2 * w + 1)
    csum = np.concatenate(([0.0], np.cumsum(np.pad(low, (w // 2, w - w // 2 - 1), mode="edge"))))
    smooth = (csum[w:] - csum[:-w]) / w
    return (audio * smooth[: audio.size]).astype(np.float32)

"""The one audio type: mono float32 samples in [-1, 1], and the check made where audio enters."""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from ..errors import SpeechError

Audio: TypeAlias = npt.NDArray[np.float32]
"""Mono float32 samples in [-1, 1]."""


def check_clip(clip: object, rate: int, expected_rate: int, what: str) -> Audio:
    """``clip`` if it is non-empty, finite, 1-D float32 at ``expected_rate``; else a SpeechError naming ``what``."""
    problem = None
    if rate != expected_rate:
        problem = f"is at {rate} Hz, not {expected_rate} Hz"
    elif not isinstance(clip, np.ndarray) or clip.dtype != np.float32:
        problem = f"is {getattr(clip, 'dtype', type(clip).__name__)}, not float32 samples"
    elif clip.ndim != 1:
        problem = f"has shape {clip.shape}, not mono"
    elif clip.size == 0:
        problem = "is empty"
    elif not np.isfinite(clip).all():
        problem = "contains samples that are not finite numbers"
    if problem:
        raise SpeechError(f"the speech engine's clip for {what!r} {problem}")
    return clip  # type: ignore[return-value]

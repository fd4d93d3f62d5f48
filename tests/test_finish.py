"""Clip finishing: the limiter's running minimum is exact, a finished clip is at the target loudness, and finishing is
a small cost per clip."""

from __future__ import annotations

import time

import numpy as np
import pyloudnorm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from voiceguide.audio.limiter import LIMIT_WINDOW, running_min
from voiceguide.audio.limiter import limit as _limit
from voiceguide.audio.limiter import limit_gain as _gain
from voiceguide.audio.loudness import TARGET_LUFS
from voiceguide.speech.finish import CLIP_CEILING, finish_clip


@settings(max_examples=300, deadline=None)
@given(
    arrays(np.float32, st.integers(1, 600), elements=st.floats(0, 1, width=32)),
    st.integers(1, 300),
)
def test_the_running_minimum_is_the_minimum_of_every_window(x: np.ndarray, size: int) -> None:
    size = min(size, x.size)
    expected = np.array([x[i : i + size].min() for i in range(x.size - size + 1)])
    assert np.array_equal(running_min(x, size), expected)


@settings(max_examples=200, deadline=None)
@given(
    arrays(np.float32, st.integers(1, 4000), elements=st.floats(-1.5, 1.5, width=32)),
    st.floats(0.0, 1.0),
)
def test_limiting_only_the_stretches_near_peaks_gives_the_gain_of_the_whole_clip(x: np.ndarray, keep: float) -> None:
    x = np.where(np.arange(x.size) % 997 < keep * 997, x, x * np.float32(0.1))  # quiet stretches between peaks
    whole = (x * _gain(x, CLIP_CEILING, round(LIMIT_WINDOW * 22050))).astype(np.float32)
    limited = _limit(x, CLIP_CEILING, 22050)
    assert np.max(np.abs(limited - whole), initial=0.0) < 1e-6
    assert np.max(np.abs(limited), initial=0.0) <= CLIP_CEILING * (1 + 1e-6)  # to float32 rounding


def test_a_finished_clip_is_level_and_under_its_ceiling_in_a_few_milliseconds_per_second_of_speech() -> None:
    rate = 22050
    rng = np.random.default_rng(3)
    t = np.arange(5 * rate) / rate
    # Speech-like: syllables of a harmonic buzz with loud bursts, between quiet stretches.
    envelope = np.clip(np.sin(2 * np.pi * 3 * t), 0, None) ** 2 * (1 + 3 * (rng.random(t.size) > 0.999))
    audio = (0.2 * envelope * np.sign(np.sin(2 * np.pi * 140 * t))).astype(np.float32)
    finish_clip(audio, rate)
    start = time.process_time()
    for _ in range(10):
        done = finish_clip(audio, rate)
    per_clip = (time.process_time() - start) / 10
    assert float(np.max(np.abs(done))) <= CLIP_CEILING * 1.0001
    # Level: at the target by an independent meter (pyloudnorm), from a clip that began 8 LU away from it.
    meter = pyloudnorm.Meter(rate)
    assert abs(meter.integrated_loudness(audio.astype(np.float64)) - TARGET_LUFS) > 5
    assert meter.integrated_loudness(done.astype(np.float64)) == pytest.approx(TARGET_LUFS, abs=0.5)
    # 17 ms for 5 s before (running minimum by van Herk, whole-clip limiter, double-precision FFTs); ~5 ms now.
    assert per_clip < 0.010, f"{per_clip * 1000:.1f} ms"

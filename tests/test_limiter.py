"""The peak limiter on its own: peaks come down to the ceiling, the gain glides, quiet audio is untouched."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from voiceguide.audio.limiter import limit, running_min

RATE = 10_000
WINDOW = 0.01
W = 100  # samples in WINDOW at RATE: the gain may move by at most 1/100 of its dip per sample
CEILING = 0.5


def carrier(n: int, level: float) -> np.ndarray:
    """A square wave at ``level``: never zero, so out/in is the limiter's gain at every sample."""
    return np.where(np.arange(n) // 7 % 2, level, -level).astype(np.float32)


def peaks_at(audio: np.ndarray, peaks: dict[int, float]) -> np.ndarray:
    audio = audio.copy()
    for at, height in peaks.items():
        audio[at] = np.copysign(height, audio[at])
    return audio


# Isolated peaks (further apart than four windows) at three heights, one at each end of the clip.
PEAKS = {0: 0.8, 1_000: 1.0, 2_000: 0.6, 3_000: 2.0, 4_099: 1.0}


def test_every_peak_above_the_ceiling_comes_out_at_most_at_the_ceiling() -> None:
    audio = peaks_at(carrier(4_100, 0.25), PEAKS)
    out = limit(audio, CEILING, RATE, WINDOW)
    assert out.dtype == np.float32 and out.shape == audio.shape
    assert np.max(np.abs(out)) <= CEILING  # 0.5 = 2**-1: exact in float32, so no rounding slack
    for at, height in PEAKS.items():
        assert abs(out[at]) == pytest.approx(CEILING, rel=1e-6), (at, height)  # brought down to it, not below


def test_the_gain_moves_by_at_most_one_window_th_of_its_dip_per_sample() -> None:
    audio = peaks_at(carrier(4_100, 0.25), PEAKS)
    gain = limit(audio, CEILING, RATE, WINDOW).astype(np.float64) / audio
    for at, height in PEAKS.items():
        dip = 1 - CEILING / height  # how far the gain must come down for this peak
        around = gain[max(0, at - 3 * W) : at + 3 * W]
        assert around.min() == pytest.approx(1 - dip, rel=1e-6)
        steps = np.abs(np.diff(around))
        assert steps.max() <= dip / W * (1 + 1e-4), (at, steps.max(), dip / W)
        # A glide, not a notch: the gain is already down a window before the peak and still down a window after.
        assert np.all(gain[max(0, at - W) : at + W + 1] < 1)


def test_away_from_the_peaks_the_gain_is_exactly_one() -> None:
    audio = peaks_at(carrier(4_100, 0.25), PEAKS)
    gain = limit(audio, CEILING, RATE, WINDOW) / audio
    far = np.ones(audio.size, dtype=bool)
    for at in PEAKS:
        far[max(0, at - 2 * W - 1) : at + 2 * W + 2] = False
    assert np.all(gain[far] == 1.0)


@pytest.mark.parametrize("level", [0.0, 1e-6, 0.1, 0.49, CEILING])
def test_quiet_audio_passes_unchanged(level: float) -> None:
    rng = np.random.default_rng(5)
    audio = (rng.uniform(-1, 1, 5_000) * level).astype(np.float32)
    audio[2_500] = level  # the loudest sample at exactly the level
    assert np.array_equal(limit(audio, CEILING, RATE, WINDOW), audio)


@settings(max_examples=examples(300))
@given(
    arrays(np.float32, st.integers(1, 3_000), elements=st.floats(-4, 4, width=32)),
    st.floats(0.05, 1.0),
    st.sampled_from([1e-4, 0.001, 0.006, 0.02]),
)
def test_no_sample_of_any_signal_comes_out_above_the_ceiling(audio: np.ndarray, ceiling: float, window: float) -> None:
    out = limit(audio, ceiling, 22_050, window)
    assert out.shape == audio.shape and np.all(np.isfinite(out))
    # At most the ceiling, to float32 precision: the gain ceiling/peak is rounded to float32 (one step, ~6e-8).
    assert np.max(np.abs(out)) <= np.nextafter(np.float32(ceiling), np.float32(2))
    assert np.all(np.abs(out) <= np.abs(audio))  # a limiter only ever turns down


@settings(max_examples=examples(200))
@given(arrays(np.float64, st.integers(1, 400), elements=st.floats(-100, 100)), st.integers(1, 50))
def test_the_running_minimum_is_the_minimum_of_each_window(x: np.ndarray, size: int) -> None:
    size = min(size, x.size)  # limit() always pads, so the window is never longer than the signal
    expected = [x[i : i + size].min() for i in range(x.size - size + 1)]
    assert running_min(x, size).tolist() == expected


def test_the_stream_limiter_gives_each_block_what_limit_gives_the_whole_stream_a_look_ahead_late() -> None:
    from voiceguide.audio.limiter import StreamLimiter

    rng = np.random.default_rng(7)
    silence = np.zeros(3000, dtype=np.float32)
    audio = np.concatenate([silence, (rng.standard_normal(40_000) * 0.5).astype(np.float32), silence])
    stream = StreamLimiter(0.8, 22050, window=0.02)
    blocks = [stream(audio[i : i + 1024]) for i in range(0, audio.size, 1024)]
    out = np.concatenate([*blocks, stream(np.zeros(stream.delay, dtype=np.float32))])[stream.delay :]
    whole = limit(audio, 0.8, 22050, window=0.02)
    assert out.size == audio.size and np.max(np.abs(out - whole)) < 1e-6
    assert np.max(np.abs(out)) <= 0.8 + 1e-6 and np.max(np.abs(audio)) > 1.5  # it had peaks to tame


def test_a_true_peak_stream_limiter_holds_the_waveform_rebuilt_at_48_khz_under_its_ceiling_where_sample_peaks_do_not() -> (
    None
):
    import soxr

    from voiceguide.audio.limiter import StreamLimiter

    rate, ceiling = 22050, 0.891
    rng = np.random.default_rng(7)
    spectrum = np.fft.rfft(rng.standard_normal(rate * 20))
    spectrum[np.fft.rfftfreq(rate * 20, 1 / rate) > 8000] = 0  # speech-like: up to 8 kHz, driven 9 dB over
    loud = np.fft.irfft(spectrum, rate * 20)
    loud = (loud / np.abs(loud).max() * 2.5).astype(np.float32)
    over = {}
    for true_peak in (False, True):
        limiter = StreamLimiter(ceiling, rate, window=0.02, true_peak=true_peak)
        out = np.concatenate([limiter(loud[i : i + 1024]) for i in range(0, loud.size, 1024)])
        assert np.max(np.abs(out)) <= ceiling * (1 + 1e-6)  # the samples, either way
        rebuilt = soxr.resample(out, rate, 48000)  # what a sound server or a DAC makes of them
        over[true_peak] = 20 * np.log10(np.max(np.abs(rebuilt)) / ceiling)
    assert over[False] > 1.5 and over[True] < 0.3, over  # measured: 2.46 dB and 0.16 dB


def test_true_peaks_finds_the_crest_of_a_sine_whose_samples_straddle_it() -> None:
    from voiceguide.audio.limiter import true_peaks

    n = np.arange(400)
    sine = (0.5 * np.cos(2 * np.pi * (n + 0.5) / 4)).astype(np.float32)  # 5.5 kHz: every sample at 0.354
    assert np.max(np.abs(sine)) < 0.36 and 0.49 < float(true_peaks(sine)[50:-50].max()) < 0.51

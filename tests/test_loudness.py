import numpy as np
import pyloudnorm
import pytest

from voiceguide.audio.loudness import HOP_SECONDS, energy_profile, gain_to, gated, loudness, session_energy


@pytest.mark.parametrize("rate", [22050, 44100, 48000])
def test_clip_loudness_equals_pyloudnorms_integrated_loudness(rate: int) -> None:
    rng = np.random.default_rng(rate)
    audio = (rng.standard_normal(rate * 9) * np.repeat(rng.random(90), rate // 10) * 0.2).astype(np.float32)
    audio[rate * 3 : rate * 5] = 0
    assert loudness(audio, rate) == pytest.approx(
        pyloudnorm.Meter(rate).integrated_loudness(audio.astype(np.float64)), abs=1e-6
    )


def test_session_loudness_from_placed_clips_equals_the_loudness_of_the_mixed_signal() -> None:
    rate = 22050
    rng = np.random.default_rng(3)
    clips = {
        "a": (rng.standard_normal(rate * 2) * 0.2).astype(np.float32),
        "b": (np.sin(np.arange(rate // 4) * 0.3) * 0.05).astype(np.float32),
    }
    events = [(0, "a"), (rate * 3, "b"), (rate * 5 + 17, "a"), (rate * 9, "b"), (rate * 12 + 3001, "a")]
    length = rate * 15
    mixed = np.zeros(length)
    for start, key in events:
        mixed[start : start + clips[key].size] += clips[key]
    # The way a session is measured (prepare.py's gain): each clip's profile once, placed at each of its starts.
    profiles = {key: energy_profile(clip, rate) for key, clip in clips.items()}
    lufs = gated(session_energy(length, rate, events, profiles.__getitem__), round(HOP_SECONDS * rate))
    assert lufs == pytest.approx(pyloudnorm.Meter(rate).integrated_loudness(mixed), abs=0.01)


def test_the_gain_never_lifts_a_peak_over_minus_one_dbfs() -> None:
    assert gain_to(-16, -20, 0.5) == pytest.approx(10 ** (4 / 20))
    assert gain_to(-16, -30, 0.5) * 0.5 == pytest.approx(0.8913, abs=1e-4)  # -1 dBFS


@pytest.mark.parametrize("start", [0, 1, 2204, 2205, 12345, 99_999])
def test_a_clip_placed_by_its_energy_profile_keeps_its_whole_energy_and_each_hop_within_two_percent(
    start: int,
) -> None:
    from voiceguide.audio.loudness import energy_profile, k_weighted, placed_energy

    rate, hop = 22050, 2205
    rng = np.random.default_rng(start)
    clip = (rng.standard_normal(60 * 1102) * np.repeat(rng.random(60), 1102) * 0.3).astype(np.float32)  # 3 s
    squared = np.square(k_weighted(clip, rate), dtype=np.float64)
    total = (start + squared.size) // hop + 2
    first, sums = placed_energy(energy_profile(clip, rate), start, hop, total)
    edges = np.arange(first, first + sums.size + 1) * hop - start
    exact = np.diff(np.concatenate(([0.0], np.cumsum(squared)))[np.clip(edges, 0, squared.size)])
    assert first == start // hop and sums.sum() == pytest.approx(squared.sum(), rel=1e-12)
    assert np.max(np.abs(sums - exact)) < 0.02 * exact.max()

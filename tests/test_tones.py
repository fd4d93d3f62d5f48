import numpy as np
import pytest

from voiceguide.audio.loudness import TARGET_LUFS, loudness
from voiceguide.audio.tones import tone
from voiceguide.timeline import TONE_SECONDS

RATE = 22050


def dominant_hz(audio: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(audio.size)))
    return float(np.argmax(spectrum) * RATE / audio.size)


@pytest.mark.parametrize("name", list(TONE_SECONDS))
def test_each_tone_is_exactly_its_planned_length(name: str) -> None:
    assert tone(name, RATE).size == round(TONE_SECONDS[name] * RATE)


@pytest.mark.parametrize("name", list(TONE_SECONDS))
def test_tones_start_and_end_at_silence_and_never_jump(name: str) -> None:
    audio = tone(name, RATE)
    assert abs(audio[0]) < 1e-4 and abs(audio[-1]) < 1e-4
    # The largest step between samples stays within what a smooth wave at the tone's pitch makes.
    peak = float(np.max(np.abs(audio)))
    assert float(np.max(np.abs(np.diff(audio)))) < peak * 0.6


def test_press_and_release_tones_are_at_least_a_fifth_apart() -> None:
    press, release = dominant_hz(tone("press", RATE)), dominant_hz(tone("release", RATE))
    assert press / release >= 1.5


@pytest.mark.parametrize("name", list(TONE_SECONDS))
def test_tones_sit_at_least_6_db_under_speech(name: str) -> None:
    assert loudness(tone(name, RATE), RATE) <= TARGET_LUFS - 6


def test_tones_follow_the_sample_rate_they_are_asked_for() -> None:
    assert tone("press", 48000).size == round(TONE_SECONDS["press"] * 48000)
    assert abs(dominant_hz(tone("press", RATE)) - 880) < 10


def test_the_done_chime_falls_a_fifth_where_the_switch_chime_rises() -> None:
    done, switch = tone("done", RATE), tone("switch", RATE)
    head, tail = dominant_hz(done[: round(0.17 * RATE)]), dominant_hz(done[round(0.4 * RATE) :])
    assert abs(head / tail - 1.5) < 0.05
    assert dominant_hz(switch[round(0.4 * RATE) :]) > dominant_hz(switch[: round(0.17 * RATE)])

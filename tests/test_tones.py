"""The tones, checked against values worked out by hand and against pyloudnorm, not against the code's own formulas."""

import numpy as np
import pyloudnorm
import pytest

from voiceguide.audio.loudness import TARGET_LUFS
from voiceguide.audio.tones import tone
from voiceguide.plan.pacing import Pacing, Verbosity
from voiceguide.plan.timeline import Kind, schedule
from voiceguide.routine.library import parse_routine

RATE = 22050
# Samples in each tone: 0.25, 0.35, 1.2, 3 and 4 seconds, worked out by hand (5512.5 and 7717.5 round down).
LENGTHS = {
    22050: {"press": 5512, "release": 7717, "switch": 26460, "start": 66150, "end": 88200, "done": 33075},
    48000: {"press": 12000, "release": 16800, "switch": 57600, "start": 144000, "end": 192000, "done": 72000},
}
NAMES = list(LENGTHS[RATE])
SPEECH_LUFS = TARGET_LUFS
"""Where speech is levelled (-16 LUFS, the README's figure; finish_clip's target): tones belong 10 dB under it."""


def dominant_hz(audio: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(audio.size)))
    return float(np.argmax(spectrum) * rate / audio.size)


def lufs(audio: np.ndarray, rate: int) -> float:
    """pyloudnorm's integrated loudness; a tone shorter than its 400 ms block is measured played 8 times over."""
    if audio.size < 0.4 * rate:
        audio = np.tile(audio, 8)
    return pyloudnorm.Meter(rate).integrated_loudness(audio.astype(np.float64))


@pytest.mark.parametrize("rate", list(LENGTHS))
@pytest.mark.parametrize("name", NAMES)
def test_each_tone_is_exactly_its_length_in_samples(name: str, rate: int) -> None:
    assert tone(name, rate).size == LENGTHS[rate][name]


def test_each_tone_fills_its_event_in_a_scheduled_session_exactly() -> None:
    routine = parse_routine(
        b'title = "T"\n[[steps]]\npoint = "SP4"\ntechnique = "cycles"\nminutes = 0.1\nsides = "both"\n',
        name="t",
        source="t.toml",
    )
    timeline = schedule(routine, Pacing(verbosity=Verbosity.MINIMAL), lambda text: RATE, RATE)
    tones = {e.tone: e.duration for e in timeline.events if e.kind is Kind.TONE}
    assert tones == {name: tone(name, RATE).size for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_tones_start_and_end_at_silence_and_never_jump(name: str) -> None:
    audio = tone(name, RATE)
    assert abs(audio[0]) < 1e-4 and abs(audio[-1]) < 1e-4
    # The largest step between samples stays within what a smooth wave at the tone's pitch makes.
    peak = float(np.max(np.abs(audio)))
    assert float(np.max(np.abs(np.diff(audio)))) < peak * 0.6


def test_press_and_release_tones_are_at_least_a_fifth_apart() -> None:
    press, release = dominant_hz(tone("press", RATE), RATE), dominant_hz(tone("release", RATE), RATE)
    assert press / release >= 1.5


@pytest.mark.parametrize("rate", list(LENGTHS))
@pytest.mark.parametrize("name", NAMES)
def test_tones_sit_10_db_under_speech_by_pyloudnorm(name: str, rate: int) -> None:
    assert lufs(tone(name, rate), rate) == pytest.approx(SPEECH_LUFS - 10, abs=0.1)
    assert SPEECH_LUFS == -16.0  # the README's figure


def test_tones_sit_10_db_under_a_finished_speech_clip_by_pyloudnorm() -> None:
    from voiceguide.speech.finish import finish_clip

    t = np.arange(4 * RATE) / RATE
    envelope = np.clip(np.sin(2 * np.pi * 3 * t), 0, None) ** 2  # syllables of a harmonic buzz
    speech = finish_clip((0.05 * envelope * np.sign(np.sin(2 * np.pi * 140 * t))).astype(np.float32), RATE)
    assert lufs(speech, RATE) - lufs(tone("press", RATE), RATE) == pytest.approx(10, abs=0.6)


@pytest.mark.parametrize("rate", list(LENGTHS))
def test_the_press_tone_keeps_its_pitch_at_any_sample_rate(rate: int) -> None:
    assert abs(dominant_hz(tone("press", rate), rate) - 880) < 10


def test_the_done_chime_falls_a_fifth_where_the_switch_chime_rises() -> None:
    done, switch = tone("done", RATE), tone("switch", RATE)
    head, tail = dominant_hz(done[: round(0.17 * RATE)], RATE), dominant_hz(done[round(0.4 * RATE) :], RATE)
    assert abs(head / tail - 1.5) < 0.05
    assert dominant_hz(switch[round(0.4 * RATE) :], RATE) > dominant_hz(switch[: round(0.17 * RATE)], RATE)

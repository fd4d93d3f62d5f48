"""The real pyttsx3 + espeak-ng engine as sessions use it, despite its driver's traps: every clip checked."""

from __future__ import annotations

import random

import numpy as np
import pytest

from voiceguide.speech.clips import finish_clip

pytestmark = pytest.mark.usefixtures("espeak")

PHRASES = [
    "Press now, and hold.",
    "Now switch to the right foot.",
    "On the top of each foot, follow the groove between the big toe and the second toe back from the web, "
    "about two centimetres, roughly the width of two fingers. Keep breathing slowly and let the shoulders drop. "
    "If it feels sore, lighten the pressure until it feels good again, and stay with the point.",
    "Ready.",
    "Also called Tai Chōng, or Yǒng Quán.",
]
RATES = [90, 150, 240]


@pytest.fixture(scope="module")
def engine():
    """The espeak-ng engine a session gets (on Linux the fork-server pool: a fresh engine per clip)."""
    import sys

    from voiceguide.speech.pool import SynthesisPool
    from voiceguide.speech.registry import choose

    engine = choose("espeak", None).start(None)
    assert isinstance(engine, SynthesisPool) or not sys.platform.startswith("linux")
    yield engine
    engine.close()


def test_three_hundred_clips_with_changing_rates_are_all_complete_and_at_the_rate_asked(engine, capfd) -> None:
    rng = random.Random(7)
    lengths: dict[tuple[str, int], set[int]] = {}
    for _ in range(300):
        text, rate = rng.choice(PHRASES), rng.choice(RATES)
        clip = engine.synthesize(text, voice=None, rate=rate, volume=1.0)
        assert clip.dtype == np.float32 and clip.ndim == 1
        assert clip.size > engine.sample_rate // 10
        assert float(np.max(np.abs(clip))) > 0.01
        lengths.setdefault((text, rate), set()).add(finish_clip(clip, engine.sample_rate).size)
    # Same text and rate: the same spoken length every time, to within espeak-ng's own jitter (up to
    # 3.4 %, measured, more around commas; a dropped rate change or a cut-off clip would be off by a third or more).
    assert all(max(sizes) - min(sizes) <= 0.08 * max(sizes) for sizes in lengths.values()), lengths
    # Faster speech is shorter, for every phrase: the rate really changed each time.
    for text in PHRASES:
        sizes = [min(lengths[(text, r)]) for r in RATES if (text, r) in lengths]
        assert sizes == sorted(sizes, reverse=True) and len(set(sizes)) == len(sizes)
    # The longest phrase (75+ words of trouble in pyttsx3) is whole: about 60/rate seconds a word.
    long_text = PHRASES[2]
    words = len(long_text.split())
    seconds = min(lengths[(long_text, 150)]) / engine.sample_rate
    assert 0.6 * words * 60 / 150 < seconds < 1.6 * words * 60 / 150
    out, _ = capfd.readouterr()
    assert "Audio saved" not in out and out == ""


def test_the_engine_lists_espeak_voices_without_mbrola_ones(engine) -> None:
    voices = engine.voices()
    assert any(v.language.startswith("en") for v in voices)
    assert not any(v.id.startswith("mb/") for v in voices)


def test_an_unknown_voice_is_a_speech_error(engine) -> None:
    from voiceguide.errors import SpeechError

    with pytest.raises(SpeechError, match="unknown voice 'no-such-voice-xyz'"):
        engine.synthesize("Hello.", voice="no-such-voice-xyz", rate=150, volume=1.0)


def test_an_unknown_voice_close_to_a_real_one_gets_a_suggestion(engine) -> None:
    from voiceguide.errors import SpeechError

    with pytest.raises(SpeechError, match="did you mean"):
        engine.synthesize("Hello.", voice="gmw/en-gx", rate=150, volume=1.0)


def test_a_voice_can_be_named_by_id_or_by_name(engine) -> None:
    by_id = engine.synthesize("Hello there.", voice="gmw/en-GB-scotland", rate=150, volume=1.0)
    by_name = engine.synthesize("Hello there.", voice="English (Scotland)", rate=150, volume=1.0)
    default = engine.synthesize("Hello there.", voice="gmw/en", rate=150, volume=1.0)
    assert abs(by_id.size - by_name.size) < 0.02 * by_id.size
    assert not (abs(by_id.size - default.size) < 10 and np.allclose(by_id[:1000], default[:1000]))

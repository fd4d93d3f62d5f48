"""What keeps exports fast and small: nothing loaded a warm export does not use, nothing read twice,
buffers reused, the remembered figures equal to the measured ones (docs/speed.md)."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHORT = str(ROOT / "tests" / "routines" / "short.toml")

# Exports SHORT in this process (argv[1]: the file), then prints which heavy modules and libraries it loaded.
EXPORT_SCRIPT = """
import json, sys
from voiceguide.cli import cli
cli(["export", sys.argv[2], "-o", sys.argv[1], "--force"], prog_name="voiceguide", standalone_mode=False)
maps = open("/proc/self/maps").read()
heavy = ["pyttsx3", "av", "pocketsphinx", "sounddevice", "piper", "onnxruntime", "mutagen"]
print(json.dumps({"modules": [m for m in heavy if m in sys.modules], "espeak": "libespeak" in maps}))
"""


@pytest.fixture
def short_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, standin: None):
    """The short routine and its default pacing, with the stand-in engine and an empty clip cache of its own."""
    from voiceguide.plan.config import effective_pacing
    from voiceguide.routine.library import load_routine

    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(tmp_path / "cache"))
    routine = load_routine(SHORT)
    return routine, effective_pacing(routine, {}, None)[0]


def _loaded_by_export(dest: Path, cache: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", EXPORT_SCRIPT, str(dest), SHORT],
        env=os.environ | {"VOICEGUIDE_CACHE_DIR": str(cache)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.usefixtures("espeak")
def test_a_wav_export_first_or_warm_loads_no_speech_engine_and_no_heavy_library(tmp_path: Path) -> None:
    # The first run: the fork server speaks every clip and says which espeak-ng it speaks with.
    first = _loaded_by_export(tmp_path / "first.wav", tmp_path / "cache")
    memo = tmp_path / "cache" / "espeak-ng.json"
    told = json.loads(memo.read_text())
    memo.unlink()
    asked = _loaded_by_export(tmp_path / "asked.wav", tmp_path / "cache")  # no server: the library is asked
    assert json.loads(memo.read_text()) == told  # the server told what the library says of itself
    warm = _loaded_by_export(tmp_path / "warm.wav", tmp_path / "cache")
    assert asked["espeak"] is True  # (the probe sees the library when it is loaded)
    assert first == warm == {"modules": [], "espeak": False}
    assert (tmp_path / "first.wav").read_bytes() == (tmp_path / "warm.wav").read_bytes()


@pytest.mark.usefixtures("espeak")
def test_espeak_ng_s_version_is_remembered_and_asked_again_when_its_library_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voiceguide.speech import identity

    memo = tmp_path / "espeak-ng.json"
    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(tmp_path))
    real = identity.espeak_version()
    known = json.loads(memo.read_text())
    assert known["version"] == real and Path(known["library"]).is_file()
    memo.write_text(json.dumps(known | {"version": "9.99"}))
    assert identity.espeak_version() == "9.99"  # read from the memo: the library was not asked
    memo.write_text(json.dumps(known | {"version": "9.99", "stamp": [1, 2, 3, 4]}))
    assert identity.espeak_version() == real  # a different file: asked again
    memo.write_text("{not json")
    assert identity.espeak_version() == real


def test_the_remembered_session_peak_is_the_measured_one(monkeypatch: pytest.MonkeyPatch, short_plan) -> None:
    from voiceguide.prepare import prepare, remembered_peak, session_peak

    routine, pacing = short_plan
    with prepare(routine, pacing) as first:  # measures the gain, and the peak with it
        measured = session_peak(first.timeline, first.store.get)
        assert remembered_peak(first.timeline, first.store) == measured
    reads: list[str] = []
    with prepare(routine, pacing) as again:
        monkeypatch.setattr(again.store, "get", lambda text: reads.append(text))
        assert remembered_peak(again.timeline, again.store) == measured
    assert reads == []  # remembered: no clip was read for it


def test_render_reusing_one_buffer_yields_the_very_blocks_it_yields_fresh(short_session) -> None:
    from voiceguide.audio.render import render

    _, _, store, timeline = short_session
    fresh = [block.copy() for block in render(timeline, store.get, block=5000, gain=0.8)]
    reused = [block.copy() for block in render(timeline, store.get, block=5000, gain=0.8, reuse=True)]
    assert len(fresh) == len(reused) > 2
    assert all(np.array_equal(a, b) for a, b in zip(fresh, reused, strict=True))


def test_a_clip_entry_whose_header_claims_hours_of_samples_reads_as_missing(tmp_path: Path) -> None:
    from voiceguide.speech.cache import MAGIC, ClipCache

    cache = ClipCache(tmp_path)
    key = "ef" * 32
    cache.put(key, 22050, np.full(300, 0.25, dtype=np.float32))
    path = next(tmp_path.rglob("*.clip"))
    data = bytearray(path.read_bytes())
    data[:16] = struct.pack("<8sII", MAGIC, 22050, 0xFFFFFFFF)
    path.write_bytes(bytes(data))
    assert cache.get(key, 22050) is None


def test_the_command_line_keeps_openblas_to_one_thread_unless_the_user_chose() -> None:
    code = (
        "import os; from click.testing import CliRunner; from voiceguide.cli import cli; "
        "CliRunner().invoke(cli, ['list']); print(os.environ.get('OPENBLAS_NUM_THREADS'))"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    ours = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    theirs = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env | {"OPENBLAS_NUM_THREADS": "3"},
        check=True,
    )
    assert (ours.stdout.strip(), theirs.stdout.strip()) == ("1", "3")


def test_tones_kept_in_the_clip_cache_are_the_drawn_ones_and_are_not_drawn_again(
    monkeypatch: pytest.MonkeyPatch, short_plan
) -> None:
    from voiceguide.audio import tones
    from voiceguide.prepare import prepare

    routine, pacing = short_plan
    drawn = {name: tones.draw_tone(name, 22050) for name in tones.TONE_SECONDS}
    monkeypatch.setattr(tones, "_MADE", {})
    with prepare(routine, pacing):  # draws them and stores them
        pass
    monkeypatch.setattr(tones, "_MADE", {})
    monkeypatch.setattr(tones, "draw_tone", lambda name, rate: pytest.fail(f"{name} drawn again"))
    with prepare(routine, pacing) as session:
        used = {e.tone for e in session.timeline.events if e.tone}
        assert used and all(np.array_equal(tones.tone(name, 22050), drawn[name]) for name in used)
    with pytest.raises(ValueError):
        tones.keep_tone("press", 22050, np.zeros(10, dtype=np.float32))


def test_an_engine_that_takes_requests_ahead_is_asked_in_order_and_never_far_ahead(tmp_path: Path) -> None:
    import threading
    import time
    from concurrent.futures import Future

    from voiceguide.speech.cache import ClipCache
    from voiceguide.speech.clips import ASKED_AHEAD, ClipStore
    from voiceguide.speech.standin import StandinEngine

    asked: list[str] = []
    release = threading.Event()

    class Ahead(StandinEngine):
        """The stand-in, taking requests like the speech pool: answered later, on another thread."""

        def submit(self, text: str, *, voice: str | None, rate: int, volume: float) -> Future:
            asked.append(text)
            future: Future = Future()

            def answer() -> None:
                release.wait(10)
                future.set_result(self.synthesize(text, voice=voice, rate=rate, volume=volume))

            threading.Thread(target=answer, daemon=True).start()
            return future

    texts = [f"Point number {n}." for n in range(12)]
    store = ClipStore(Ahead, "ahead-test", 22050, voice=None, rate=150, cache=ClipCache(tmp_path))
    try:
        store.prefetch(texts)
        deadline = time.monotonic() + 5
        while len(asked) < 2 + ASKED_AHEAD and time.monotonic() < deadline:
            time.sleep(0.01)
        assert asked == texts[: 2 + ASKED_AHEAD]  # two being waited for, ASKED_AHEAD more asked, in order
        release.set()
        clips = [store.get(text) for text in texts]
    finally:
        store.close()
    assert asked == texts  # each asked once
    assert all(np.array_equal(clip, store.get(text)) for clip, text in zip(clips, texts, strict=True))


def test_a_cold_session_is_measured_from_its_clips_as_they_are_made_without_reading_one_back(
    monkeypatch: pytest.MonkeyPatch, short_plan
) -> None:
    from voiceguide.prepare import measure_gain, prepare
    from voiceguide.speech.cache import ClipCache

    routine, pacing = short_plan
    reads: list[str] = []
    read = ClipCache.get

    def counted(self: ClipCache, key: str, rate: int) -> np.ndarray | None:
        clip = read(self, key, rate)
        if clip is not None:  # (a cold store looks first, and finds nothing)
            reads.append(key)
        return clip

    monkeypatch.setattr(ClipCache, "get", counted)
    with prepare(routine, pacing) as session:
        spoken = {session.store.key(e.text) for e in session.timeline.events if e.text}
        assert session.store.synthesized == len(spoken) > 3
        assert not spoken & set(reads)  # measured by the workers that made them: none read back
        # The same gain, to the last bit, as measuring the clips read back from the disk cache.
        assert measure_gain(session.timeline, session.store.get) == session.gain
    assert spoken <= set(reads)


def test_a_wav_export_keeps_its_silence_as_holes_and_reads_back_sample_for_sample(tmp_path: Path) -> None:
    import soundfile as sf

    from voiceguide.export.sinks import HOLE, WavSink

    rate = 22050
    tone = (0.5 * np.sin(np.arange(3000) * 0.05)).astype(np.float32)
    blocks = [np.zeros(200_000, np.float32), tone, np.zeros(HOLE * 30 + 7, np.float32), tone[:10], np.zeros(90_001)]
    blocks = [b.astype(np.float32) for b in blocks]  # the session ends in silence: the file must still be whole
    sink = WavSink(tmp_path / "s.wav", rate)
    for block in blocks:
        sink.write(block)
    sink.close()
    whole = np.concatenate(blocks)
    samples, read_rate = sf.read(tmp_path / "s.wav", dtype="int16")
    # Worked out here, not by the sink's own converter: the float32 product with 32767, rounded half to even
    # (libsndfile would truncate: 1 LSB off on half the samples).
    expected = np.rint(whole * np.float32(32767)).astype(np.int16)
    assert read_rate == rate and np.array_equal(samples, expected) and np.count_nonzero(expected) > 3000
    info = (tmp_path / "s.wav").stat()
    assert info.st_size == 44 + 2 * whole.size
    assert info.st_blocks * 512 < info.st_size / 4  # holes: the silence takes no disk space


def test_a_wav_export_that_would_pass_4_gb_stops_with_a_clear_error_before_the_limit(tmp_path: Path) -> None:
    from voiceguide.export import sinks

    sink = sinks.WavSink(tmp_path / "long.wav", 22050)
    sink._bytes = sinks._WAV_MAX - 100  # as if 27 hours were written already
    with pytest.raises(OSError, match="too long for a WAV file"):
        sink.write(np.zeros(51, np.float32))
    sink.close()


def test_only_a_cache_that_never_kept_a_clip_counts_as_a_first_run(tmp_path: Path) -> None:
    from voiceguide.speech.cache import ClipCache

    assert ClipCache.fresh(tmp_path / "never-made")
    cache = ClipCache(tmp_path / "cache")
    cache.put_figure("ab" * 32, 1.5)  # gains and the espeak-ng memo are not clips
    assert ClipCache.fresh(tmp_path / "cache")
    cache.put("cd" * 32, 22050, np.full(300, 0.25, dtype=np.float32))
    assert not ClipCache.fresh(tmp_path / "cache")

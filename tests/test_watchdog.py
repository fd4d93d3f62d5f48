"""A late callback is not a lost device: a hung sound server or a frozen process carries on, an ended
stream is lost at once, and an active stream that stays silent for a minute is given up."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from voiceguide.live.watchdog import AWAKE_STEP, HUNG_SECONDS, CallbackWatch

pytestmark = pytest.mark.usefixtures("espeak", "vsink")
ROOT = Path(__file__).resolve().parent.parent
TINY = str(ROOT / "tests" / "routines" / "tiny.toml")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def open_stream():
    import sounddevice as sd

    def silence(outdata, frames, when, status) -> None:
        outdata.fill(0)

    stream = sd.OutputStream(samplerate=22050, channels=1, dtype="float32", callback=silence)
    stream.start()
    return stream


def test_an_active_stream_without_callbacks_is_lost_only_after_a_minute_the_session_saw() -> None:
    clock = Clock()
    watch = CallbackWatch(clock)
    stream = open_stream()
    try:
        watch.tick(1024)
        watch.check(stream)
        clock.now += 500  # the whole process frozen (suspended, starved): counts as one short step
        assert watch.check(stream) is None and watch.silent == AWAKE_STEP
        verdicts = []
        while clock.now < 100 + 500 + HUNG_SECONDS + 1:
            clock.now += 0.2
            verdicts.append(watch.check(stream))
        first = verdicts.index(next(v for v in verdicts if v))
        assert HUNG_SECONDS - 1 <= (first + 1) * 0.2 + AWAKE_STEP <= HUNG_SECONDS + 0.5
        assert verdicts[first] == f"no audio callback for {HUNG_SECONDS:.0f} s"
        watch.tick(1024)  # a callback at last: all is well again
        assert watch.check(stream) is None and watch.silent == 0
    finally:
        stream.close()


def test_a_stream_that_portaudio_ended_is_lost_after_half_a_second() -> None:
    clock = Clock()
    watch = CallbackWatch(clock)
    stream = open_stream()
    watch.tick(1024)
    watch.check(stream)
    stream.stop()
    clock.now += 0.2
    assert watch.check(stream) is None
    clock.now += 0.4
    assert watch.check(stream) == "the audio stream ended"
    stream.close()


def _play(env: dict[str, str], stats: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "play", TINY, "--quiet"],
        env=env | {"VOICEGUIDE_STATS": str(stats)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_play_process_frozen_for_8_seconds_carries_on_to_the_end(tmp_path: Path) -> None:
    proc = _play(dict(os.environ), tmp_path / "stats.json")
    time.sleep(6)
    proc.send_signal(signal.SIGSTOP)
    time.sleep(8)
    proc.send_signal(signal.SIGCONT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "Session complete" in out, err
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["reason"] == "finished" and stats["longest_gap"] > 7.5 and stats["longest_loop_gap"] > 7.5
    assert -8500 < stats["drift_ms"] < -7000


def test_a_sound_server_that_hangs_for_8_seconds_does_not_end_the_session(tmp_path: Path) -> None:
    own = tmp_path / "own-sink"  # a daemon of our own to freeze, so the shared one is untouched
    started = subprocess.run(
        ["bash", str(ROOT / "scripts" / "vsink.sh"), "start", str(own)], capture_output=True, text=True
    )
    assert started.returncode == 0, started.stderr
    env = dict(os.environ)
    env.update(
        {k: v.strip("'") for k, v in (i.split("=", 1) for i in started.stdout.strip().removeprefix("export ").split())}
    )
    server = int((own / "runtime" / "pulse" / "pid").read_text())
    try:
        proc = _play(env, tmp_path / "stats.json")
        time.sleep(6)
        os.kill(server, signal.SIGSTOP)
        time.sleep(8)
        os.kill(server, signal.SIGCONT)
        out, err = proc.communicate(timeout=60)
    finally:
        os.kill(server, signal.SIGCONT)
        subprocess.run(["bash", str(ROOT / "scripts" / "vsink.sh"), "stop", str(own)], env=env, capture_output=True)
    assert proc.returncode == 0 and "Session complete" in out, err
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["reason"] == "finished" and stats["device_verdict"] is None
    assert stats["longest_gap"] > 7.5 and stats["longest_loop_gap"] < 1.0  # the session was awake throughout
    assert -8500 < stats["drift_ms"] < -7000  # the position waited: it is 8 s behind the clock, not ahead

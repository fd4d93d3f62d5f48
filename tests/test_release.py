"""A live session makes its clips below the audio callback's priority, and lets its voice model go once it has every
clip it can say (voiceguide/live/release.py, tuning.lower_this_thread)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from voiceguide.live.controls import ANSWERS
from voiceguide.live.mixer import CALLBACK_BLOCK as BLOCK
from voiceguide.live.session import LiveSession
from voiceguide.plan.config import effective_pacing
from voiceguide.routine.library import load_routine
from voiceguide.speech.cache import ClipCache
from voiceguide.speech.clips import ClipStore
from voiceguide.speech.standin import StandinEngine

ROUTINES = Path(__file__).parent / "routines"
RATE = 22050
LINUX = sys.platform.startswith("linux")


def nice() -> int:
    """The calling thread's nice value (Linux: a nice value belongs to a thread)."""
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


class NotingEngine(StandinEngine):
    """The stand-in engine, a little slow; notes the nice value of each thread that made a clip, and its closing."""

    def __init__(self, nices: list[int], closed: list[bool]) -> None:
        self.nices, self.closed = nices, closed

    def synthesize(self, text: str, *, voice: str | None, rate: int, volume: float) -> np.ndarray:
        time.sleep(0.01)
        self.nices.append(nice())
        return super().synthesize(text, voice=voice, rate=rate, volume=volume)

    def release(self) -> None:
        self.closed.append(True)


def test_a_cold_live_session_makes_its_clips_below_the_callback_and_then_closes_its_engine_for_good(
    tmp_path: Path,
) -> None:
    routine = load_routine(str(ROUTINES / "tiny.toml"))
    pacing = effective_pacing(routine, {}, None)[0]
    nices: list[int] = []
    closed: list[bool] = []
    store = ClipStore(
        lambda: NotingEngine(nices, closed), "standin-1", RATE, voice=None, rate=pacing.rate, cache=ClipCache(tmp_path)
    )
    live = LiveSession(routine, "tiny", pacing, store=store)
    player = live._start_player()
    callback: list[int] = []
    end = time.monotonic() + 30
    while not closed and time.monotonic() < end:  # the sound card: fills in a thread of its own, in real time
        filler = threading.Thread(target=lambda: (callback.append(nice()), player.fill(BLOCK)))
        filler.start()
        filler.join()
        time.sleep(BLOCK / RATE)
    assert live._failure is None and live.timeline is not None
    assert closed == [True]  # released once, every clip made
    assert store.engines_started == 1
    for text in [*ANSWERS.values(), *(e.text for e in live.timeline.events if e.text)]:
        assert store.at_hand(text)
    # Answers and the whole session play from the clips made, and no engine starts again.
    for text in ANSWERS.values():
        store.get(text)
    while not player.finished.is_set() and time.monotonic() < end + 30:
        player.fill(BLOCK)
    assert player.finished.is_set() and store.engines_started == 1
    if LINUX:
        assert nices and min(nices) > max(callback)  # every clip was made below the callback thread's priority
    store.close()


@pytest.mark.usefixtures("neural", "vsink")
def test_a_live_neural_session_gives_its_model_back_once_every_clip_is_made(tmp_path: Path) -> None:
    env = dict(os.environ, VOICEGUIDE_CACHE_DIR=str(tmp_path / "cache"), VOICEGUIDE_STATE_DIR=str(tmp_path / "s"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "play", str(ROUTINES / "short.toml"), "--voice", "joe", "--quiet"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = rss = 0
    try:
        end = time.monotonic() + 100
        while time.monotonic() < end and proc.poll() is None:
            with open(f"/proc/{proc.pid}/status") as status:
                rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) // 1024
            peak = max(peak, rss)
            if peak > 200 and rss < peak / 2:
                break
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    print(f"live joe session: {peak} MiB resident at most, {rss} MiB once every clip was made")
    assert "Traceback" not in err, err
    assert peak > 200  # the model was loaded (~350 MiB here)
    assert rss < 150  # and given back: about 107 MiB here (an espeak-ng session: ~68 MiB)

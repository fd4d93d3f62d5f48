#!/usr/bin/env python3
"""Time to the first sound (the start bell) and to the first spoken sample of `voiceguide play`, from the
moment the process is launched, on the virtual sound card (scripts/vsink.sh), with an empty clip cache
(and, with --warm, again with the cache that run filled).

    .venv/bin/python scripts/first_cue.py evening --voice joe --runs 3 --warm
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RATE = 22050
LOW_LATENCY = ["--latency-msec=10", "--raw"]
BELL = 3.0
"""Seconds of the start bell (timeline.TONE_SECONDS["start"]): the first sound after it is the first cue."""


def start_vsink(folder: Path) -> None:
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "vsink.sh"), "start", str(folder)], capture_output=True, text=True, check=True
    )
    for item in done.stdout.strip().removeprefix("export ").split():
        key, value = item.split("=", 1)
        os.environ[key] = value.strip("'")


def measure(args: list[str], cache: Path, seconds: float) -> tuple[float, float]:
    """(first sound, first spoken sample) in seconds after launching `voiceguide play ARGS`."""
    rec = subprocess.Popen(
        ["parec", "-d", "vsink.monitor", "--format=float32le", f"--rate={RATE}", "--channels=1", *LOW_LATENCY],
        stdout=subprocess.PIPE,
    )
    chunks: list[tuple[float, bytes]] = []

    def read() -> None:
        assert rec.stdout is not None
        while data := rec.stdout.read1(4096):
            chunks.append((time.perf_counter(), data))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    time.sleep(0.5)
    env = dict(os.environ, VOICEGUIDE_CACHE_DIR=str(cache), VOICEGUIDE_STATE_DIR=tempfile.mkdtemp())
    start = time.perf_counter()
    play = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "play", *args, "--quiet"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(seconds)
    play.terminate()
    play.wait(10)
    rec.terminate()
    rec.wait(5)
    reader.join(5)
    data = b"".join(chunk for _, chunk in chunks)
    audio = np.frombuffer(data[: len(data) // 4 * 4], dtype="<f4")
    ends = np.cumsum([len(chunk) for _, chunk in chunks]) // 4

    def when(sample: int) -> float:
        k = int(np.searchsorted(ends, sample, side="right"))
        return chunks[k][0] - (ends[k] - sample) / RATE - start

    bell = int(np.flatnonzero(np.abs(audio) > 0.01)[0])
    after = bell + round((BELL + 0.05) * RATE)
    cue = after + int(np.flatnonzero(np.abs(audio[after:]) > 0.02)[0])
    return when(bell), when(cue)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("routine")
    parser.add_argument("--voice")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--warm", action="store_true", help="measure again with the cache the cold run filled")
    parser.add_argument("--seconds", type=float, default=8.0, help="how long to let each session play")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="voiceguide-first-cue-"))
    start_vsink(work / "vsink")
    play = [args.routine, *(["--voice", args.voice] if args.voice else [])]
    for n in range(args.runs):
        cache = work / f"cache-{n}"
        for label in ("cold", "warm") if args.warm else ("cold",):
            sound, cue = measure(play, cache, args.seconds)
            print(f"{' '.join(play)} {label}: first sound {sound:.3f} s, first spoken sample {cue:.3f} s", flush=True)
    subprocess.run(["bash", str(ROOT / "scripts" / "vsink.sh"), "stop", str(work / "vsink")], capture_output=True)


if __name__ == "__main__":
    main()

"""Reaction of spoken commands at the output (issue 14): from the end of a spoken command to the program's answer
beginning in its output, both recorded on one clock on a private virtual sound card.

    PYTHONPATH=. python scripts/bench_listen.py --reaction [--pairs 8]

The card (scripts/vsink.sh) has the program's output `vsink` and the virtual microphone `vmic`. Here a third null
sink `mix` gets vmic's monitor on its left channel and vsink's monitor on its right, through two module-loopbacks
of the same latency; one `parec --latency-msec=20` records it. Both are calibrated first: a click played to a
combine sink of vmic and vsink reaches both channels at once, and the spread of its left-right offset bounds how
far apart the two paths' clocks can be.

The session plays a four-minute hold (silent after its first cues), so the first sound after a command is the
program's answer to it. "pause" and "continue" alternate every few seconds: each is one measurement.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

RATE = 48000
FRAME = RATE // 200  # 5 ms
ROUTINE = """title = "Hold"
closing = "Done."

[pacing]
verbosity = "minimal"
pause = 0.4
gap = 1

[[steps]]
point = "LR3"
name = "Liver 3"
technique = "hold"
minutes = 4
sides = "together"
"""
QUIET_FROM = 18.0
"""Seconds after start from which the hold is silent (its last cue ends at about 14.1 s of the plan)."""
SPACING = 3.5
"""Seconds between the starts of two commands: past the answer ("Resuming." is about 0.8 s) and the gate."""


def _pactl(env: dict[str, str], *args: str) -> str:
    return subprocess.run(["pactl", *args], env=env, check=True, capture_output=True, text=True).stdout.strip()


def card(folder: Path) -> dict[str, str]:
    """Start the private card and add the mix sink, its loopbacks and the calibration combine sink."""
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        ["bash", str(root / "scripts/vsink.sh"), "start", str(folder)], check=True, capture_output=True, text=True
    ).stdout
    env = dict(os.environ)
    env.update({k: v.strip("'") for k, v in (kv.split("=", 1) for kv in out.strip().removeprefix("export ").split())})
    sinks = _pactl(env, "list", "short", "sinks")
    if "\tmix\t" not in sinks:
        _pactl(env, "load-module", "module-null-sink", "sink_name=mix", f"rate={RATE}", "channels=2", "norewinds=1")
        for side, master in (("L", "front-left"), ("R", "front-right")):
            _pactl(
                env,
                "load-module",
                "module-remap-sink",
                f"sink_name=mix{side}",
                "master=mix",
                "channels=1",
                f"master_channel_map={master}",
                "channel_map=mono",
                "remix=no",
            )
        for source, sink in (("vmic.monitor", "mixL"), ("vsink.monitor", "mixR")):
            _pactl(
                env,
                "load-module",
                "module-loopback",
                f"source={source}",
                f"sink={sink}",
                "latency_msec=30",
                "channels=1",
                "source_dont_move=true",
                "sink_dont_move=true",
            )
        _pactl(
            env,
            "load-module",
            "module-combine-sink",
            "sink_name=both",
            "slaves=vmic,vsink",
            f"rate={RATE}",
            "channels=1",
        )
    return env


def record(env: dict[str, str], path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            "parec",
            "-d",
            "mix.monitor",
            "--latency-msec=20",
            "--format=s16le",
            f"--rate={RATE}",
            "--channels=2",
            "--raw",
            str(path),
        ],
        env=env,
    )


def stop_recording(proc: subprocess.Popen, path: Path) -> np.ndarray:
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    proc.wait(5)
    return np.fromfile(path, np.int16).reshape(-1, 2).astype(np.float32) / 32768.0


def levels(x: np.ndarray, frame: int = FRAME) -> np.ndarray:
    """dBFS of each frame (5 ms by default)."""
    n = x.size // frame * frame
    return 10 * np.log10(np.mean(x[:n].reshape(-1, frame) ** 2, axis=1) + 1e-12)


def onsets(db: np.ndarray, threshold: float, apart: float, per_second: int = 200) -> list[int]:
    """Frames where the level first rises above ``threshold`` after at least ``apart`` seconds below it."""
    loud = np.flatnonzero(db > threshold)
    gap = round(apart * per_second)
    return [int(f) for i, f in enumerate(loud) if i == 0 or f - loud[i - 1] > gap]


def calibrate(env: dict[str, str], folder: Path, clicks: int = 8) -> np.ndarray:
    """Milliseconds by which the output path (right) lags the microphone path (left), per click."""
    click = folder / "click.wav"
    subprocess.run(
        [
            "sox",
            "-n",
            "-r",
            str(RATE),
            "-c",
            "1",
            "-b",
            "16",
            str(click),
            "synth",
            "0.2",
            "sine",
            "1000",
            "vol",
            "0.5",
            "pad",
            "0.3",
            "0.3",
        ],
        check=True,
    )
    raw = folder / "calibration.raw"
    rec = record(env, raw)
    time.sleep(1.0)
    for _ in range(clicks):
        subprocess.run(["paplay", "-d", "both", str(click)], env=env, check=True)
        time.sleep(0.3)
    x = stop_recording(rec, raw)
    # 1 ms frames: the offset is a few milliseconds at most.
    left, right = (onsets(levels(x[:, c], RATE // 1000), -30.0, 0.3, 1000) for c in (0, 1))
    n = min(len(left), len(right))
    return (np.array(right[:n]) - np.array(left[:n])) * 1.0


def speak(folder: Path, text: str) -> Path:
    wav = folder / f"{text.replace(' ', '-')}.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), text], check=True)
    return wav


def measure(env: dict[str, str], folder: Path, pairs: int) -> dict:
    """Play the hold with --listen; say pause/continue ``pairs`` times; reaction of each from the recording."""
    routine = folder / "hold.toml"
    routine.write_text(ROUTINE)
    env = dict(env, VOICEGUIDE_STATE_DIR=str(folder / "state"), VOICEGUIDE_CONFIG=str(folder / "config.toml"))
    words = [speak(folder, w) for w in ("pause", "continue")]
    raw = folder / "session.raw"
    rec = record(env, raw)
    time.sleep(0.5)
    play = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "play", str(routine), "--listen"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(QUIET_FROM + 1.0)
    for i in range(2 * pairs):
        began = time.monotonic()
        subprocess.run(["paplay", "-d", "vmic", str(words[i % 2])], env=env, check=True)
        time.sleep(max(0.0, SPACING - (time.monotonic() - began)))
    play.send_signal(signal.SIGTERM)
    out, err = play.communicate(timeout=20)
    x = stop_recording(rec, raw)
    mic, program = levels(x[:, 0]), levels(x[:, 1])
    results, skipped = [], []
    for start in onsets(mic, -45.0, 0.8):
        peak = mic[start : start + 300].max()
        voiced = np.flatnonzero(mic[start : start + 300] > peak - 35.0)
        end = start + int(voiced[-1]) + 1  # the frame after the last voiced one
        before = program[max(0, end - 100) : end]  # the 0.5 s before the command's end
        if before.size and before.max() > -60.0:
            skipped.append(end / 200)  # the program was sounding: the answer cannot be told from it
            continue
        after = np.flatnonzero(program[end : end + 400] > -50.0)
        results.append(float(after[0] * 5.0) if after.size else None)
    return {"reaction_ms": results, "skipped": skipped, "stdout": out, "stderr": err, "code": play.returncode}


def main(pairs: int = 8) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-reaction-"))
    env = card(folder)
    try:
        skew = calibrate(env, folder)
        result = measure(env, folder, pairs)
    finally:
        subprocess.run(
            ["bash", str(Path(__file__).resolve().parent / "vsink.sh"), "stop", str(folder)], capture_output=True
        )
    result["skew_ms"] = skew
    got = [r for r in result["reaction_ms"] if r is not None]
    r = np.array(got) if got else np.array([np.nan])
    print(
        f"\n(e) reaction at the output (end of the spoken command -> the answer begins on the virtual card), "
        f"{len(got)} of {len(result['reaction_ms'])} commands answered within 2 s: median {np.median(r):.0f} ms, "
        f"max {np.max(r):.0f} ms; all: {result['reaction_ms']}"
    )
    print(
        f"    clock alignment of the two recorded paths (click to both, output minus microphone): "
        f"{', '.join(f'{s:+.0f}' for s in skew)} ms; {len(result['skipped'])} commands skipped (program sounding)"
    )
    if result["code"] not in (0, None) or None in result["reaction_ms"]:
        print("    session said:", " | ".join(line.strip() for line in result["stdout"].splitlines()[-30:]))
        print(result["stderr"][-2000:])
    return result


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pairs", type=int, nargs="?", default=8, help="pause/continue pairs (two measurements each)")
    main(ap.parse_args().pairs)

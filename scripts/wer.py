#!/usr/bin/env python3
"""Intelligibility: pocketsphinx's word error rate on the first spoken cues of an exported session.

    .venv/bin/python scripts/wer.py                      # espeak-ng at the default 150 wpm
    .venv/bin/python scripts/wer.py --voice joe          # the neural voice

Exports the routine as WAV, cuts out the first CUES speech events where `show --json` puts them (start
sample and duration are sample-exact in a WAV export), resamples each to 16 kHz with soxr and transcribes
it with pocketsphinx's own English acoustic model and default language model. The rate is all word
errors (substitutions, insertions, deletions) over all reference words, after lower-casing, dropping
punctuation and writing numbers as words.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

CUES = 20
ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen \
seventeen eighteen nineteen".split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    """0..999 in words, as a speaker reads them (larger numbers do not occur in cue texts)."""
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else " " + ONES[n % 10])
    rest = n % 100
    return ONES[n // 100] + " hundred" + ("" if rest == 0 else " " + number_words(rest))


def words(text: str) -> list[str]:
    """Lower-case words without punctuation; digits written out; hyphens split words (forty-nine)."""
    text = re.sub(r"\d+", lambda m: f" {number_words(int(m.group()))} ", text.lower())
    return re.sub(r"[^a-z' ]+", " ", text.replace("-", " ")).replace("'", "").split()


def edits(reference: list[str], hypothesis: list[str]) -> int:
    """Levenshtein distance over words: substitutions + insertions + deletions."""
    row = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        prev, row[0] = row[0], i
        for j, hyp in enumerate(hypothesis, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ref != hyp))
    return row[-1]


def transcribe(decoder: object, audio: object, rate: int) -> str:
    import numpy as np
    import soxr

    pcm = soxr.resample(audio, rate, 16000)
    raw = (np.clip(pcm, -1, 1) * 32767).astype(np.int16).tobytes()
    decoder.start_utt()
    decoder.process_raw(raw, full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return hyp.hypstr if hyp is not None else ""


def measure(
    routine: str, extra: tuple[str, ...], env: dict[str, str] | None, wav: Path, verbose: bool = False
) -> float:
    """Word error rate of the first CUES spoken cues of `routine` exported with the options `extra`."""
    import soundfile as sf
    from benchlib import VOICEGUIDE, run
    from pocketsphinx import Decoder

    run([*VOICEGUIDE, "export", routine, *extra, "-o", str(wav), "--force"], env)
    plan = json.loads(run([*VOICEGUIDE, "show", routine, *extra, "--json"], env)[2])
    cues = [e for e in plan["events"] if e["kind"] == "speech"][:CUES]
    decoder = Decoder(loglevel="FATAL")  # default model and config; only its log is silenced
    errors = total = 0
    with sf.SoundFile(wav) as f:
        for cue in cues:
            f.seek(cue["sample"])
            audio = f.read(round(cue["duration"] * f.samplerate), dtype="float32", always_2d=True)[:, 0]
            heard = transcribe(decoder, audio, f.samplerate)
            ref = words(cue["text"])
            errors += edits(ref, words(heard))
            total += len(ref)
            if verbose:
                print(f"REF: {' '.join(ref)}\nHYP: {heard}\n")
    return errors / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--routine", default="evening")
    parser.add_argument("--voice", help="a voice id (default: espeak-ng)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each reference and transcript")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    extra = ("--voice", args.voice) if args.voice else ()
    with tempfile.TemporaryDirectory(prefix="voiceguide-wer-") as tmp:
        rate = measure(args.routine, extra, None, Path(tmp) / "session.wav", args.verbose)
    print(f"word error rate, {args.voice or 'espeak-ng'}, first {CUES} cues: {rate:.3f}")


if __name__ == "__main__":
    main()

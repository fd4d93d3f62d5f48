"""The synthetic voices over the same fit thresholds as the human benchmark's trade-off table (issue 23): every
phrase by the tuning voices, two unseen voices and the tuning voices at an unseen rate (clean and 20 dB SNR) and the ordinary-speech texts, decoded once with
both thresholds at -inf and judged afterwards (scripts/listen_human.py's ``fits``).

    PYTHONPATH=. python scripts/listen_sweep.py
"""

from __future__ import annotations

import collections
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_listen import run
from listen_corpus import RATES, TEXT_VOICES, UNSEEN_RATE, UNSEEN_VOICES, VOICES, speak, stream, texts
from listen_human import GRID, fits

from voiceguide.live.grammar import COMMAND_OF
from voiceguide.live.recognizer import Recognizer
from voiceguide.live.vad import VAD_RATE, Segmenter


def main() -> None:
    """Decode once, print correct / wrong per set and false actions per hour for each threshold pair."""
    rec = Recognizer(min_fit=-math.inf, min_fit_over_decoy=-math.inf, min_fit_over_decoy_of={})
    phrases = list(COMMAND_OF)
    said = []
    rng = np.random.default_rng(14)
    sets = (
        ("tune", [(v, r) for v, _ in VOICES for r in RATES]),
        ("unseen voices", UNSEEN_VOICES),
        ("tuning voices, unseen rate", UNSEEN_RATE),
    )
    for tag, pairs in sets:
        for voice, rate in pairs:
            for snr in (None, 20):
                audio, spans = stream([speak(p, voice, rate) for p in phrases], snr, rng)
                rec.segmenter = Segmenter()
                every = run(rec, audio)
                for p, (t0, t1) in zip(phrases, spans, strict=True):
                    said.append((tag, p, [d for d in every if t0 - 0.3 <= d.start < t1 + 0.3]))
    speech, seconds = [], 0.0
    rng = np.random.default_rng(15)
    for voice, rate in TEXT_VOICES:
        for snr in (None, 20):
            audio, _ = stream([speak(t, voice, rate) for t in texts()], snr, rng)
            rec.segmenter = Segmenter()
            speech += run(rec, audio)
            seconds += audio.size / VAD_RATE
    print(
        "synthetic voices: min_fit, min_fit_over_decoy | tune correct wrong | unseen voices correct wrong | "
        "tuning voices at an unseen rate correct wrong | speech/h"
    )
    for a, b in GRID:
        judge = fits(a, b)
        c: dict = collections.defaultdict(collections.Counter)
        for tag, p, ds in said:
            acted = [d for d in ds if d.command is not None and judge(d)]
            c[tag]["n"] += 1
            c[tag]["correct"] += len(acted) == 1 and acted[0].command == COMMAND_OF[p]
            c[tag]["wrong"] += any(d.command != COMMAND_OF[p] for d in acted) or len(acted) > 1
        acts = sum(1 for d in speech if d.command is not None and judge(d))
        t, h, r = c["tune"], c["unseen voices"], c["tuning voices, unseen rate"]
        print(
            f"  {a:5.1f} {b:5.1f} | {t['correct'] / t['n']:6.1%} {t['wrong'] / t['n']:5.1%} | "
            f"{h['correct'] / h['n']:6.1%} {h['wrong'] / h['n']:5.1%} | "
            f"{r['correct'] / r['n']:6.1%} {r['wrong'] / r['n']:5.1%} | {acts / (seconds / 3600):4.1f} "
            f"({acts} in {seconds / 60:.1f} min)"
        )


if __name__ == "__main__":
    main()

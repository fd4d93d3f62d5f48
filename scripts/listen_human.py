"""The human-voice part of the spoken-command benchmark (issue 23): recordings of real people (made by
scripts/human_corpus.py) run through the listening path of `play --listen` (voiceguide.live.recording), one by one,
each after 2 s of noise like its own quiet (a microphone is never digitally silent, and a lead of zeros
would make the recording's start an onset of its own).

Per source and part (tune / held-out): commands taken correctly / wrongly, other single words acted on, and false
actions per hour of ordinary speech. ``sweep`` re-judges the same decodings over a threshold (no second decoding).
"""

from __future__ import annotations

import collections
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import soundfile as sf

from voiceguide.live.grammar import COMMAND_OF
from voiceguide.live.recognizer import Decision, Recognizer
from voiceguide.live.recording import feed_stream
from voiceguide.live.vad import VAD_RATE, Segmenter

LEAD = 2.0
"""Seconds of the recording's own room noise before it (as the synthetic benchmark's 2 s gap)."""


def room_noise(audio: np.ndarray, seconds: float, seed: int = 0) -> np.ndarray:
    """``seconds`` of noise with the spectrum and level of the recording's quiet: a quiet 100 ms (the 20th
    percentile by level among stretches that are not digital silence, which some clips are padded with),
    resynthesized with random phases so that it neither repeats nor clicks."""
    win, n = VAD_RATE // 10, round(seconds * VAD_RATE)
    starts = np.arange(0, max(1, audio.size - win), win // 2)
    rms = np.array([np.sqrt(np.mean(audio[i : i + win].astype(np.float64) ** 2)) for i in starts])
    live = starts[rms > 3e-5]
    if live.size == 0:
        return np.zeros(n, np.float32)
    at = live[np.argsort(rms[rms > 3e-5])[len(live) // 5]]
    piece = audio[at : at + win].astype(np.float64) * np.hanning(win) * np.sqrt(8 / 3)
    magnitude = np.interp(np.fft.rfftfreq(n), np.fft.rfftfreq(win), np.abs(np.fft.rfft(piece)))
    phase = np.exp(2j * np.pi * np.random.default_rng(seed).random(magnitude.size))
    noise = np.fft.irfft(magnitude * phase, n)
    target = np.sqrt(np.mean(audio[at : at + win].astype(np.float64) ** 2))
    return (noise * target / max(float(np.sqrt(np.mean(noise**2))), 1e-12)).astype(np.float32)


def decisions(folder: Path, rec: Recognizer, part: str | None = None) -> list[dict]:
    """Every recording of the manifest (of one part, or all) with every decision on it (accepted or not)."""
    rows = []
    for item in json.loads((folder / "manifest.json").read_text()):
        if part is not None and item["part"] != part:
            continue
        audio, rate = sf.read(folder / item["file"], dtype="float32")
        assert rate == VAD_RATE
        rec.segmenter = Segmenter(rec.segmenter.s)  # a fresh microphone for every recording
        every = feed_stream(rec, np.concatenate([room_noise(audio, LEAD), audio]), VAD_RATE)
        rows.append(item | {"decisions": every})
    return rows


Judge = Callable[[Decision], bool]


def _acted(row: dict, judge: Judge | None) -> list[Decision]:
    return [d for d in row["decisions"] if d.command is not None and (judge is None or judge(d))]


def table(rows: list[dict], judge: Judge | None = None) -> dict[tuple[str, str, str], collections.Counter]:
    """Counts per (kind, source, part): n, correct, wrong, none (commands); acted (words); actions, seconds."""
    out: dict = collections.defaultdict(collections.Counter)
    for row in rows:
        acted = _acted(row, judge)
        source = row["source"] if row["kind"] != "word" else f"{row['source'].split('/')[0]}: {row['label']}"
        for key in ((row["kind"], source, row["part"]), (row["kind"], "all", row["part"])):
            c = out[key]
            c["n"] += 1
            if row["kind"] == "command":
                want = COMMAND_OF[row["label"]]
                right = [d for d in acted if d.command == want]
                verdict = "wrong" if len(acted) > len(right) else ("correct" if right else "none")
                c[verdict] += 1
            elif row["kind"] == "word":
                c["acted"] += bool(acted)
            else:
                c["actions"] += len(acted)
                c["seconds"] += row["seconds"]
    return out


def line(kind: str, c: collections.Counter) -> str:
    """One row of the printed table."""
    n = c["n"]
    if kind == "command":
        return f"n={n:4d}  correct {c['correct'] / n:6.1%}  wrong {c['wrong'] / n:5.1%}  none {c['none'] / n:5.1%}"
    if kind == "word":
        return f"n={n:4d}  acted on {c['acted'] / n:5.1%} ({c['acted']})"
    hours = c["seconds"] / 3600
    return f"{c['seconds'] / 60:5.1f} min  {c['actions']} false actions = {c['actions'] / hours:5.1f}/hour"


def report(rows: list[dict], judge: Judge | None = None) -> None:
    """The per-source table, tune part and held-out part apart; every false or wrong action of the held-out part."""
    t = table(rows, judge)
    targets = {"command": "target >= 95 % correct, <= 1 % wrong", "word": "target <= 1 %", "speech": "target <= 1/hour"}
    for kind in ("command", "word", "speech"):
        print(f"\n  {kind} ({targets[kind]})")
        for (k, source, part), c in sorted(t.items(), key=lambda kv: (kv[0][2] != "tune", kv[0][1] != "all", kv[0])):
            if k == kind:
                print(f"    {part:8s} {source:36s} {line(kind, c)}")
    print("\n  held-out part: what other words were taken for, and each action on ordinary speech")
    taken: collections.Counter = collections.Counter()
    for row in rows:
        if row["part"] != "held-out" or row["kind"] == "command":
            continue
        for d in _acted(row, judge):
            if row["kind"] == "word":
                taken[f"{row['label']} -> {d.phrase}"] += 1
            else:
                print(f"    {row['file']} at {d.start - LEAD:.1f} s: {d.phrase}")
    print("    words: " + ", ".join(f"{k} {n}" for k, n in taken.most_common()))


def fits(min_fit: float, min_fit_over_decoy: float, of: dict[str, float] | None = None) -> Judge:
    """The recognizer's fit rules, applied afterwards to decisions made with them all at -inf (the same verdicts
    as a Recognizer built with these thresholds: the rules depend on nothing else); ``of``: the stricter second
    pass of some phrases (default: the recognizer's MIN_FIT_OVER_DECOY_OF; {} for none, as at ce93ced)."""
    from voiceguide.live.recognizer import MIN_FIT_OVER_DECOY_OF

    stricter = MIN_FIT_OVER_DECOY_OF if of is None else of

    def judge(d: Decision) -> bool:
        if not d.alone:
            return d.fit >= min_fit
        return d.fit >= max(min_fit, min_fit_over_decoy, stricter.get(d.phrase or "", -math.inf))

    return judge


def sweep(rows: list[dict], values: Sequence[tuple[float, float]], part: str) -> None:
    """Correct / wrong on commands, words acted on, actions per hour, for each pair of fit thresholds."""
    print(f"\n  trade-off ({part} part): min_fit, min_fit_over_decoy (and the stricter second pass of some phrases)")
    print("                              | command correct, wrong | words acted | speech/h")
    for a, b in values:
        t = table([r for r in rows if r["part"] == part], fits(a, b))
        cmd, word, speech = t[("command", "all", part)], t[("word", "all", part)], t[("speech", "all", part)]
        hours = max(speech["seconds"], 1) / 3600
        print(
            f"    {a:6.2f} {b:6.2f} | {cmd['correct'] / max(cmd['n'], 1):6.1%} {cmd['wrong'] / max(cmd['n'], 1):5.1%} "
            f"| {word['acted'] / max(word['n'], 1):5.1%} | {speech['actions'] / hours:6.1f}"
        )


GRID = [
    (-6.5, -3.5),
    (-6.5, -3.0),
    (-6.5, -2.5),
    (-6.5, -2.25),
    (-6.5, -2.0),
    (-6.5, -1.75),
    (-6.5, -1.5),
    (-6.5, math.inf),
    (-5.5, math.inf),
]
"""The (min_fit, min_fit_over_decoy) pairs of the trade-off tables (inf: no second pass); the first is ce93ced's, but
the tables apply the recognizer's stricter second pass of some phrases (MIN_FIT_OVER_DECOY_OF) in every row."""


def main(folder: Path) -> None:
    """Decode every recording once; print the table at ce93ced's thresholds and at the defaults, and the trade-off
    over the thresholds."""
    from voiceguide.live.recognizer import MIN_FIT, MIN_FIT_OVER_DECOY, MIN_FIT_OVER_DECOY_OF

    rec = Recognizer(min_fit=-math.inf, min_fit_over_decoy=-math.inf, min_fit_over_decoy_of={})
    rows = decisions(folder, rec)
    for title, (a, b), of in (
        ("with ce93ced's thresholds", GRID[0], {}),
        (f"now (stricter second pass: {MIN_FIT_OVER_DECOY_OF})", (MIN_FIT, MIN_FIT_OVER_DECOY), None),
    ):
        print(f"\n(h) real people ({folder}), {title}: min_fit {a}, min_fit_over_decoy {b}")
        report(rows, fits(a, b, of))
    for part in ("tune", "held-out"):
        sweep(rows, GRID, part)
    seconds = sum(r["seconds"] + LEAD for r in rows)
    print(f"  recognizer CPU over the human recordings: {100 * rec.cpu / seconds:.2f} % of one core")

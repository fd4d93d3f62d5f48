"""Benchmark of spoken commands (issue 14): accuracy, false actions on echo and on ordinary speech, CPU, reaction.

    PYTHONPATH=. python scripts/bench_listen.py [--quick] [--confusion] [--echo /tmp/e.wav --plan /tmp/e.json]
        [--reaction [--pairs 8]] [--human DIR [--human-only]]

--echo/--plan: the evening session exported (`python -m voiceguide export evening -o /tmp/e.wav`) and its plan
(`python -m voiceguide show evening --json > /tmp/e.json`); made here when not given.
--confusion: also the confusion table of the candidate phrases that led to the chosen ones.
--reaction: also the reaction at the output on a private virtual sound card (scripts/listen_reaction.py).
--human DIR: first, recordings of real people (made by scripts/human_corpus.py; see scripts/listen_human.py).
Every command that is missed or wrong is listed with the rule that rejected it and what the grammar decoded.
Two sets apart from the tuning set: two espeak-ng voice variants never used for tuning (at the tuning rates), and
the tuning voices at a rate never used for tuning. Speech is cached in
/tmp/bench-listen-speech (BENCH_LISTEN_CACHE).
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from listen_corpus import RATES, TEXT_VOICES, UNSEEN_RATE, UNSEEN_VOICES, VOICES, speak, stream, texts

from voiceguide.live.grammar import COMMAND_OF, PHRASES
from voiceguide.live.recognizer import Recognizer, intervals_gate
from voiceguide.live.vad import VAD_RATE

CANDIDATES = {
    "pause": ["pause", "pause please", "hold on", "wait"],
    "resume": ["continue", "resume", "go on", "carry on", "keep going"],
    "next": ["next", "next point", "skip", "skip ahead", "next one"],
    "previous": ["back", "go back", "previous", "previous point", "last point"],
    "repeat": ["repeat", "say again", "where is it", "repeat that"],
    "louder": ["louder", "volume up", "speak up"],
    "softer": ["softer", "quieter", "volume down"],
    "quit": ["stop", "stop session", "quit", "goodbye", "end session"],
}


def run(rec: Recognizer, audio: np.ndarray, block: int = 320) -> list:
    """Feed in 20 ms blocks, as the listener does; every decision."""
    out = []
    for i in range(0, audio.size, block):
        out += rec.feed(audio[i : i + block])
    return out


def commands(quick: bool, pairs: list[tuple[str, int]]) -> dict:
    """(a) every phrase x (voice, rate) pairs x clean and 20 dB SNR; also reaction to the decision (e) and CPU (d)."""
    rng = np.random.default_rng(14)
    table: dict = collections.defaultdict(collections.Counter)
    by_voice: dict = collections.defaultdict(collections.Counter)
    reaction, cpu, seconds, lost = [], 0.0, 0.0, []
    phrases = [p[0] for p in PHRASES.values()] if quick else list(COMMAND_OF)
    for voice, rate in pairs:
        for snr in (None, 20):
            audio, spans = stream([speak(p, voice, rate) for p in phrases], snr, rng)
            rec = Recognizer()
            every = run(rec, audio)
            decisions = [d for d in every if d.command]
            cpu, seconds = cpu + rec.cpu, seconds + audio.size / VAD_RATE
            for phrase, (t0, t1) in zip(phrases, spans, strict=True):
                heard = [d for d in decisions if t0 - 0.3 <= d.start < t1 + 0.3]
                got = heard[0].phrase if heard else None
                verdict = "none" if not heard else ("correct" if heard[0].command == COMMAND_OF[phrase] else "wrong")
                if len(heard) > 1:
                    verdict = "wrong"
                if verdict != "correct":
                    why = [f"{d.reason}:{d.phrase}" for d in every if t0 - 0.3 <= d.start < t1 + 0.3]
                    lost.append(
                        f"{phrase!r} {voice}@{rate} {'20dB' if snr else 'clean'} {verdict}: {why or 'no utterance'}"
                    )
                table[phrase][got] += 1
                for key in (f"{voice}@{rate}", voice, "all", "snr20" if snr else "clean"):
                    by_voice[key][verdict] += 1
                reaction += [d.decided - d.end + d.cpu for d in heard]
    return {"table": table, "by_voice": by_voice, "reaction": reaction, "cpu": cpu, "seconds": seconds, "lost": lost}


def ordinary_speech(quick: bool) -> dict:
    """(c) the routine's texts and plain sentences read by the TEXT_VOICES (four the program never speaks with, and
    en-us and joe, which it can), clean and with noise."""
    rng = np.random.default_rng(15)
    actions, seconds, cpu = [], 0.0, 0.0
    for voice, rate in TEXT_VOICES[:2] if quick else TEXT_VOICES:
        for snr in (None, 20):
            audio, _ = stream([speak(t, voice, rate) for t in texts()], snr, rng)
            rec = Recognizer()
            actions += [(voice, snr, d.phrase, round(d.start, 1)) for d in run(rec, audio) if d.command]
            seconds, cpu = seconds + audio.size / VAD_RATE, cpu + rec.cpu
    return {"actions": actions, "seconds": seconds, "cpu": cpu}


def echo(wav: Path, plan: Path) -> dict:
    """(b) the session's own audio as echo: with the gate play uses, and without it."""
    audio, sr = sf.read(wav, dtype="float32", always_2d=True)
    began = time.process_time()
    audio = soxr.resample(audio.mean(axis=1), sr, VAD_RATE).astype(np.float32)
    resample_cpu = time.process_time() - began
    events = json.loads(plan.read_text())["events"]
    speech = [(e["start"], e["start"] + e["duration"]) for e in events if e["kind"] == "speech"]
    gated = Recognizer(intervals_gate(speech))
    with_gate = [d for d in run(gated, audio) if d.command]
    free = Recognizer()
    without = [d for d in run(free, audio) if d.command]
    inside = intervals_gate(speech, 0.0)
    between = [d for d in without if not inside(d.start, d.end)]
    return {
        "seconds": audio.size / VAD_RATE,
        "with_gate": with_gate,
        "without": without,
        "between": between,
        "cpu_gated": gated.cpu,
        "cpu_free": free.cpu,
        "resample_cpu": resample_cpu,
        "source_rate": sr,
    }


def confusion() -> None:
    """The candidate phrases decoded against one grammar of them all (no decoys, no rejection): who is heard as whom."""
    from pocketsphinx import Decoder

    of = {p: c for c, ps in CANDIDATES.items() for p in ps}
    dec = Decoder(lm=None, loglevel="FATAL")
    dec.add_jsgf_string("c", "#JSGF V1.0;\ngrammar c;\npublic <c> = " + " | ".join(of) + ";\n")
    dec.activate_search("c")
    rng = np.random.default_rng(16)
    rows: dict = collections.defaultdict(collections.Counter)
    for voice, _ in VOICES:
        for rate in RATES:
            for snr in (None, 20):
                audio, spans = stream([speak(p, voice, rate) for p in of], snr, rng)
                rec = Recognizer()
                for seg in (
                    s
                    for i in range(0, audio.size, 320)
                    for s in rec.segmenter.feed(_int16(audio[i : i + 320]))
                    if s.final  # not the early looks
                ):
                    phrase = next(
                        (p for p, (t0, t1) in zip(of, spans, strict=True) if t0 - 0.3 <= seg.start < t1), None
                    )
                    if phrase is None:
                        continue
                    dec.start_utt()
                    dec.process_raw(seg.audio.tobytes(), full_utt=True)
                    dec.end_utt()
                    hyp = dec.hyp()
                    rows[phrase][hyp.hypstr if hyp and hyp.hypstr in of else "(nothing)"] += 1
    n = len(VOICES) * len(RATES) * 2
    print(f"\nConfusion of candidate phrases ({n} utterances each; X = another command)")
    for phrase, command in of.items():
        wrong = [f"{h}{'' if of.get(h) == command else ' X'} {c}" for h, c in rows[phrase].most_common() if h != phrase]
        print(f"  {phrase:15s} {command:9s} {rows[phrase][phrase]:2d}/{n}  {', '.join(wrong)}")


def _int16(x: np.ndarray) -> np.ndarray:
    return (np.clip(x, -1, 1) * 32767).astype(np.int16)


def report(title: str, a: dict, detail: bool) -> None:
    """Correct / wrong / none per voice (and per voice and rate), and each lost command with its reason."""
    by = a["by_voice"]
    print(f"\n{title}: correct / wrong / none")
    for key, c in sorted(by.items(), key=lambda kv: (kv[0] != "all", kv[0])):
        n = sum(c.values())
        print(f"  {key:18s} n={n:4d}  {c['correct'] / n:6.1%}  {c['wrong'] / n:6.1%}  {c['none'] / n:6.1%}")
    if detail:
        print("  per phrase (what was heard):")
        for phrase, got in a["table"].items():
            print(f"    {phrase:15s} " + ", ".join(f"{h or '(nothing)'} {c}" for h, c in got.most_common()))
    print("  missed or wrong (rule:decoded):")
    for line in a["lost"]:
        print(f"    {line}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="first phrase of each command, fewer voices of text")
    ap.add_argument("--confusion", action="store_true")
    ap.add_argument("--echo", type=Path)
    ap.add_argument("--plan", type=Path)
    ap.add_argument("--reaction", action="store_true", help="reaction at the output on a virtual card")
    ap.add_argument("--pairs", type=int, default=8, help="pause/continue pairs for --reaction")
    ap.add_argument("--human", type=Path, metavar="DIR", help="recordings of real people (scripts/human_corpus.py)")
    ap.add_argument("--human-only", action="store_true", help="with --human: skip the synthetic voices")
    args = ap.parse_args()
    if args.human:
        import listen_human

        listen_human.main(args.human)
        if args.human_only:
            return
    if args.confusion:
        confusion()
    a = commands(args.quick, [(voice, rate) for voice, _ in VOICES for rate in RATES])
    report("(a) spoken commands, tuning set", a, True)
    unseen = commands(args.quick, UNSEEN_VOICES)
    report("(a') spoken commands, two espeak-ng voice variants not used for tuning, at the tuning rates", unseen, False)
    faster = commands(args.quick, UNSEEN_RATE)
    report("(a'') spoken commands, the tuning voices at 165 wpm (a rate not used for tuning)", faster, False)
    c = ordinary_speech(args.quick)
    hours = c["seconds"] / 3600
    print(
        f"\n(c) ordinary speech by {len(TEXT_VOICES)} voice/rate pairs (listen_corpus.TEXT_VOICES), "
        f"{c['seconds'] / 60:.1f} min: {len(c['actions'])} false actions "
        f"= {len(c['actions']) / hours:.1f}/hour {c['actions']}"
    )
    folder = Path(tempfile.mkdtemp(prefix="bench-listen-"))
    wav, plan = args.echo, args.plan
    if wav is None or plan is None:
        wav, plan = folder / "e.wav", folder / "e.json"
        subprocess.run([sys.executable, "-m", "voiceguide", "export", "evening", "-o", str(wav)], check=True)
        plan.write_text(
            subprocess.run(
                [sys.executable, "-m", "voiceguide", "show", "evening", "--json"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
    b = echo(wav, plan)
    print(
        f"\n(b) the evening session as echo, {b['seconds'] / 60:.1f} min: {len(b['with_gate'])} false actions with "
        f"gating; without gating {len(b['without'])} ({len(b['between'])} of them between the program's speech)"
    )
    for d in b["without"]:
        print(f"    {d.start:8.1f}s  {d.phrase}")
    audio_s = a["seconds"] + unseen["seconds"] + faster["seconds"] + c["seconds"] + b["seconds"] * 2
    cpu = a["cpu"] + unseen["cpu"] + faster["cpu"] + c["cpu"] + b["cpu_gated"] + b["cpu_free"]
    print(
        f"\n(d) CPU of the recognizer: {100 * cpu / audio_s:.2f} % of one core over {audio_s / 60:.0f} min "
        f"(gated echo alone {100 * b['cpu_gated'] / b['seconds']:.2f} %; {b['source_rate'] / 1000:g} kHz->16 kHz "
        "resampling of the export "
        f"{100 * b['resample_cpu'] / b['seconds']:.2f} %)"
    )
    r = np.array(a["reaction"])
    print(
        f"(e) reaction, end of the command to the decision: median {np.median(r) * 1000:.0f} ms, "
        f"95th percentile {np.percentile(r, 95) * 1000:.0f} ms, max {r.max() * 1000:.0f} ms"
    )
    if args.reaction:
        import listen_reaction

        listen_reaction.main(args.pairs)


if __name__ == "__main__":
    main()

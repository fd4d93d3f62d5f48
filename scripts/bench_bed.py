#!/usr/bin/env python3
"""Sound-bed figures: levels under the voice, loudness and peak of exports with each bed, warm export time
with and without a bed, memory of a long export with a bed, and BedTrack.block's CPU per second of audio.

    .venv/bin/python scripts/bench_bed.py levels --routine evening --beds brown,pink,rain,drone
    .venv/bin/python scripts/bench_bed.py time --routine evening --runs 3
    .venv/bin/python scripts/bench_bed.py memory --routine evening --scales 1,2.6
    .venv/bin/python scripts/bench_bed.py cpu --routine evening
"""

from __future__ import annotations

import argparse
import math
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import VOICEGUIDE, env_with, run


def k_power(audio: np.ndarray, rate: int, chunk: int = 1 << 20):
    """(start, K-weighted squared samples) in chunks: the whole evening at once would take ~1 GB."""
    from voiceguide.audio.loudness import k_impulse, k_weighted

    carry = np.zeros(k_impulse(rate).size - 1)
    for start in range(0, audio.size, chunk):
        piece = k_weighted(audio[start : start + chunk], rate)
        piece[: carry.size] += carry
        n = min(chunk, audio.size - start)
        carry = piece[n:]
        yield start, piece[:n] ** 2


def levels(routine_ref: str, beds: list[str], scale: float | None, level: float, work: Path) -> None:
    """Voice, bed between cues and bed under speech (K-weighted), integrated loudness and peak of each export."""
    import soundfile as sf

    from voiceguide.audio.loudness import gated
    from voiceguide.export.writer import export
    from voiceguide.plan.config import effective_pacing
    from voiceguide.plan.timeline import Kind
    from voiceguide.prepare import prepare
    from voiceguide.routine.library import load_routine

    routine = load_routine(routine_ref)
    pacing, _ = effective_pacing(routine, {"scale": str(scale)} if scale else {}, None, saved={})
    voice_plain = None
    print(
        f"{'bed':<8} {'LUFS':>7} {'peak dBFS':>9} {'voice dB':>8} {'bed under voice: between':>25} {'under cues':>10}"
    )
    for bed in ["none", *beds]:
        with prepare(routine, replace(pacing, bed=bed, bed_level=level)) as session:
            path = export(session, work / f"{bed.replace('/', '_')}.wav", "wav", force=True).path
            timeline, track, gain = session.timeline, session.bed, session.gain
        audio = sf.read(str(path), dtype="float32")[0]
        path.unlink()
        rate = timeline.sample_rate
        during = np.zeros(audio.size, dtype=bool)
        between = np.ones(audio.size, dtype=bool)
        ramp = round(0.25 * rate)
        for e in timeline.events:
            if e.kind is Kind.SPEECH:
                during[e.start : e.end] = True
                between[max(0, e.start - ramp) : e.end + ramp] = False
            else:
                between[e.start : e.end] = False
        between[: 5 * rate] = False
        between[[e for e in timeline.events if e.tone == "end"][-1].start :] = False
        hop = rate // 10
        sums = {"between": 0.0}
        hops = np.zeros(audio.size // hop)
        for start, power in k_power(audio, rate):
            sums["between"] += float(power[between[start : start + power.size]].sum())
            whole = power[: (power.size // hop) * hop].reshape(-1, hop).sum(axis=1)  # chunks are whole hops
            hops[start // hop : start // hop + whole.size] = whole[: hops.size - start // hop]
        # The voice's level as BS.1770 has it (gated, as its clips were levelled), over the spoken spans.
        spoken = np.concatenate([audio[e.start : e.end] for e in timeline.events if e.kind is Kind.SPEECH])
        voice = gated(
            np.concatenate(
                [p[: p.size // hop * hop].reshape(-1, hop).sum(axis=1) for _, p in k_power(spoken, rate, hop * 4096)]
            ),
            hop,
        )
        lufs = gated(hops, hop)
        peak = 20 * math.log10(float(np.max(np.abs(audio))))
        row = f"{bed[-8:]:<8} {lufs:7.2f} {peak:9.2f} {voice - (voice_plain or voice):+8.2f}"
        if track is None:
            voice_plain = voice
            print(row, flush=True)
            continue
        between_lufs = -0.691 + 10 * math.log10(sums["between"] / between.sum())
        # The bed alone under the cues: the track's own samples at the export gain.
        under_sum = 0.0
        for e in (e for e in timeline.events if e.kind is Kind.SPEECH):
            alone = next(k_power(track.block(e.start - rate, e.duration + 2 * rate) * np.float32(gain), rate))[1]
            under_sum += float(alone[rate : rate + e.duration].sum())
        under = -0.691 + 10 * math.log10(under_sum / during.sum())
        print(f"{row} {voice - between_lufs:25.2f} {voice - under:10.2f}", flush=True)


def warm_time(routine: str, runs: int, bed: str, work: Path) -> None:
    """Alternating warm exports with and without the bed: median wall time and peak RSS."""
    cache = work / "cache"
    for name in ("none", bed):  # clips synthesized, the bed's loop built, both gains measured: all warm
        run([*VOICEGUIDE, "export", routine, "-o", str(work / "prime.wav"), "--force", "--bed", name], env_with(cache))
    times: dict[str, list[tuple[float, float]]] = {"none": [], bed: []}
    for _ in range(runs):
        for name in times:
            cmd = [*VOICEGUIDE, "export", routine, "-o", str(work / "t.wav"), "--force", "--bed", name]
            times[name].append(run(cmd, env_with(cache))[:2])
    base = statistics.median(w for w, _ in times["none"])
    for name, values in times.items():
        wall = statistics.median(w for w, _ in values)
        rss = max(r for _, r in values)
        print(f"warm export --bed {name:<6} {wall:6.2f} s (x{wall / base:.2f})  peak RSS {rss:6.1f} MiB  runs {values}")


def memory(routine: str, scales: list[float], bed: str, work: Path) -> None:
    """Peak RSS of a warm export with the bed at several session lengths."""
    cache = work / "cache"
    run([*VOICEGUIDE, "export", routine, "-o", str(work / "prime.wav"), "--force", "--bed", bed], env_with(cache))
    for scale in scales:
        # The same work at every length: clips and loop cached, the loudness gain measured anew.
        shutil.rmtree(cache / "gains", ignore_errors=True)
        cmd = [*VOICEGUIDE, "export", routine, "-o", str(work / "long.flac"), "--force", "--scale", str(scale)]
        wall, rss, text = run([*cmd, "--bed", bed], env_with(cache))
        print(f"export x{scale:g} --bed {bed}: {text.strip()}  wall {wall:.1f} s  peak RSS {rss:.1f} MiB")


def cpu(routine_ref: str, bed: str, block: int) -> None:
    """CPU seconds BedTrack.block takes per second of audio, over a whole session, in live-sized blocks."""
    from voiceguide.audio.bed import BedTrack, open_bed
    from voiceguide.plan.config import effective_pacing
    from voiceguide.prepare import build_timeline, open_store
    from voiceguide.routine.library import load_routine

    routine = load_routine(routine_ref)
    pacing, _ = effective_pacing(routine, {}, None, saved={})
    store = open_store(pacing)
    timeline = build_timeline(routine, pacing, store)
    store.close()
    track = BedTrack(timeline, open_bed(bed, timeline.sample_rate), 20.0)
    start = time.process_time()
    for pos in range(0, timeline.length, block):
        track.block(pos, min(block, timeline.length - pos))
    spent = time.process_time() - start
    idle_start = time.process_time()
    for _ in range(0, 60 * timeline.sample_rate, block):
        track.idle(block, True, 0)
    idle = (time.process_time() - idle_start) / 60
    print(
        f"BedTrack.block({bed}, {block}): {spent / timeline.duration * 100:.3f} % of a core "
        f"({spent:.2f} s CPU for {timeline.duration:.0f} s of audio); idle: {idle * 100:.3f} %"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["levels", "time", "memory", "cpu"])
    parser.add_argument("--routine", default="evening")
    parser.add_argument("--beds", default="brown,pink,rain,drone")
    parser.add_argument("--bed", default="brown")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=float)
    parser.add_argument("--scales", default="1,2.6")
    parser.add_argument("--block", type=int, default=1024)
    parser.add_argument("--level", type=float, default=20.0, help="--bed-level for `levels`")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-bed-") as folder:
        work = Path(folder)
        if args.what == "levels":
            levels(args.routine, args.beds.split(","), args.scale, args.level, work)
        elif args.what == "time":
            warm_time(args.routine, args.runs, args.bed, work)
        elif args.what == "memory":
            memory(args.routine, [float(s) for s in args.scales.split(",")], args.bed, work)
        else:
            cpu(args.routine, args.bed, args.block)


if __name__ == "__main__":
    main()

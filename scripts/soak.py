#!/usr/bin/env python3
"""Soak: play a routine into a private virtual sound card while the machine is busy, record what comes
out, and report whether the session reached its end bell, spurious stops, underruns, the longest callback
gap, the largest silence where the plan has sound, drift, event onsets against the plan, and memory.

    .venv/bin/python scripts/soak.py                          # the whole evening (48 min) under load
    .venv/bin/python scripts/soak.py --minutes 10             # its first 10 minutes, then SIGTERM
    .venv/bin/python scripts/soak.py --scale 0.2              # a shorter session, played to the end
    .venv/bin/python scripts/soak.py --load suite --minutes 8 # beside the test suite instead of burners
    .venv/bin/python scripts/soak.py -- --bed brown           # anything after -- goes to `voiceguide play`

Load "burn": two busy processes at normal priority (both cores) and 64 MB written with fsync every 20 s.
The play process gets VOICEGUIDE_STATS (see voiceguide/live/watchdog.py) and writes its playback figures there.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import soak_check  # noqa: E402
from soak_load import cpu_seconds, default_signals, pressure_now, rss_mib, start_load, start_vsink, stop_all  # noqa: E402

PY = sys.executable
RSS_EVERY = 5.0


PLAY_ONLY = {"--device": 1, "--mic": 1, "--resume": 0, "--quiet": 0}
"""`play` options that show and export do not take (and that do not change the plan), with how many values follow."""


def plan_flags(play_args: list[str]) -> list[str]:
    """The play flags that shape the session (voice, bed, pacing...), for the reference plan and export."""
    kept, skip = [], 0
    for arg in play_args:
        if skip:
            skip -= 1
        elif arg.split("=", 1)[0] in PLAY_ONLY:
            skip = PLAY_ONLY[arg.split("=", 1)[0]] if "=" not in arg else 0
        else:
            kept.append(arg)
    return kept


def check_same_plan(plan: dict[str, Any], stats: dict[str, Any], flags: list[str]) -> None:
    """Stop loudly when the session played is not the one the reference was made for (another voice, bed,
    pacing): comparing them would report every difference in cue length as drift and lost events."""
    played = stats.get("timeline")
    if played is None:  # no stats at all (the play process died): the report says so; nothing to compare
        print(
            "warning: the play process wrote no timeline to VOICEGUIDE_STATS; the plan was not checked", file=sys.stderr
        )
        return
    reference = [[e["sample"], e["kind"], e.get("text") or e.get("tone")] for e in plan["events"]]
    if played["samples"] != plan["samples"] or played["events"] != reference:
        differ = next(
            (i for i, (a, b) in enumerate(zip(played["events"], reference, strict=False)) if a != b),
            min(len(played["events"]), len(reference)),
        )
        raise SystemExit(
            f"the played session is not the reference plan: {played['samples']} samples and "
            f"{len(played['events'])} events played, {plan['samples']} and {len(reference)} in the plan; first "
            f"difference at event {differ} (show and export were given: {' '.join(flags) or 'no flags'})"
        )


def prepare(args: argparse.Namespace, env: dict[str, str], work: Path) -> dict[str, Any]:
    """The plan (show --json, which also fills the clip cache) and the reference export (remembers the gain),
    both with the flags given to play that shape the session (voice, bed, pacing)."""
    pacing = (["--scale", args.scale] if args.scale else []) + plan_flags(args.play_args)
    vg = [PY, "-m", "voiceguide"]
    shown = subprocess.run(
        [*vg, "show", args.routine, "--json", *pacing], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if shown.returncode != 0:
        raise SystemExit(f"show failed: {shown.stderr}")
    plan = json.loads(shown.stdout)
    (work / "plan.json").write_text(shown.stdout)
    exported = subprocess.run(
        [*vg, "export", args.routine, "-o", str(work / "reference.wav"), "--force", *pacing],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if exported.returncode != 0:
        raise SystemExit(f"export failed: {exported.stderr}")
    return plan


def play(args: argparse.Namespace, env: dict[str, str], work: Path, rate: int) -> dict[str, Any]:
    """Record while `voiceguide play` runs; sample its memory; stop it after --minutes if given."""
    pacing = ["--scale", args.scale] if args.scale else []
    record = ["parec", "-d", "vsink.monitor", "--format=float32le", f"--rate={rate}", "--channels=1"]
    recorder = subprocess.Popen([*record, "--latency-msec=50", "--raw", str(work / "recording.raw")], env=env)
    time.sleep(0.5)
    out, err = open(work / "play.out", "w"), open(work / "play.err", "w")
    started = time.monotonic()
    (work / "play.started").write_text(f"{started:.1f}\n")
    proc = subprocess.Popen(
        [PY, "-m", "voiceguide", "play", args.routine, *pacing, *args.play_args],
        cwd=ROOT,  # `-m voiceguide` looks in the current folder first
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=err,
        preexec_fn=default_signals,
    )
    rss: list[tuple[float, float]] = []
    asked = False
    cpu_before = cpu_seconds()
    pressure: list[tuple[float, float, float]] = []
    while proc.poll() is None:
        value = rss_mib(proc.pid)
        if value is not None:
            rss.append((round(time.monotonic() - started, 1), value))
            pressure.append((round(time.monotonic() - started, 1), *pressure_now()))
        if args.minutes and not asked and time.monotonic() - started >= args.minutes * 60:
            proc.send_signal(signal.SIGTERM)
            asked = True
        try:
            proc.wait(RSS_EVERY)
        except subprocess.TimeoutExpired:
            pass
    wall = time.monotonic() - started
    busy, steal = (after - before for after, before in zip(cpu_seconds(), cpu_before, strict=True))
    time.sleep(1.0)
    stop_all([recorder])
    out.close()
    err.close()
    return {
        "returncode": proc.returncode,
        "asked_to_stop": asked,
        "wall_s": round(wall, 1),
        "rss": rss,
        "pressure": pressure,
        "cpu_busy": round(busy / (wall * os.cpu_count()), 3),
        "steal_s": round(steal, 2),
    }


def summarize(run: dict[str, Any], plan: dict[str, Any], work: Path, flags: list[str]) -> dict[str, Any]:
    rate = plan["sample_rate"]
    lines = (work / "play.out").read_text().strip().splitlines()
    stats = json.loads((work / "stats.json").read_text()) if (work / "stats.json").exists() else {}
    check_same_plan(plan, stats, flags)
    finished = run["returncode"] == 0 and bool(lines) and lines[-1].startswith("Session complete")
    reason = stats.get("reason", "?")
    spurious = not finished and not (run["asked_to_stop"] and reason == "terminated")
    rss = run["rss"]
    minute1 = next((v for t, v in rss if t >= 60), None)
    recording = np.fromfile(work / "recording.raw", dtype="<f4")
    import soundfile as sf

    reference, _ = sf.read(str(work / "reference.wav"), dtype="float32")
    plan = plan | {"events": [e for e in plan["events"] if e["sample"] < stats.get("position", plan["samples"])]}
    found = soak_check.onsets(recording, reference, plan)
    segs = soak_check.segments(found, rate)
    heard = [f for f in found if f["heard"] is not None]
    end_bell = next((f for f in reversed(found) if f["what"] == "end"), None)
    # Drift: how much later the last event was heard than the first (the start bell), latency removed.
    drift_ms = round(segs[-1]["latency_ms"] - segs[0]["latency_ms"], 2) if segs else None
    shifts = [round(b["latency_ms"] - a["latency_ms"], 1) for a, b in itertools.pairwise(segs)]
    return {
        "reached end bell": finished and end_bell is not None and end_bell["heard"] is not None,
        "exit status": run["returncode"],
        "final line": lines[-1] if lines else "",
        "stop reason (stats)": reason,
        "spurious stops": int(spurious),
        "wall (s)": run["wall_s"],
        "machine CPU busy / stolen by the host": f"{100 * run['cpu_busy']:.0f} % / {run['steal_s']} s",
        "worst 10 s pressure: CPU / disk (%)": "{} / {}".format(
            *(max((p[i] for p in run.get("pressure", [])), default=None) for i in (1, 2))
        ),
        "underruns": stats.get("underruns"),
        "callbacks": stats.get("callbacks"),
        "longest callback gap (s)": stats.get("longest_gap"),
        "callback pauses > 0.5 s": len(stats.get("pauses", [])),
        "longest callback fill (s)": stats.get("longest_fill"),
        "callback fills > 20 ms": len(stats.get("slow_fills", [])),
        "longest wait to run a callback after PortAudio called (s)": stats.get("longest_python_lag"),
        "longest session-loop gap (s)": stats.get("longest_loop_gap"),
        "final position (s)": round(stats.get("position", 0) / rate, 3),
        "position vs the device clock (ms)": stats.get("drift_ms"),
        "events placed / heard": f"{len(found)} / {len(heard)}",
        "latency shifts (ms; silence the device inserted)": shifts,
        "drift: last event vs start bell (ms)": drift_ms,
        "worst onset error between shifts (ms)": max((s["worst_error_ms"] for s in segs), default=None),
        **soak_check.largest_gap(recording, reference, found, rate),
        "RSS at minute 1 (MiB)": round(minute1, 1) if minute1 else None,
        "RSS peak (MiB)": round(max(v for _, v in rss), 1) if rss else None,
        "RSS final (MiB)": round(rss[-1][1], 1) if rss else None,
        "RSS growth from minute 1 (MiB)": round(rss[-1][1] - minute1, 1) if rss and minute1 else None,
        "_segments": segs,
        "_stats": {k: v for k, v in stats.items() if k != "timeline"},
        "_rss": rss,
        "_onsets": found,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--routine", default="evening")
    parser.add_argument("--minutes", type=float, default=0, help="stop the session (SIGTERM) after this long")
    parser.add_argument("--scale", help="passed to show, export and play: a shorter or longer session")
    parser.add_argument("--load", choices=["burn", "suite", "none"], default="burn")
    parser.add_argument("--work", help="folder for the recording and logs (default: a new one in /tmp, kept)")
    parser.add_argument("--cache", help="clip cache folder to reuse (default: one in the work folder)")
    parser.add_argument("--json", dest="json_path", help="write the results here (default WORK/soak.json)")
    parser.add_argument("--analyze", metavar="WORK", help="only analyze the recording of an earlier run in WORK")
    parser.add_argument("play_args", nargs="*", help="after --: more arguments for `voiceguide play`")
    args = parser.parse_args()
    if args.analyze:
        work = Path(args.analyze)
        run = json.loads((work / "run.json").read_text())
        flags = plan_flags(args.play_args)
        report(summarize(run, json.loads((work / "plan.json").read_text()), work, flags), work, args, run["load"])
        return

    work = Path(args.work or tempfile.mkdtemp(prefix="voiceguide-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    for old in ("stats.json", "recording.raw"):
        (work / old).unlink(missing_ok=True)
    base_env = dict(os.environ)
    env = base_env | start_vsink(work / "vsink")
    env |= {
        "VOICEGUIDE_CACHE_DIR": args.cache or str(work / "cache"),
        "VOICEGUIDE_STATE_DIR": str(work / "state"),
        "VOICEGUIDE_CONFIG": str(work / "config.toml"),
        "VOICEGUIDE_STATS": str(work / "stats.json"),
        "PYTHONPATH": str(ROOT),
    }
    env["VOICEGUIDE_ENGINE"] = "espeak"  # unless the play arguments name a voice (--voice joe)
    load: list[subprocess.Popen] = []
    try:
        plan = prepare(args, env, work)
        load = start_load(args.load, work, base_env)
        time.sleep(3)  # let the load build up before the session starts
        run = play(args, env, work, plan["sample_rate"])
    finally:
        stop_all(load)
        subprocess.run(["bash", str(ROOT / "scripts" / "vsink.sh"), "stop", str(work / "vsink")], env=env, check=False)
    (work / "run.json").write_text(json.dumps(run | {"load": args.load}))
    report(summarize(run, plan, work, plan_flags(args.play_args)), work, args, args.load)


def report(results: dict[str, Any], work: Path, args: argparse.Namespace, load: str) -> None:
    results["command"] = " ".join(sys.argv)
    results["load"] = load
    results["_pressure"] = json.loads((work / "run.json").read_text()).get("pressure", [])
    shown = {k: v for k, v in results.items() if not k.startswith("_")}
    width = max(len(k) for k in shown)
    for key, value in shown.items():
        print(f"{key:<{width}}  {value}")
    print(f"(recording, logs and JSON in {work})")
    Path(args.json_path or work / "soak.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

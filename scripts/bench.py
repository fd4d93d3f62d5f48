#!/usr/bin/env python3
"""Benchmarks: voiceguide's export (cold and warm cache), memory against session length, start-up,
and the hand-made peer pipeline (espeak-ng + sox) on the same plan. Prints one table; --json writes it too.

    .venv/bin/python scripts/bench.py                 # full run on the evening routine
    .venv/bin/python scripts/bench.py --runs 1 --routine tests/routines/short.toml --quick
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VOICEGUIDE = [sys.executable, "-m", "voiceguide"]


def run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB, stdout) of one command."""
    # Output goes to files, not pipes: a full pipe would stall the child while we wait for it.
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        text = out.read()
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise SystemExit(f"benchmark command failed ({code}): {' '.join(cmd)}\n{text}{err.read()}")
    return wall, usage.ru_maxrss / 1024, text


def stats(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": len(values)}


def env_with(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["VOICEGUIDE_CACHE_DIR"] = str(cache)
    env.pop("VOICEGUIDE_ENGINE", None)
    return env


def bench_export(routine: str, runs: int, work: Path) -> dict[str, dict[str, float]]:
    """Alternating cold and warm exports of the routine, and the peer on the same plan."""
    warm_cache = work / "warm-cache"
    run([*VOICEGUIDE, "export", routine, "-o", str(work / "prime.wav"), "--force"], env_with(warm_cache))
    plan = work / "plan.json"
    plan.write_text(run([*VOICEGUIDE, "show", routine, "--json"], env_with(warm_cache))[2])
    peer = ROOT / "scripts" / "peer_espeak_sox.py"
    results: dict[str, list[tuple[float, float]]] = {"warm": [], "cold": [], "peer": []}
    for n in range(runs):
        cold_cache = work / f"cold-{n}"
        results["cold"].append(
            run([*VOICEGUIDE, "export", routine, "-o", str(work / "cold.wav"), "--force"], env_with(cold_cache))[:2]
        )
        results["warm"].append(
            run([*VOICEGUIDE, "export", routine, "-o", str(work / "warm.wav"), "--force"], env_with(warm_cache))[:2]
        )
        if peer.exists() and shutil.which("espeak-ng") and shutil.which("sox"):
            results["peer"].append(run([sys.executable, str(peer), str(plan), "-o", str(work / "peer.wav")])[:2])
        shutil.rmtree(cold_cache, ignore_errors=True)
    out = {}
    for name, values in results.items():
        if values:
            out[f"export {name} (s)"] = stats([v[0] for v in values])
            out[f"export {name} peak RSS (MiB)"] = stats([v[1] for v in values])
    return out


def bench_length(routine: str, work: Path, scales: list[float]) -> dict[str, dict[str, float]]:
    """Peak RSS of a warm export at several session lengths: flat means streaming works."""
    cache = work / "warm-cache"
    out = {}
    for scale in scales:
        wall, rss, text = run(
            [*VOICEGUIDE, "export", routine, "-o", str(work / "long.flac"), "--force", "--scale", str(scale)],
            env_with(cache),
        )
        length = text.split("(")[1].split(",")[0] if "(" in text else "?"
        out[f"export x{scale:g} scale ({length}) peak RSS (MiB)"] = stats([rss])
        out[f"export x{scale:g} scale ({length}) wall (s)"] = stats([wall])
    return out


def bench_startup(runs: int) -> dict[str, dict[str, float]]:
    values = [run([sys.executable, "-m", "voiceguide", "--help"])[0] for _ in range(runs * 3)]
    return {"voiceguide --help (s)": stats(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--routine", default="evening")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", dest="json_path", help="also write the results to this JSON file")
    parser.add_argument("--quick", action="store_true", help="skip the long-session memory runs")
    args = parser.parse_args()

    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="voiceguide-bench-") as tmp:
        work = Path(tmp)
        results |= bench_export(args.routine, args.runs, work)
        if not args.quick:
            results |= bench_length(args.routine, work, [1.0, 2.6])
        results |= bench_startup(args.runs)

    width = max(len(k) for k in results)
    print(f"{'measure':<{width}}  {'median':>9}  {'min':>9}  {'max':>9}  runs")
    for name, s in results.items():
        print(f"{name:<{width}}  {s['median']:>9.3f}  {s['min']:>9.3f}  {s['max']:>9.3f}  {s['runs']}")
    ratios = {}
    if "export peer (s)" in results:
        peer = results["export peer (s)"]["median"]
        ratios = {
            "peer / warm export": peer / results["export warm (s)"]["median"],
            "peer / cold export": peer / results["export cold (s)"]["median"],
        }
        for name, value in ratios.items():
            print(f"{name:<{width}}  {value:>9.2f}x")
    if args.json_path:
        Path(args.json_path).write_text(
            json.dumps({"results": results, "ratios": ratios, "routine": args.routine, "when": time.time()}, indent=1)
        )


if __name__ == "__main__":
    main()

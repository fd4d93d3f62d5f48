#!/usr/bin/env python3
"""Two source trees side by side: cold and warm exports of each and the peer, alternating, one table.

    python scripts/bench_trees.py OLD_TREE NEW_TREE --runs 7      # e.g. a `git archive` of main, and this tree

Each tree runs as ``python -m voiceguide`` with PYTHONPATH set to it (bytecode compiled first, as an install
does); each has its own warm clip cache, and every cold run a fresh one. Prints wall, CPU and peak RSS
(median, min-max), the peer's ratio to each, and whether the cold and warm exports were byte-identical.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import run

PEER = Path(__file__).resolve().parent / "peer_espeak.py"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("trees", nargs=2, type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--routine", default="evening")
    args = parser.parse_args()
    names = {"old": args.trees[0].resolve(), "new": args.trees[1].resolve()}
    with tempfile.TemporaryDirectory(prefix="voiceguide-trees-") as tmp:
        work = Path(tmp)

        def env(tree: Path, cache: Path) -> dict[str, str]:
            out = dict(os.environ, PYTHONPATH=str(tree), VOICEGUIDE_CACHE_DIR=str(cache))
            out["VOICEGUIDE_ENGINE"] = "espeak"  # the default unless the arguments name a voice
            return out

        def export(name: str, cache: Path, dest: str) -> tuple[float, float, str, float]:
            cmd = [sys.executable, "-m", "voiceguide", "export", args.routine, "-o", str(work / dest), "--force"]
            # Run from the tree itself: `python -m` puts the working folder first on the path.
            return run(cmd, env(names[name], cache), cwd=names[name])

        for name, tree in names.items():
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "voiceguide")], check=True)
            export(name, work / f"warm-{name}", f"prime-{name}.wav")
        show = [sys.executable, "-m", "voiceguide", "show", args.routine, "--json"]
        (work / "plan.json").write_text(run(show, env(names["new"], work / "warm-new"), cwd=names["new"])[2])
        rows: dict[str, list[tuple[float, float, float]]] = {}
        for n in range(args.runs):
            for name in names:
                cold = work / f"cold-{name}-{n}"
                wall, rss, _, cpu = export(name, cold, f"cold-{name}.wav")
                rows.setdefault(f"{name} cold", []).append((wall, cpu, rss))
                shutil.rmtree(cold)
                wall, rss, _, cpu = export(name, work / f"warm-{name}", f"warm-{name}.wav")
                rows.setdefault(f"{name} warm", []).append((wall, cpu, rss))
            wall, rss, _, cpu = run([sys.executable, str(PEER), str(work / "plan.json"), "-o", str(work / "peer.wav")])
            rows.setdefault("peer", []).append((wall, cpu, rss))
        medians = {}
        for key, values in rows.items():
            cols = []
            for i, label in enumerate(("wall", "CPU", "peak RSS")):
                column = [v[i] for v in values]
                cols.append(f"{label} {statistics.median(column):.3f} ({min(column):.3f}-{max(column):.3f})")
            medians[key] = statistics.median(v[0] for v in values)
            print(f"{key:9}  " + "  ".join(cols) + f"  runs {len(values)}")
        for name in names:
            warm, cold = medians["peer"] / medians[f"{name} warm"], medians["peer"] / medians[f"{name} cold"]
            print(f"{name}: peer/warm {warm:.2f}x  peer/cold {cold:.2f}x")
        files = [(work / f"{kind}-{name}.wav").read_bytes() for name in names for kind in ("cold", "warm")]
        print("cold and warm exports of both trees byte-identical:", all(f == files[0] for f in files))


if __name__ == "__main__":
    main()

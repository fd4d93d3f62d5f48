"""What the benchmark scripts share: how a command is run and timed, and the summary of a set of runs.

Apart from bench.py so that wer.py, bench_bed.py and bench_trees.py can use it without importing bench.py
(which imports wer.py: the two used to import each other).
"""

from __future__ import annotations

import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VOICEGUIDE = [sys.executable, "-m", "voiceguide"]


def run(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[float, float, str, float]:
    """(wall seconds, peak RSS MiB, stdout, CPU seconds of it and the children it waited for) of one command."""
    # Output goes to files, not pipes: a full pipe would stall the child while we wait for it.
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, text=True, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        text = out.read()
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise SystemExit(f"benchmark command failed ({code}): {' '.join(cmd)}\n{text}{err.read()}")
    return wall, usage.ru_maxrss / 1024, text, usage.ru_utime + usage.ru_stime


def digest(path: Path) -> bytes:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").digest()


def stats(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": len(values)}


def env_with(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["VOICEGUIDE_CACHE_DIR"] = str(cache)
    env["VOICEGUIDE_ENGINE"] = "espeak"  # runs that want the neural voice name it (--voice joe)
    return env

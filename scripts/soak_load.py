"""The machine side of scripts/soak.py: the private sound card, the load beside the session, and what
/proc says about a process and the machine."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DISK_WRITER = """
import os, sys, time
path, chunk = sys.argv[1], os.urandom(1 << 20)
while True:
    with open(path, "wb") as out:
        for _ in range(64):
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    os.unlink(path)
    time.sleep(20)
"""
SUITE = [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
"""The whole suite (without -x: a test failing under the load must not end the load)."""


def default_signals() -> None:
    # A shell running us in the background leaves SIGINT ignored, and children inherit that: the
    # suite's Ctrl-C tests (and `voiceguide play`'s own) need the default.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_vsink(folder: Path) -> dict[str, str]:
    """A private PulseAudio daemon with the null sink vsink (scripts/vsink.sh); the env its clients need."""
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "vsink.sh"), "start", str(folder)], capture_output=True, text=True, check=True
    )
    pairs = (item.split("=", 1) for item in done.stdout.strip().removeprefix("export ").split())
    return {k: v.strip("'") for k, v in pairs}


def start_load(kind: str, work: Path, base_env: dict[str, str]) -> list[subprocess.Popen]:
    if kind == "none":
        return []
    if kind == "suite":
        env = base_env | {"PYTHONPATH": str(ROOT)}
        suite = subprocess.Popen(
            [*SUITE, "-v"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            preexec_fn=default_signals,
        )
        threading.Thread(target=_stamp, args=(suite, work / "suite.log"), daemon=True).start()
        return [suite]
    burners = [subprocess.Popen([PY, "-c", "while True: pass"]) for _ in range(2)]
    writer = subprocess.Popen([PY, "-c", DISK_WRITER, str(work / "disk-load.bin")])
    return [*burners, writer]


def _stamp(proc: subprocess.Popen, path: Path) -> None:
    """Copy the suite's output with the time of each line, to line its tests up with the session's pauses."""
    with path.open("w") as log:
        for line in proc.stdout or ():
            log.write(f"{time.monotonic():.1f} {line}")
            log.flush()


def stop_all(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def pressure_now() -> tuple[float, float]:
    """Pressure stall information: % of the last 10 s some task waited for a CPU, and for the disk."""
    values = []
    for kind in ("cpu", "io"):
        try:
            line = Path(f"/proc/pressure/{kind}").read_text().splitlines()[0]
            values.append(float(line.split()[1].split("=")[1]))
        except (OSError, IndexError, ValueError):
            values.append(float("nan"))
    return values[0], values[1]


def cpu_seconds() -> tuple[float, float]:
    """(busy, stolen) CPU seconds of the whole machine so far, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - fields[3] - fields[4]) / tick, (fields[7] if len(fields) > 7 else 0) / tick

"""A test run's virtual sound card never outlives it: its PulseAudio daemon stops when the run is killed with
SIGTERM, and one left by a run killed with SIGKILL is ended by the next run, while the daemons of runs still
going (other test runs share this machine) and untagged ones are left alone (tests/daemons.py)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import missing
from daemons import OWNER, owner_tag

pytestmark = pytest.mark.audio  # starts PulseAudio daemons
ROOT = Path(__file__).resolve().parent.parent
PYTEST = (sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider")


@pytest.fixture(autouse=True)
def pulseaudio() -> None:
    if shutil.which("pulseaudio") is None or shutil.which("parec") is None:
        missing("PulseAudio (pulseaudio, pulseaudio-utils)")


def probe(tmp_path: Path, name: str, wait: float) -> tuple[subprocess.Popen, str]:
    """A pytest run of its own holding the virtual card (tests/vsink_probe.py); its daemon, once started."""
    said = tmp_path / f"{name}.pid"
    env = os.environ | {"VSINK_PROBE": str(said), "VSINK_PROBE_WAIT": str(wait)}
    env.pop(OWNER, None)
    run = subprocess.Popen(
        [*PYTEST, f"--basetemp={tmp_path / name}", str(ROOT / "tests" / "vsink_probe.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not said.exists() or not said.read_text():
        assert run.poll() is None, run.communicate()[0]
        assert time.monotonic() < deadline, "the probe run did not start its daemon"
        time.sleep(0.1)
    return run, owner_tag(int(said.read_text()))


def gone(daemon: str, within: float = 5.0) -> bool:
    """Has the daemon ended (within a few seconds)? A tag without a start time names one that had already
    ended (a zombie) when it was read: a run with nothing to wait for stops its daemon at once."""
    deadline = time.monotonic() + within
    while owner_tag(int(daemon.split(":")[0])) == daemon and not daemon.endswith(":None"):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def started(folder: Path, owner: str | None) -> str:
    """A daemon of scripts/vsink.sh in ``folder``, tagged with ``owner`` (None: untagged, a developer's own)."""
    env = {k: v for k, v in os.environ.items() if k != OWNER} | ({OWNER: owner} if owner else {})
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "vsink.sh"), "start", str(folder)], env=env, capture_output=True
    )
    assert done.returncode == 0, done.stderr
    return owner_tag(int((folder / "runtime" / "pulse" / "pid").read_text()))


def test_a_test_run_killed_with_sigterm_stops_its_pulseaudio_daemon(tmp_path: Path) -> None:
    run, daemon = probe(tmp_path, "term", wait=60)
    run.send_signal(signal.SIGTERM)
    run.communicate(timeout=30)
    assert run.returncode == -signal.SIGTERM  # it still ends as killed by the signal
    assert gone(daemon), f"the daemon {daemon} outlived its run"


def test_a_new_run_ends_a_daemon_left_by_a_killed_run_and_no_daemon_of_a_run_still_going(tmp_path: Path) -> None:
    run, left = probe(tmp_path, "kill", wait=60)
    run.kill()  # SIGKILL: nothing in the run can clean up
    run.communicate(timeout=30)
    others = []
    try:
        others = [started(tmp_path / "going", owner_tag()), started(tmp_path / "own", None)]
        assert not gone(left, within=1.0)  # left behind
        again, fresh = probe(tmp_path, "again", wait=0)
        out, _ = again.communicate(timeout=60)
        assert again.returncode == 0, out
        assert gone(left) and gone(fresh)
        assert all(owner_tag(int(d.split(":")[0])) == d for d in others), "a daemon not its own was ended"
    finally:
        for folder in ("going", "own"):
            env = os.environ | {"XDG_RUNTIME_DIR": str(tmp_path / folder / "runtime")}
            subprocess.run(["bash", str(ROOT / "scripts" / "vsink.sh"), "stop", str(tmp_path / folder)], env=env)

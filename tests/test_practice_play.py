"""The practice log of sessions played on the virtual sound card: finished, stopped (q, Ctrl-C, a closed
terminal) and resumed, with the seconds played checked against what the card played; a log that cannot be
written does not stop the session."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import Recorder

from voiceguide import practice

pytestmark = pytest.mark.usefixtures("espeak", "vsink")
TINY = str(Path(__file__).parent / "routines" / "tiny.toml")
RATE = 22050


@pytest.fixture(scope="module")
def warm(clip_cache_dir: Path) -> None:
    """The tiny routine's clips made once (a cold session would wait for them, and that wait is not played)."""
    env = dict(os.environ, VOICEGUIDE_CACHE_DIR=str(clip_cache_dir))
    subprocess.run([sys.executable, "-m", "voiceguide", "show", TINY], env=env, check=True, capture_output=True)


def heard_seconds(recording: np.ndarray) -> float:
    """Seconds from the first to the last sample the card played that was not silence."""
    sounding = np.flatnonzero(np.abs(recording) > 1e-4)
    return (sounding[-1] - sounding[0] + 1) / RATE if sounding.size else 0.0


class Terminal:
    """voiceguide in a new pty that is its controlling terminal, read continuously (as a window would be)."""

    def __init__(self, *args: str) -> None:
        master, slave = pty.openpty()

        def own_terminal() -> None:
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "voiceguide", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            preexec_fn=own_terminal,
            close_fds=True,
        )
        os.close(slave)
        self.master, self.shown, self.open = master, b"", True
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while self.open:
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready and self.open:
                try:
                    self.shown += os.read(self.master, 4096)
                except OSError:
                    return

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self) -> None:
        """The window closes: SIGHUP, and every later write fails."""
        self.open = False
        self._reader.join(1)
        os.close(self.master)

    def wait(self) -> int:
        code = self.proc.wait(30)
        if self.open:
            self._reader.join(2)
            self.open = False
            os.close(self.master)
        return code


def test_a_finished_session_is_logged_with_the_seconds_the_card_played(warm: None, tmp_path: Path) -> None:
    with Recorder(tmp_path / "rec.raw") as rec:
        done = subprocess.run(
            [sys.executable, "-m", "voiceguide", "play", TINY, "--quiet"], capture_output=True, text=True, timeout=90
        )
    assert done.returncode == 0, done.stderr
    assert "practice log" not in done.stderr
    (entry,) = practice.entries()
    assert (entry.routine, entry.how, entry.points, entry.steps) == (
        str(Path(TINY).resolve()),
        "finished",
        ("SP4", "KI6"),
        2,
    )
    assert (entry.language, entry.voice) == ("en", "espeak default") and len(entry.routine_hash) == 64
    assert entry.planned is not None and abs(entry.played - entry.planned) < 0.1
    assert abs(entry.played - heard_seconds(rec.audio())) <= 1
    assert entry.started < entry.ended  # type: ignore[operator]


@pytest.mark.parametrize(
    ("stop", "how"),
    [("q", "stopped"), ("ctrl-c", "stopped"), ("closed terminal", "interrupted")],
)
def test_a_session_stopped_early_counts_the_seconds_it_played(warm: None, tmp_path: Path, stop: str, how: str) -> None:
    with Recorder(tmp_path / "rec.raw") as rec:
        term = Terminal("play", TINY)
        time.sleep(8)
        if stop == "closed terminal":
            term.close()
        else:
            term.type(b"q" if stop == "q" else b"\x03")
        term.wait()
    (entry,) = practice.entries()
    assert entry.how == how and entry.points == ()
    assert 5 < entry.played < 9
    assert abs(entry.played - heard_seconds(rec.audio())) <= 1


def test_a_resumed_session_continues_its_entry_and_adds_the_seconds_played_since(warm: None, tmp_path: Path) -> None:
    with Recorder(tmp_path / "first.raw") as first:
        term = Terminal("play", TINY)
        time.sleep(19)  # inside the first point's press cycles
        term.type(b"q")
        term.wait()
    (stopped,) = practice.entries()
    assert stopped.how == "stopped"
    with Recorder(tmp_path / "second.raw") as second:
        done = subprocess.run(
            [sys.executable, "-m", "voiceguide", "play", "--resume", "--quiet"],
            capture_output=True,
            text=True,
            timeout=90,
        )
    assert done.returncode == 0, done.stderr
    (entry,) = practice.entries()
    assert entry.id == stopped.id and entry.how == "finished" and entry.started == stopped.started
    assert entry.points == ("SP4", "KI6")
    heard = heard_seconds(first.audio()) + heard_seconds(second.audio())
    assert abs(entry.played - heard) <= 1


def test_a_log_that_cannot_be_written_is_one_warning_and_the_session_plays_on(warm: None) -> None:
    practice.log_path().parent.mkdir(parents=True)
    practice.log_path().write_bytes(b"")
    import sqlite3

    with sqlite3.connect(practice.log_path()) as con:
        con.execute("PRAGMA user_version = 42")
    proc = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "play", TINY], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(6)
    assert proc.poll() is None  # still playing
    proc.terminate()
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert "Stopped" in out or "terminated" in out, out
    warnings = [line for line in err.splitlines() if "practice log" in line]
    assert warnings == [
        f"warning: this session will not be in your practice log: {practice.log_path()} is from a newer "
        "voiceguide (log version 42; this one knows 1)"
    ]

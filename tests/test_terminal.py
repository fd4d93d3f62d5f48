"""A real terminal that goes away while a session plays: the position is saved and --resume continues."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import subprocess
import sys
import termios
import time
from pathlib import Path

HERE = Path(__file__).parent
TINY = str(HERE / "routines" / "tiny.toml")


def _in_terminal(*args: str) -> tuple[subprocess.Popen, int]:
    """Start voiceguide with a new pty as its controlling terminal (stdin, stdout and stderr)."""
    master, slave = pty.openpty()

    def own_terminal() -> None:
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        preexec_fn=own_terminal,
        close_fds=True,
    )
    os.close(slave)
    return proc, master


def _drain(master: int, seconds: float) -> bytes:
    """Read what the terminal shows for ``seconds`` (a terminal nobody reads would block the program)."""
    import select

    shown = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                shown += os.read(master, 4096)
            except OSError:
                break
    return shown


def test_closing_the_terminal_saves_the_position_and_resume_continues(vsink: dict) -> None:
    proc, master = _in_terminal("play", TINY)
    shown = _drain(master, 9)
    assert b"Spleen 4" in shown or b"welcome" in shown, shown[-400:]
    os.close(master)  # the window closes: SIGHUP, and every later write or tcsetattr fails with EIO
    assert proc.wait(15) == 0
    saved = json.loads((Path(os.environ["VOICEGUIDE_STATE_DIR"]) / "session.json").read_text())
    assert saved["routine"] == str(Path(TINY).resolve()) and saved["position"] > 0

    done = subprocess.run(
        [sys.executable, "-m", "voiceguide", "play", "--resume", "--quiet"], capture_output=True, text=True, timeout=90
    )
    assert done.returncode == 0, done.stderr
    assert "Session complete" in done.stdout and "Traceback" not in done.stderr


# Prints through a Screen to a stdout nobody reads any more, then says where its standard output points.
DEAD_PIPE = """
import os, sys, time
from voiceguide.cli.screen import Screen
screen = Screen(False)
time.sleep(0.3)  # the reader is gone by now
screen.say("x" * 100)
screen.say("Stopped, 0:10 into the session.")
open(sys.argv[1], "w").write(os.readlink("/proc/self/fd/1"))
"""


def test_output_to_a_terminal_that_went_away_goes_nowhere_and_the_exit_code_stays_the_sessions(
    tmp_path: Path,
) -> None:
    # Python exits with 120 when its last flush of a dead stdout fails (Debian's 3.11.2 does; a fresh
    # machine's CI found it): the screen points stdout and stderr at /dev/null once a write fails.
    where = tmp_path / "fd1"
    proc = subprocess.Popen([sys.executable, "-c", DEAD_PIPE, str(where)], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.close()
    assert proc.wait(30) == 0
    assert where.read_text() == os.devnull

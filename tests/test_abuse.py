"""Saved state and config under abuse: damaged or foreign state files, read-only folders, two sessions
and two `pace set` at once. Each ends in one clear line or the right behaviour, and leaves nothing corrupt."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import missing
from voiceguide.cli import cli
from voiceguide.live import state
from voiceguide.plan import config
from voiceguide.plan.pacing import parse_layer
from voiceguide.routine.points import parse_point

TINY = str(Path(__file__).parent / "routines" / "tiny.toml")
CODES = ["LR3", "LR4", "SP4", "SP3", "KI6", "KI1", "ST36", "LI4", "PC6", "HT7", "GB34", "BL60"]


def state_file(content: bytes | None = None) -> Path:
    path = Path(os.environ["VOICEGUIDE_STATE_DIR"]) / "session.json"
    if content is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return path


def good_session(**changes) -> dict:
    data = {"routine": "evening", "routine_hash": "0" * 64, "pacing": {"press": "5", "release": "3"}, "step": 1}
    data |= {"side": "left", "offset": 22050 * 40, "position": 22050 * 400, "sample_rate": 22050, "saved_at": 1e9}
    return data | changes


def resume_line() -> str:
    result = CliRunner().invoke(cli, ["play", "--resume"])
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output, result.output
    return result.output.strip()


@pytest.fixture
def read_only(tmp_path: Path):
    """Makes a folder really read-only, for root too: a read-only bind mount as root (root ignores
    permission bits), chmod 555 otherwise. Proves it by failing to create a file there."""
    mounted: list[Path] = []
    chmodded: list[Path] = []

    def make(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            bound = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True).returncode == 0
            if bound:
                mounted.append(folder)
                subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], capture_output=True)
        else:
            folder.chmod(0o555)
            chmodded.append(folder)
        try:
            (folder / ".probe").touch()
        except OSError:
            return folder
        (folder / ".probe").unlink()
        missing("a way to make a read-only folder (root without mount rights)")
        return folder  # not reached: missing() skips or fails

    yield make
    for folder in mounted:
        subprocess.run(["umount", str(folder)], capture_output=True)
    for folder in chmodded:
        folder.chmod(0o755)


# A damaged saved session.
@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("truncated", json.dumps(good_session()).encode()[:70], "Unterminated string"),
        ("garbage bytes", b"\xff\xfe\x00garbage\x9c", "codec can't decode"),
        ("empty", b"", "Expecting value"),
        ("a list", b"[1, 2, 3]", "not a saved session"),
        ("a wrong type", json.dumps(good_session(offset="forty")).encode(), "offset has the wrong type"),
        ("a negative offset", json.dumps(good_session(offset=-5)).encode(), "out of range"),
        ("pacing not text", json.dumps(good_session(pacing={"press": 5})).encode(), "pacing has the wrong type"),
    ],
)
def test_a_damaged_state_file_is_one_line_and_moved_aside_so_the_next_resume_is_clean(
    name: str, content: bytes, reason: str
) -> None:
    path = state_file(content)
    line = resume_line()
    assert line.startswith(f"Error: the saved session in {path} is damaged (") and reason in line, line
    assert line.endswith(f"; it was moved to {path}.bad; start again without --resume"), line
    assert not path.exists() and Path(f"{path}.bad").read_bytes() == content
    assert resume_line() == (
        "Error: there is no interrupted session to resume; start one with: voiceguide play ROUTINE"
    )


def test_a_state_file_that_is_a_folder_is_one_line_and_left_alone() -> None:
    state_file().mkdir(parents=True)
    line = resume_line()
    assert line == (
        f"Error: the saved session in {state_file()} cannot be read (Is a directory); start again without --resume"
    )
    assert state_file().is_dir()


# A saved session from another version.
def test_a_state_file_from_another_version_with_extra_fields_and_without_optional_ones_resumes_the_same(
    short_session,
) -> None:
    *_, timeline = short_session
    step = timeline.steps[1]
    full = good_session(routine="short", step=1, offset=(step.end - step.start) // 2, sample_rate=timeline.sample_rate)
    path = state_file(json.dumps(full).encode())
    expected = state.resume_point(timeline, state.load())
    other = {k: v for k, v in full.items() if k not in ("side", "position", "saved_at")}
    other |= {"version": 7, "bed": "brown", "listen": True}
    path.write_text(json.dumps(other))
    loaded = state.load()
    assert loaded.step == 1 and loaded.side is None and loaded.pacing == full["pacing"]
    assert state.resume_point(timeline, loaded) == expected
    assert path.exists()


@pytest.mark.parametrize("missing", ["routine", "pacing", "step", "offset", "sample_rate", "routine_hash"])
def test_a_state_file_from_another_version_lacking_what_resume_needs_is_one_line(missing: str) -> None:
    state_file(json.dumps({k: v for k, v in good_session().items() if k != missing}).encode())
    assert f"is damaged ({missing} is missing)" in resume_line()


def test_a_position_saved_at_another_sample_rate_resumes_at_the_same_time(short_session) -> None:
    _, _, _, timeline = short_session
    step = timeline.steps[1]
    seconds = (step.end - step.start) / timeline.sample_rate / 2
    here = state.SavedSession(**good_session(step=1, offset=round(seconds * timeline.sample_rate)))
    there = state.SavedSession(**good_session(step=1, offset=round(seconds * 16000), sample_rate=16000))
    assert abs(state.resume_point(timeline, here) - state.resume_point(timeline, there)) <= 2


# Read-only folders.
DENIED = ("Read-only file system", "Permission denied")
"""What the system says about writing there: EROFS under a read-only mount (root), EACCES under chmod 555."""


def denied(text: str) -> str:
    """Which of DENIED ``text`` names (empty if neither)."""
    return next((reason for reason in DENIED if reason in text), "")


def test_a_read_only_config_folder_makes_pace_set_and_reset_one_line_and_keeps_the_file(read_only) -> None:
    path = Path(os.environ["VOICEGUIDE_CONFIG"])
    assert CliRunner().invoke(cli, ["pace", "set", "--press", "6"]).exit_code == 0
    before = path.read_bytes()
    read_only(path.parent)
    for args in (["pace", "set", "--release", "4"], ["pace", "reset"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, result.output
        assert result.output.count("\n") == 1 and "Traceback" not in result.output
        assert result.output.startswith(f"Error: {path}: cannot ") and denied(result.output), result.output
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [".config.toml.lock", "config.toml"]
    shown = CliRunner().invoke(cli, ["pace", "show"])
    assert shown.exit_code == 0 and "press        6 " in shown.output


@pytest.mark.parametrize("depth", ["config.toml", "sub/config.toml"])
def test_a_file_where_the_config_folder_should_be_makes_pace_set_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, depth: str
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("VOICEGUIDE_CONFIG", str(blocker / depth))
    result = CliRunner().invoke(cli, ["pace", "set", "--press", "6"])
    assert result.exit_code == 1
    assert result.output == f"Error: {blocker / depth}: cannot save the defaults: {blocker} is a file, not a folder\n"
    assert blocker.read_text() == "x"


def test_a_read_only_state_folder_is_a_warning_when_a_finished_session_cannot_clear_it(
    read_only, recwarn: pytest.WarningsRecorder
) -> None:
    state.save(state.SavedSession(**good_session()))
    read_only(state_file().parent)
    state.clear()
    assert state_file().exists()
    assert any("could not remove the saved position" in str(w.message) for w in recwarn)


@pytest.mark.usefixtures("espeak", "vsink")
def test_a_read_only_state_folder_warns_before_playing_and_stopping_says_the_position_was_not_saved(
    read_only,
) -> None:
    folder = read_only(Path(os.environ["VOICEGUIDE_STATE_DIR"]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "play", TINY], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(9)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    warnings = err.strip().splitlines()
    reason = denied(warnings[0])
    assert warnings[0].startswith(f"warning: cannot write in {folder} ({reason})") and reason, err
    assert warnings[1] == f"warning: could not save the position in {folder}: {reason}", err
    assert out.strip().splitlines()[-1].startswith("Stopped") and "Resume with" not in out
    assert list(folder.iterdir()) == []


# Two at once.
def _play() -> subprocess.Popen:
    """A session of the tiny routine, returned once it plays (its first status line is out)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "play", TINY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    ready, _, _ = select.select([proc.stdout], [], [], 60)
    assert ready and (proc.stdout.readline() if proc.stdout else "").startswith("[0:00]"), proc.stderr
    return proc


def _lock_holder() -> str:
    return (Path(os.environ["VOICEGUIDE_STATE_DIR"]) / "play.lock").read_text().strip()


@pytest.mark.usefixtures("espeak", "vsink")
def test_a_second_play_while_one_plays_is_refused_with_one_line_and_the_first_saves_its_position() -> None:
    first = _play()
    assert _lock_holder() == str(first.pid)
    second = subprocess.run(
        [sys.executable, "-m", "voiceguide", "play", "--resume"], capture_output=True, text=True, timeout=30
    )
    assert second.returncode == 1
    assert second.stderr == (
        f"Error: another voiceguide session is already playing (process {first.pid}); "
        "stop it with q before starting a new one\n"
    )
    assert first.poll() is None
    time.sleep(14)  # into the first point (12.6 s on: the welcome now introduces the tones)
    first.send_signal(signal.SIGTERM)
    out, err = first.communicate(timeout=15)
    assert first.returncode == 0 and "Resume with" in out, err
    saved = json.loads(state_file().read_text())
    assert saved["routine"] == TINY and saved["step"] == 0


@pytest.mark.usefixtures("espeak", "vsink")
def test_a_lock_left_by_a_killed_session_is_taken_over() -> None:
    killed = _play()
    killed.kill()
    killed.wait(10)
    assert _lock_holder() == str(killed.pid)  # left behind with a dead process's PID
    after = _play()
    assert _lock_holder() == str(after.pid)
    after.send_signal(signal.SIGTERM)
    out, err = after.communicate(timeout=15)
    assert after.returncode == 0 and "Stopped" in out, err


def test_two_pace_sets_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "config.toml"
    start = threading.Barrier(len(CODES))
    errors: list[BaseException] = []

    def one(code: str, seconds: int) -> None:
        try:
            values = parse_layer({"press": f"{code}={seconds}"}, prefix="--")
            start.wait()
            config.save(values, path)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(code, 3 + n)) for n, code in enumerate(CODES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    saved = config.load_saved(path)["press"]
    assert dict(saved.points) == {parse_point(code): 3 + n for n, code in enumerate(CODES)}
    assert sorted(p.name for p in path.parent.iterdir()) == [".config.toml.lock", "config.toml"]


SAVE_AT = """
import sys, time
from pathlib import Path
from voiceguide.plan import config
from voiceguide.plan.pacing import parse_layer
values = parse_layer({"press": sys.argv[2] + "=" + sys.argv[3]}, prefix="--")
time.sleep(max(0.0, float(sys.argv[4]) - time.time()))  # all processes save at the same moment
config.save(values, Path(sys.argv[1]))
"""


def test_pace_set_from_several_processes_at_once_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "config.toml"
    at = time.time() + 3
    procs = [
        subprocess.Popen([sys.executable, "-c", SAVE_AT, str(path), code, str(3 + n), str(at)])
        for n, code in enumerate(CODES[:8])
    ]
    assert [p.wait(60) for p in procs] == [0] * 8
    saved = config.load_saved(path)["press"]
    assert dict(saved.points) == {parse_point(code): 3 + n for n, code in enumerate(CODES[:8])}
    assert sorted(p.name for p in path.parent.iterdir()) == [".config.toml.lock", "config.toml"]

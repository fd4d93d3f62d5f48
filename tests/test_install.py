"""Installing voiceguide: what scripts/setup.sh chooses (natural voice unless --light), and a missing
espeak-ng library reported as one line with the command that installs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TINY = str(ROOT / "tests" / "routines" / "tiny.toml")


def setup_plan(*flags: str) -> dict[str, str]:
    """What `scripts/setup.sh FLAGS --dry-run` would install: {"system packages": ..., "python package": ...}."""
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "setup.sh"), *flags, "--dry-run"], capture_output=True, text=True, check=True
    )
    return dict(line.split(": ", 1) for line in done.stdout.splitlines())


def test_setup_installs_the_neural_voice_by_default() -> None:
    assert setup_plan()["python package"] == ".[neural]"


def test_setup_light_installs_espeak_ng_only() -> None:
    plan = setup_plan("--light")
    assert plan["python package"] == "."
    assert plan["system packages"].startswith("espeak-ng libespeak-ng1 ")


def test_setup_for_the_tests_installs_the_neural_voice_too_and_the_old_neural_flag_still_works() -> None:
    assert setup_plan("--test")["python package"] == ".[test,neural]"
    assert setup_plan("--test", "--light")["python package"] == ".[test,neural]"  # the tests run it for real
    assert setup_plan("--neural")["python package"] == ".[neural]"


def test_setup_refuses_an_unknown_flag_with_its_usage() -> None:
    done = subprocess.run(["bash", str(ROOT / "scripts" / "setup.sh"), "--heavy"], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr == "usage: scripts/setup.sh [--light] [--test] [--link] [--dry-run]\n"


@pytest.fixture
def no_espeak_library(tmp_path: Path) -> dict[str, str]:
    """An environment in which libespeak-ng cannot be loaded: the loader finds broken files of its names first
    (in this process's children, the speech server among them)."""
    folder = tmp_path / "lib"
    folder.mkdir()
    for name in ("libespeak-ng.so.1", "libespeak.so.1"):
        (folder / name).write_bytes(b"not a library")
    return dict(os.environ, LD_LIBRARY_PATH=str(folder), VOICEGUIDE_CACHE_DIR=str(tmp_path / "cold-cache"))


ONE_LINE = (
    "Error: espeak-ng's library (libespeak-ng.so.1) could not be loaded; install espeak-ng: "
    "sudo apt-get install espeak-ng (Debian/Ubuntu), sudo dnf install espeak-ng (Fedora), "
    "sudo pacman -S espeak-ng (Arch)\n"
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the library is loaded by name on Linux")
@pytest.mark.parametrize(
    "args",
    [("say", "Hello.", "-o", "{tmp}/hello.wav"), ("export", TINY, "-o", "{tmp}/tiny.wav"), ("voices",)],
    ids=["say", "export", "voices"],
)
def test_a_missing_espeak_ng_library_is_one_line_with_the_install_command(
    no_espeak_library: dict[str, str], tmp_path: Path, args: tuple[str, ...]
) -> None:
    command = [sys.executable, "-m", "voiceguide", *(a.format(tmp=tmp_path) for a in args)]
    done = subprocess.run(command, capture_output=True, text=True, env=no_espeak_library, timeout=120)
    assert (done.returncode, done.stderr, done.stdout) == (1, ONE_LINE, "")
    assert not list(tmp_path.glob("*.wav"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the library is loaded by name on Linux")
def test_check_names_the_missing_espeak_ng_library_and_the_install_command(no_espeak_library: dict[str, str]) -> None:
    code = "from voiceguide.check import _speech; [print(c.ok, c.detail, c.fix, sep='|') for c in _speech()]"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=no_espeak_library)
    assert done.stdout == (
        "False|libespeak-ng.so.1 could not be loaded|install espeak-ng: sudo apt-get install espeak-ng "
        "(Debian/Ubuntu), sudo dnf install espeak-ng (Fedora), sudo pacman -S espeak-ng (Arch)\n"
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the library is loaded by name on Linux")
def test_a_library_gone_after_its_version_was_remembered_is_the_same_one_line(
    no_espeak_library: dict[str, str], tmp_path: Path, espeak: None
) -> None:
    # A first run remembers espeak-ng's version (so this process never loads the library): only the speech
    # process then finds it missing, and says so the same way.
    cache = {"VOICEGUIDE_CACHE_DIR": no_espeak_library["VOICEGUIDE_CACHE_DIR"]}
    say = [sys.executable, "-m", "voiceguide", "say"]
    subprocess.run([*say, "Hello.", "-o", str(tmp_path / "a.wav")], env=os.environ | cache, check=True, timeout=120)
    done = subprocess.run(
        [*say, "Something new.", "-o", str(tmp_path / "b.wav")],
        env=no_espeak_library,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stderr) == (1, ONE_LINE)

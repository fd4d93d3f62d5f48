"""The commands voiceguide prints run as printed, and setup puts `voiceguide` on PATH (scripts/link.sh)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from voiceguide.paths import command, program

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).with_name("voiceguide")  # the console script pip made beside this Python


def _script() -> Path:
    if not SCRIPT.exists():
        from conftest import missing

        missing(f"the voiceguide console script ({SCRIPT}; bash scripts/setup.sh makes it)")
    return SCRIPT


def _runs(line: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``line`` typed into a shell, as a user would."""
    return subprocess.run(["bash", "-c", line], capture_output=True, text=True, env=env, timeout=60)


def test_started_by_its_path_and_not_on_path_it_names_its_own_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "my checkout"  # a space: the printed path must be quoted
    folder.mkdir()
    (folder / "voiceguide").symlink_to(_script())
    monkeypatch.setattr(sys, "argv", [str(folder / "voiceguide"), "play"])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    line = command("--version")
    assert line == f"'{folder / 'voiceguide'}' --version"
    done = _runs(line, dict(os.environ))
    assert done.returncode == 0 and "voiceguide" in done.stdout, done.stderr


def test_the_name_is_enough_when_voiceguide_on_path_is_this_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    (bin_ / "voiceguide").symlink_to(_script())  # what scripts/link.sh makes in ~/.local/bin
    monkeypatch.setenv("PATH", f"{bin_}:/usr/bin:/bin")
    monkeypatch.setattr(sys, "argv", [str(_script())])
    assert program() == "voiceguide"
    monkeypatch.setattr(sys, "argv", [str(ROOT / "voiceguide" / "__main__.py")])  # python -m voiceguide
    assert program() == "voiceguide"
    assert _runs("voiceguide --version", dict(os.environ)).returncode == 0


def test_started_with_python_dash_m_it_names_that_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", [str(ROOT / "voiceguide" / "__main__.py")])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    line = command("play", "--help")
    assert line.endswith(" -m voiceguide play --help")
    done = _runs(line, dict(os.environ) | {"PYTHONPATH": str(ROOT)})
    assert done.returncode == 0 and "--resume" in done.stdout, done.stderr


def test_a_path_under_home_is_printed_with_a_tilde_the_shell_expands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "voiceguide").symlink_to(_script())
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setattr(sys, "argv", [str(tmp_path / "voiceguide")])
    assert program() == "~/voiceguide"
    assert _runs("~/voiceguide --version", dict(os.environ)).returncode == 0


def _checkout(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """A copy of scripts/link.sh in a checkout with a .venv/bin/voiceguide, and a home of its own."""
    checkout, home = tmp_path / "checkout", tmp_path / "home"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "link.sh", checkout / "scripts" / "link.sh")
    venv_bin = checkout / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "voiceguide").write_text("#!/bin/sh\necho voiceguide here\n")
    (venv_bin / "voiceguide").chmod(0o755)
    home.mkdir()
    return checkout, home, {"HOME": str(home), "PATH": f"{home}/.local/bin:/usr/bin:/bin"}


def _link(checkout: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(checkout / "scripts" / "link.sh"), *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,  # as in CI: nothing to answer a prompt with
        timeout=30,
    )


def test_setup_links_voiceguide_into_local_bin_when_that_is_on_path_and_says_so(tmp_path: Path) -> None:
    checkout, home, env = _checkout(tmp_path)
    done = _link(checkout, env)
    assert done.returncode == 0 and done.stdout.startswith("Linked "), done.stderr
    assert (home / ".local" / "bin" / "voiceguide").resolve() == (checkout / ".venv" / "bin" / "voiceguide")
    assert _runs("voiceguide", env).stdout == "voiceguide here\n"
    again = _link(checkout, env)
    assert again.returncode == 0 and again.stdout == ""  # a second run has nothing to do or say


def test_setup_only_says_how_when_local_bin_is_not_on_path_and_links_with_the_flag(tmp_path: Path) -> None:
    checkout, home, env = _checkout(tmp_path)
    env["PATH"] = "/usr/bin:/bin"
    done = _link(checkout, env)
    assert done.returncode == 0 and "setup.sh --link" in done.stdout
    assert not (home / ".local" / "bin").exists()
    forced = _link(checkout, env, "--force")
    assert forced.returncode == 0 and "not on your PATH yet" in forced.stdout
    assert (home / ".local" / "bin" / "voiceguide").is_symlink()


def test_setup_leaves_another_voiceguide_in_local_bin_alone(tmp_path: Path) -> None:
    checkout, home, env = _checkout(tmp_path)
    theirs = home / ".local" / "bin" / "voiceguide"
    theirs.parent.mkdir(parents=True)
    theirs.write_text("#!/bin/sh\necho pipx one\n")
    done = _link(checkout, env)
    assert done.returncode == 0 and "left as it is" in done.stdout
    assert theirs.read_text() == "#!/bin/sh\necho pipx one\n"

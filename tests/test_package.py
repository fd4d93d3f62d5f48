"""voiceguide as an ordinary Python package: the wheel `pip wheel .` builds holds every data file, and installed
into a fresh virtual environment outside the checkout it lists, shows and exports."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built as `pip wheel .` builds it (isolated, from a copy of the sources: the checkout is left
    as it is)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT / "voiceguide", source / "voiceguide", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"), str(source)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (built,) = (work / "dist").glob("voiceguide-*.whl")
    return built


def test_the_wheel_holds_every_file_of_the_package(wheel: Path) -> None:
    package = ROOT / "voiceguide"
    ours = {
        p.relative_to(ROOT).as_posix()
        for p in package.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    inside = set(zipfile.ZipFile(wheel).namelist())
    assert {"voiceguide/routines/evening.toml", "voiceguide/templates/routine.toml", "voiceguide/py.typed"} <= ours
    assert ours - inside == set()


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only the wheel installed in it; its dependencies are this environment's
    (a .pth line: nothing is downloaded, and this environment's own voiceguide is not on the path)."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    packages = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(packages, "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q"]
    subprocess.run([*install, str(wheel)], check=True, capture_output=True, timeout=300)
    return venv


def run(venv: Path, *args: str, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [str(venv / "bin" / "voiceguide"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_installed_wheel_lists_shows_and_exports_outside_the_checkout(
    installed: Path, tmp_path: Path, espeak: None
) -> None:
    assert run(installed, "help", "--man", cwd=tmp_path).startswith(".TH VOICEGUIDE 1 ")  # made from its commands
    origin = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import voiceguide; print(voiceguide.__file__)"],
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert origin.startswith(str(installed)) and ROOT.as_posix() not in origin
    assert any(line.startswith("evening ") for line in run(installed, "list", cwd=tmp_path).splitlines())
    plan = json.loads(run(installed, "show", "evening", "--json", cwd=tmp_path))
    assert [step["point"] for step in plan["steps"]] == ["LR3", "LR4", "SP4", "SP3", "KI6", "KI1"]
    out = run(installed, "export", "evening", "--only", "LR4", "--scale", "0.05", "-o", "evening.wav", cwd=tmp_path)
    assert out.startswith("Wrote evening.wav") and (tmp_path / "evening.wav").stat().st_size > 100_000
    assert run(installed, "--version", cwd=tmp_path).strip() == "voiceguide, version 0.1.0"

"""Project hygiene: the README's commands, CI, lint, and help texts."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from voiceguide.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    first_screen = text.split("\n---\n")[0]
    return re.findall(r"```sh\n(.+?)\n```", first_screen)


def test_the_readme_first_screen_has_exactly_two_commands_play_and_test() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    assert commands[0].endswith("voiceguide play evening")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert readme_commands()[1] in ci.splitlines()


def test_the_code_is_ruff_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        from conftest import missing

        missing("ruff (pip install -e '.[test]')")
    done = subprocess.run([ruff, "check", str(ROOT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if hasattr(command, "commands"):
            yield from _commands(command, (*prefix, name))


@pytest.mark.parametrize(
    ("path", "command"), list(_commands(cli)), ids=lambda p: " ".join(p) if isinstance(p, tuple) else ""
)
def test_every_command_has_help_with_an_example(path, command) -> None:
    result = CliRunner().invoke(cli, [*path, "-h"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "voiceguide " in result.output.split("Example:")[1]


def test_the_benchmark_script_runs_on_a_tiny_routine(tmp_path: Path, espeak: None, vsink: dict) -> None:
    import json

    out = tmp_path / "bench.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "bench.py"),
            "--routine",
            str(ROOT / "tests" / "routines" / "tiny.toml"),
            "--runs",
            "1",
            "--quick",
            "--only",
            "export,startup,play",  # the rows the assertions read; the others cost CI a minute
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(out.read_text())["results"]
    rows = {"export warm, WAV (s)", "export cold, M4B (s)", "export clips cached, new pacing, WAV (s)"}
    rows |= {"peer warm, WAV (s)", "peer cold, WAV: phase speech (s)", "voiceguide --help (s)"}
    assert rows | {"play first sound, warm cache (s)"} <= set(results)
    assert "peer / warm export (WAV)" in done.stdout


def test_ci_sets_ci_true_itself_so_a_missing_stack_fails_on_any_runner() -> None:
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    test_line = lines.index(readme_commands()[1])
    assert "export CI=true" in lines[:test_line]

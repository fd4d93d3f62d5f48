"""Shell completion through click's protocol, in a real `voiceguide` process: commands, options and each kind
of value (routines, voices, beds, presets, engines, point codes); the scripts for bash, zsh and fish; the
man page made from the same commands."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from voiceguide.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def complete(*words: str, cwd: Path = ROOT) -> list[str]:
    """What bash is offered for the last word (words[-1], "" for a fresh one) after `voiceguide words[:-1]`."""
    env = dict(
        os.environ,
        COMP_WORDS=" ".join(("voiceguide", *words)),
        COMP_CWORD=str(len(words)),
        _VOICEGUIDE_COMPLETE="bash_complete",
        PYTHONPATH=str(ROOT),
    )
    done = subprocess.run(
        [sys.executable, "-m", "voiceguide"], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return [line.split(",", 1)[1] if line.startswith("plain,") else line for line in done.stdout.splitlines()]


def test_commands_and_options_complete() -> None:
    assert complete("p") == ["pace", "play"]
    assert complete("pace", "") == ["reset", "set", "show"]
    assert {"--press", "--preset", "--device"} <= set(complete("play", "--p")) | set(complete("play", "--d"))


def test_a_routine_completes_to_built_in_names_and_toml_files_here(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text("")
    (tmp_path / "notes.txt").write_text("")
    assert complete("play", "ev") == ["evening"]
    assert complete("show", "", cwd=tmp_path) == ["before-sleep", "evening", "short-evening", "mine.toml"]
    assert complete("validate", "./m") == ["file,./m"]  # a path: the shell completes file names


def test_voice_ids_complete_for_both_engines(espeak: None, neural: None) -> None:
    assert complete("say", "Hi.", "--voice", "gmw/en-gb-x-") == [
        "gmw/en-gb-x-gbclan",
        "gmw/en-gb-x-gbcwmd",
        "gmw/en-gb-x-rp",
    ]
    assert complete("play", "--voice", "jo") == ["joe"]
    assert complete("play", "--voice", "en_") == ["en_US-joe-medium"]


def test_bed_names_presets_and_engines_complete(tmp_path: Path) -> None:
    (tmp_path / "sea.flac").write_bytes(b"")
    assert complete("play", "--bed", "", cwd=tmp_path) == ["none", "brown", "pink", "rain", "drone", "sea.flac"]
    assert complete("export", "evening", "--preset", "") == ["gentle", "standard", "brisk"]
    assert complete("show", "evening", "--engine", "") == ["espeak", "piper"]


def test_point_codes_complete_from_the_routine_on_the_line_after_those_already_given() -> None:
    assert complete("play", "evening", "--only", "") == ["LR3", "LR4", "SP4", "SP3", "KI6", "KI1"]
    assert complete("play", "evening", "--rate", "140", "--skip", "LR3,K") == ["LR3,KI6", "LR3,KI1"]
    assert complete("show", "evening", "--wait-before", "w") == ["warmth"]
    every = complete("pace", "set", "--only", "KI2")
    assert every == ["KI2", "KI20", "KI21", "KI22", "KI23", "KI24", "KI25", "KI26", "KI27"]  # no routine: every code


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_completion_command_prints_click_s_script_for_each_shell(shell: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "voiceguide", "completion", shell], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert f"_VOICEGUIDE_COMPLETE={shell}_complete" in done.stdout
    if shell == "bash" and shutil.which("bash"):
        script = done.stdout + "\ncomplete -p voiceguide\n"
        loaded = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
        assert loaded.stdout.strip() == "complete -o nosort -F _voiceguide_completion voiceguide"


def _every_command(group: click.Group, path: str) -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        found.append((f"{path} {name}", command))
        if isinstance(command, click.Group):
            found += _every_command(command, f"{path} {name}")
    return found


def test_the_man_page_has_every_command_and_every_option() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "voiceguide", "help", "--man"], capture_output=True, text=True, cwd=ROOT, check=True
    )
    page = done.stdout
    assert page.startswith(".TH VOICEGUIDE 1 ")
    commands = _every_command(cli, "voiceguide")
    assert len(commands) >= 14
    for path, command in commands:
        assert f".SS {path} " in page.replace("\\-", "-"), path
        section = page.replace("\\-", "-").split(f".SS {path} ", 1)[1].split(".SS ", 1)[0]
        for param in command.params:
            for flag in (*param.opts, *param.secondary_opts) if isinstance(param, click.Option) else ():
                assert flag in section, f"{path} {flag}"
    if shutil.which("man") is None:
        from conftest import missing

        missing("man (man-db), to render the man page")
    shown = subprocess.run(
        ["man", "-l", "-"], input=page, capture_output=True, text=True, env=dict(os.environ, MANWIDTH="100")
    )
    assert shown.returncode == 0 and "voiceguide pace set" in shown.stdout and "--wait-before" in shown.stdout


def test_help_shows_a_command_s_help_and_refuses_an_unknown_one() -> None:
    from click.testing import CliRunner

    assert (
        CliRunner()
        .invoke(cli, ["help", "pace", "set"], prog_name="voiceguide")
        .output.startswith("Usage: voiceguide pace set [OPTIONS]")
    )
    refused = CliRunner().invoke(cli, ["help", "dance"])
    assert refused.exit_code == 2 and "no such command: dance" in refused.output

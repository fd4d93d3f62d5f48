"""`voiceguide check --mic --recording`: a recording run through the listening path of `play --listen`."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.test_listen import speak, sphinx, vmic, with_gaps

__all__ = ["sphinx", "vmic"]

SENTENCES = [
    "Let your feet rest on the floor and feel the weight of your legs sink down.",
    "Breathe out through the mouth and feel your shoulders drop a little.",
]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "voiceguide", "check", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def three_commands(sphinx: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[float, float]]]:
    """A 44.1 kHz stereo recording: three commands with ordinary speech between them, and where the commands are."""
    import soundfile as sf
    import soxr

    clips = [speak("pause please"), speak(SENTENCES[0]), speak("next point"), speak(SENTENCES[1]), speak("stop")]
    audio, spans = with_gaps(clips, gap=1.5)
    wide = soxr.resample(audio, 16000, 44100).astype(np.float32)
    path = tmp_path_factory.mktemp("rec") / "three.wav"
    sf.write(path, np.stack([wide, wide * 0.5], axis=1), 44100)
    return path, [spans[0], spans[2], spans[4]]


def test_a_recording_with_three_commands_and_speech_between_gives_exactly_those_three(three_commands) -> None:
    path, spans = three_commands
    result = _run("--mic", "--recording", str(path), "--json")
    assert result.returncode == 0, result.stderr
    commands = json.loads(result.stdout)["commands"]
    assert [c["command"] for c in commands] == ["pause", "next", "quit"], commands
    assert [c["phrase"] for c in commands] == ["pause please", "next point", "stop"]
    for c, (t0, t1) in zip(commands, spans, strict=True):
        assert t0 - 0.1 <= c["start"] < c["end"] <= t1 + 0.1, (c, t0, t1)


def test_the_plain_listing_says_what_was_heard_in_the_user_s_words(three_commands) -> None:
    path, _ = three_commands
    result = _run("--mic", "--recording", str(path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split("heard ")[1] for line in lines[:3]] == ['"pause please" (pause)', '"next point"', '"stop"']
    assert lines[3] == "3 command(s) heard."
    assert "quit" not in result.stdout and "next\n" not in result.stdout


def test_an_unreadable_recording_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "not-sound.wav"
    bad.write_text("hello")
    result = _run("--mic", "--recording", str(bad))
    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot read the recording") and len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_json_without_a_recording_is_a_usage_error() -> None:
    result = _run("--json")
    assert result.returncode == 2 and "--json goes with --mic --recording FILE" in result.stderr


def test_check_names_the_input_that_listen_would_use(vmic: str) -> None:
    from click.testing import CliRunner

    from voiceguide.cli import cli

    result = CliRunner().invoke(cli, ["check"])
    line = next(line for line in result.output.splitlines() if "input for --listen" in line)
    assert line.startswith("OK ") and line.split("input for --listen")[1].strip()[0].isdigit(), line


def test_check_says_when_there_is_no_input_for_listen(espeak: None, tmp_path: Path) -> None:
    import os

    env = dict(os.environ, XDG_RUNTIME_DIR=str(tmp_path), PULSE_SERVER="unix:" + str(tmp_path / "none"))
    done = subprocess.run([sys.executable, "-m", "voiceguide", "check"], env=env, capture_output=True, text=True)
    assert "FAIL input for --listen" in done.stdout and "keys work without one" in done.stdout


def test_hearing_takes_any_float_samples_at_any_rate(sphinx: None) -> None:
    from voiceguide.live.recording import hear

    quiet = np.random.default_rng(0).normal(0, 1e-3, 22050 * 2)  # float64, 22.05 kHz
    assert hear(quiet, 22050) == []


def test_check_mic_hears_previous_in_the_virtual_microphone_and_says_it_in_the_user_s_words(
    sphinx: None, vmic: str, tmp_path: Path
) -> None:
    wav = tmp_path / "previous.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), "previous"], check=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "check", "--mic"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3.0)  # the listener is open by then
    subprocess.run(["paplay", "-d", vmic, str(wav)], check=True)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert 'heard "previous" (previous point)' in out, out
    assert "1 command(s) heard." in out

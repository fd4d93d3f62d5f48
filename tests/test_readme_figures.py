"""The README's figures for the evening routine are the ones the program gives: its length and file sizes
(M4B and WAV, and the M4B with a rain bed)."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from voiceguide.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
# The one way the README names the evening's length, so that every mention is checked here.
LENGTH = re.compile(r"evening \(about (\d+) minutes")
OTHER_FORMS = re.compile(r"\d+[- ]minute evening|evening(?:'s| routine's) \d+ minutes|\d+-minute one")


def test_the_readme_names_the_evenings_length_one_way_only() -> None:
    assert LENGTH.findall(README), "the README should give the evening's length as 'evening (about N minutes'"
    assert not OTHER_FORMS.findall(README)
    assert len(set(LENGTH.findall(README))) == 1


def _mb(line: str) -> float:
    found = re.search(r", ([\d.]+) MB\)", line)  # "Wrote x (48:43, 4.0 MB)"
    assert found, line
    return float(found.group(1))


def test_the_readme_gives_the_evenings_length_and_file_sizes_as_the_program_does(tmp_path: Path, espeak: None) -> None:
    runner = CliRunner()
    header = runner.invoke(cli, ["show", "evening"]).output.splitlines()[0]  # "... (6 points, about 49 min)"
    minutes = re.search(r"about (\d+) min\)", header)
    assert minutes, header
    assert set(LENGTH.findall(README)) == {minutes.group(1)}
    wrote = {}
    for name, args in {"m4b": (), "wav": (), "rain.m4b": ("--bed", "rain")}.items():
        result = runner.invoke(cli, ["export", "evening", "-o", str(tmp_path / f"evening.{name}"), *args])
        assert result.exit_code == 0, result.output
        wrote[name] = _mb(result.output)
    m4b = re.search(r"is about ([\d.]+) MB\), every phone plays AAC", README)
    wav = re.search(r"is\s+a (\d+) MB file", README)
    assert m4b and wav
    assert abs(float(m4b.group(1)) - wrote["m4b"]) <= 0.15, wrote  # "about": within 0.15 MB
    assert abs(float(wav.group(1)) - wrote["wav"]) <= 1, wrote
    rain = re.search(r"--bed rain` is about (\d+) MB as M4B", README)  # a bed's noise fills AAC's bit rate
    assert rain and abs(float(rain.group(1)) - wrote["rain.m4b"]) <= 1, wrote

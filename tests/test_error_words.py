"""Error lines a person reads: steps counted from 1, 'did you mean' for a close name, a full disk only when it is."""

from __future__ import annotations

import errno
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from voiceguide.cli import cli
from voiceguide.errors import ExportError, PacingError, RoutineError
from voiceguide.export.writer import reported
from voiceguide.plan.pacing import parse_layer
from voiceguide.routine.library import parse_routine
from voiceguide.routine.points import PointCodeError, parse_point

STEP = '[[steps]]\npoint = "{point}"\ntechnique = "hold"\nminutes = 1\nsides = "both"\n'


def _error(text: str) -> RoutineError:
    with pytest.raises(RoutineError) as caught:
        parse_routine(text.encode(), name="t", source="t.toml")
    return caught.value


def test_a_mistake_in_the_second_step_says_step_2_and_keeps_its_line() -> None:
    text = 'title = "x"\n' + STEP.format(point="LR3") + STEP.format(point="LR4") + 'tecnique = "hold"\n'
    error = _error(text)
    assert str(error).startswith("t.toml:12: step 2, tecnique: unknown key; did you mean 'technique'? allowed")
    assert error.field == "steps[1].tecnique"  # the file's own form stays for tools


def test_a_mistyped_top_level_key_and_pacing_setting_get_the_close_name() -> None:
    assert "did you mean 'title'?" in str(_error('titel = "x"\n' + STEP.format(point="LR3")))
    with pytest.raises(PacingError, match=r"^speed: unknown setting; allowed"):  # nothing close: no guess
        parse_layer({"speed": 3})
    with pytest.raises(PacingError, match=r"^relase: unknown setting; did you mean 'release'\? allowed"):
        parse_layer({"relase": 3})


def test_an_unrelated_unknown_key_gets_no_guess() -> None:
    message = str(_error('title = "x"\n' + STEP.format(point="LR3") + "duration = 3\n"))
    assert "step 1, duration: unknown key; allowed in a step" in message and "did you mean" not in message


@pytest.mark.parametrize(("typed", "meant"), [("Livr3", "LR3"), ("Kidny-6", "KI6"), ("SPL4", "SP4"), ("LX3", None)])
def test_a_mistyped_point_code_suggests_the_standard_code(typed: str, meant: str | None) -> None:
    with pytest.raises(PointCodeError) as caught:
        parse_point(typed)
    if meant is None:
        assert "did you mean" not in str(caught.value)
    else:
        assert f"did you mean {meant}?" in str(caught.value)


def test_a_mistyped_point_in_a_flag_is_one_line_with_the_suggestion() -> None:
    result = CliRunner().invoke(cli, ["show", "evening", "--only", "Livr3"])
    assert result.exit_code != 0
    assert "did you mean LR3?" in result.output and result.output.count("\n") == 1


@pytest.mark.parametrize(
    ("code", "full"), [(errno.ENOSPC, True), (errno.EDQUOT, True), (errno.ENOENT, False), (errno.EFBIG, False)]
)
def test_the_export_error_says_the_disk_is_full_only_when_it_is(tmp_path: Path, code: int, full: bool) -> None:
    with pytest.raises(ExportError) as caught, reported(tmp_path / "x.m4b", tmp_path):
        raise OSError(code, "failed")
    assert ("disk is full" in str(caught.value)) is full


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
@pytest.mark.parametrize("fmt", ["m4b", "mp3", "opus", "flac", "wav"])
def test_an_export_into_proc_says_the_file_cannot_be_made_and_not_that_the_disk_is_full(
    tmp_path: Path, standin: None, fmt: str
) -> None:
    result = CliRunner().invoke(cli, ["export", "tests/routines/tiny.toml", "-o", f"/proc/x.{fmt}"])
    assert result.exit_code == 1
    assert "No such file or directory" in result.output and "disk" not in result.output, result.output

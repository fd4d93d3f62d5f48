from pathlib import Path

import pytest
from click.testing import CliRunner

from voiceguide.cli import cli
from voiceguide.errors import RoutineError, readable_field
from voiceguide.routine.library import Sides, Technique, load_routine, parse_routine

BAD = Path(__file__).parent / "routines" / "bad"


def _expectations() -> list[tuple[str, str, str]]:
    rows = []
    for line in (BAD / "EXPECT.txt").read_text().splitlines():
        name, line_part, field_part = line.split()
        rows.append((name, line_part.removeprefix("line="), field_part.removeprefix("field=")))
    return rows


def test_the_malformed_routine_folder_holds_at_least_twenty_cases() -> None:
    assert len(_expectations()) >= 20
    assert {name for name, _, _ in _expectations()} == {p.name for p in BAD.glob("*.toml")}


@pytest.mark.parametrize(("name", "line", "field"), _expectations())
def test_each_malformed_routine_is_one_clear_error_naming_file_line_and_field(name: str, line: str, field: str) -> None:
    with pytest.raises(RoutineError) as caught:
        load_routine(str(BAD / name))
    error = caught.value
    assert error.path == str(BAD / name)
    assert str(error.line) == line
    assert (error.field or "-") == field
    assert "\n" not in str(error)


@pytest.mark.parametrize(("name", "line", "field"), _expectations())
def test_the_cli_reports_a_malformed_routine_in_one_line_and_exits_non_zero(name: str, line: str, field: str) -> None:
    result = CliRunner().invoke(cli, ["show", str(BAD / name)])
    assert result.exit_code == 1
    message = result.output.strip()
    assert message.count("\n") == 0, message
    assert message.startswith(f"Error: {BAD / name}:{line}: {readable_field(field)}: ")  # steps counted from 1
    assert "Traceback" not in result.output


def test_a_huge_routine_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    huge = tmp_path / "huge.toml"
    huge.write_text('title = "x"\n' + "# padding padding padding padding\n" * 40_000)
    result = CliRunner().invoke(cli, ["show", str(huge)])
    assert result.exit_code == 1
    assert f"{huge}: " in result.output and "at most 1,048,576 bytes" in result.output


def test_a_missing_routine_file_is_named_in_the_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["show", str(tmp_path / "nope.toml")])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {tmp_path / 'nope.toml'}: no such file"


def test_the_built_in_evening_routine_has_the_six_points_with_the_articles_techniques() -> None:
    routine = load_routine("evening")
    got = {s.point.code: (s.technique, s.minutes, s.sides) for s in routine.steps}
    assert got == {
        "LR3": (Technique.HOLD, 10.0, Sides.TOGETHER),
        "KI1": (Technique.WARMTH, 10.0, Sides.TOGETHER),
        "SP4": (Technique.CYCLES, 3.0, Sides.BOTH),
        "LR4": (Technique.CYCLES, 3.0, Sides.BOTH),
        "KI6": (Technique.CYCLES, 3.0, Sides.BOTH),
        "SP3": (Technique.CYCLES, 3.0, Sides.BOTH),
    }
    assert all(s.location and s.instructions for s in routine.steps)


def test_every_step_keeps_the_line_of_its_header() -> None:
    text = b'title = "T"\n\n[[steps]]\npoint = "SP4"\ntechnique = "hold"\nminutes = 1\nsides = "left"\n\n[[steps]]\npoint = "Liv-3"\ntechnique = "hold"\nminutes = 1\nsides = "left"\n'
    routine = parse_routine(text, name="t", source="t.toml")
    assert [s.line for s in routine.steps] == [3, 9]
    assert routine.steps[1].point.code == "LR3"
    assert routine.steps[1].name == "Liver 3"


def test_a_step_may_say_what_it_needs_in_the_opening_and_afterwards_in_the_closing() -> None:
    text = b'title = "T"\n[[steps]]\npoint = "KI1"\ntechnique = "warmth"\nminutes = 1\nsides = "together"\nprepare = "Have <b>warm</b> water ready."\nclosing = "Dry your feet."\n'
    step = parse_routine(text, name="t", source="t.toml").steps[0]
    assert (step.prepare, step.closing) == ("Have warm water ready.", "Dry your feet.")
    evening = {s.point.code: s for s in load_routine("evening").steps}
    assert "warm water" in evening["KI1"].prepare and "Dry your feet" in evening["KI1"].closing
    assert "water" not in load_routine("evening").opening and "Dry" not in load_routine("evening").closing


def test_a_step_may_ask_to_wait_for_the_listener_before_it() -> None:
    text = (
        b'title = "T"\n[[steps]]\npoint = "KI1"\ntechnique = "warmth"\nminutes = 1\nsides = "together"\nwait = true\n'
    )
    assert parse_routine(text, name="t", source="t.toml").steps[0].wait is True
    assert not any(s.wait for s in load_routine("evening").steps)

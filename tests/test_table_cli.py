"""Tables on the terminal: `pace show` and `voices` have a header and every column starts at one place."""

from __future__ import annotations

from click.testing import CliRunner

from voiceguide.cli import cli
from voiceguide.cli.table import aligned


def _starts(header: str, names: list[str]) -> list[int]:
    return [header.index(name) for name in names]


def _column_starts_hold(lines: list[str], starts: list[int]) -> None:
    """Each column's cell begins at its header's column, after a blank, in every row."""
    for line in lines:
        for start in starts[1:]:
            assert line[start - 1] == " " and line[start] != " ", (line, start)


def test_aligned_pads_every_column_but_the_last_to_its_widest_cell() -> None:
    assert aligned([("a", "bb", "c"), ("long one", "x", "tail end")]) == ["a         bb  c", "long one  x   tail end"]
    assert aligned([]) == []


def test_pace_show_keeps_its_columns_past_wait_before_and_engine() -> None:
    result = CliRunner().invoke(cli, ["pace", "show", "--wait-before", "warmth", "--voice", "joe"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if not line.startswith("(")]
    assert lines[0].split() == ["setting", "value", "from"]
    keys = [line.split()[0] for line in lines[1:]]
    assert "wait_before" in keys and "engine" in keys
    _column_starts_hold(lines, _starts(lines[0], ["setting", "value", "from"]))
    source = _starts(lines[0], ["setting", "value", "from"])[2]
    assert all(line[source:].startswith(("built-in", "flag")) for line in lines[1:])


def test_voices_has_a_header_and_long_language_codes_keep_the_columns(standin: None) -> None:
    result = CliRunner().invoke(cli, ["voices"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["id", "language", "engine", "name"]
    starts = _starts(lines[0], ["id", "language", "engine", "name"])
    longest = max(len(line.split()[1]) for line in lines[1:])
    assert starts[2] - starts[1] >= longest + 2  # the language column fits its longest code
    _column_starts_hold(lines, starts)

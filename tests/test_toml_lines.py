"""The line and field of a routine error, in the TOML forms a line index easily misreads."""

from __future__ import annotations

import pytest

from voiceguide.errors import RoutineError
from voiceguide.routine.library import parse_routine

STEP = 'point = "SP4"\ntechnique = "hold"\nsides = "left"\n'


def error_of(text: str) -> RoutineError:
    with pytest.raises(RoutineError) as caught:
        parse_routine(text.encode(), name="t", source="t.toml")
    return caught.value


@pytest.mark.parametrize("quotes", ['"""', "'''"])
def test_a_steps_header_inside_a_multi_line_string_is_text_not_a_table(quotes: str) -> None:
    text = f'title = "T"\ndescription = {quotes}\nTwo parts:\n[[steps]]\nminutes = 1\n{quotes}\n[[steps]]\n{STEP}minutes = 0\n'
    error = error_of(text)
    assert (error.line, error.field) == (11, "steps[0].minutes"), str(error)


def test_a_quoted_key_is_found_on_its_line() -> None:
    error = error_of(f'title = "T"\n\n[[steps]]\n{STEP}"minutes" = 0\n')
    assert (error.line, error.field) == (7, "steps[0].minutes"), str(error)


def test_pacing_as_an_inline_table_names_the_line_it_is_written_on() -> None:
    error = error_of(f'title = "T"\npacing = {{ gap = 2, release = 99 }}\n\n[[steps]]\n{STEP}minutes = 1\n')
    assert (error.line, error.field) == (2, "pacing.release"), str(error)


def test_pacing_as_a_dotted_key_names_the_line_it_is_written_on() -> None:
    error = error_of(f'title = "T"\npacing.gap = 2\npacing.release = 99\n\n[[steps]]\n{STEP}minutes = 1\n')
    assert (error.line, error.field) == (3, "pacing.release"), str(error)


def test_a_quoted_key_inside_an_inline_pacing_table_is_found_on_its_line() -> None:
    # Found by the routine fuzz: the quoted "release" was blanked along with the string values.
    error = error_of(
        f'title = "T"\n"pacing" = {{ "voice" = "a, b = 1", "release" = 99 }}\n[[steps]]\n{STEP}minutes = 1\n'
    )
    assert (error.line, error.field) == (2, "pacing.release"), str(error)

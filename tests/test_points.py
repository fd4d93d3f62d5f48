import pytest

from voiceguide.routine.points import PointCodeError, parse_point, parse_point_list


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("LR3", "LR3"),
        ("Liv-3", "LR3"),
        ("Liver-3", "LR3"),
        ("LV3", "LR3"),
        ("liver 3", "LR3"),
        ("KD-6", "KI6"),
        ("Kidney-6", "KI6"),
        ("KI1", "KI1"),
        ("SP-4", "SP4"),
        ("Spleen 3", "SP3"),
        ("K 1", "KI1"),
        ("ren 17", "CV17"),
        ("du20", "GV20"),
    ],
)
def test_standard_codes_and_common_aliases_parse_to_the_standard_code(text: str, code: str) -> None:
    assert parse_point(text).code == code


@pytest.mark.parametrize("text", ["LR15", "LR0", "XY3", "liver", "3", "", "SP-", "SP-4-4"])
def test_codes_outside_a_meridian_or_unknown_are_rejected(text: str) -> None:
    with pytest.raises(PointCodeError):
        parse_point(text)


def test_the_error_for_a_point_past_the_end_says_how_many_points_the_meridian_has() -> None:
    with pytest.raises(PointCodeError, match="points 1 to 14"):
        parse_point("LR15")


def test_a_comma_list_keeps_its_order_and_accepts_aliases() -> None:
    assert [p.code for p in parse_point_list("SP-4, KD-6")] == ["SP4", "KI6"]

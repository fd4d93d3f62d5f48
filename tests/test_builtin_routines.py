"""The built-in routines: what each keeps of the reference article, and the lengths they are named by."""

import pytest

from voiceguide.plan.config import effective_pacing
from voiceguide.plan.length import session_minutes
from voiceguide.plan.timeline import estimate
from voiceguide.routine.library import builtin_names, load_routine


def test_there_are_three_built_in_routines() -> None:
    assert builtin_names() == ["before-sleep", "evening", "short-evening"]


@pytest.mark.parametrize("name", ["before-sleep", "evening", "short-evening"])
def test_every_built_in_routine_opens_with_the_safety_words_and_ends_on_warmth(name: str) -> None:
    routine = load_routine(name)
    opening = routine.opening.lower()
    assert all(word in opening for word in ("never", "hurts", "doctor"))  # pressure never painful; ask a doctor
    assert routine.steps[-1].point.code == "KI1" and routine.steps[-1].technique.value == "warmth"
    assert all(step.location and step.aliases for step in routine.steps)


@pytest.mark.parametrize(("name", "minutes"), [("short-evening", 15), ("before-sleep", 24), ("evening", 49)])
def test_each_built_in_routine_lasts_about_its_stated_length(name: str, minutes: int) -> None:
    routine = load_routine(name)
    pacing, _ = effective_pacing(routine, {}, None, saved={})
    assert session_minutes(estimate(routine, pacing)) == minutes


def test_the_short_evening_is_four_of_the_evenings_points_in_its_order() -> None:
    evening = [s.point.code for s in load_routine("evening").steps]
    short = [s.point.code for s in load_routine("short-evening").steps]
    assert short == ["LR3", "SP4", "KI6", "KI1"]
    assert [evening.index(code) for code in short] == sorted(evening.index(code) for code in short)


def test_before_sleep_is_built_around_kidney_6_with_liver_3_and_warmth_on_kidney_1() -> None:
    steps = load_routine("before-sleep").steps
    assert [(s.point.code, s.technique.value) for s in steps] == [
        ("LR3", "hold"),
        ("KI6", "cycles"),
        ("KI1", "warmth"),
    ]
    assert "joyous sleep" in " ".join(steps[1].aliases)
    assert steps[1].minutes == 3 and steps[2].minutes == 10  # the article's three minutes, and ten of warmth

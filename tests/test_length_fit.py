"""--length: the evening fitted to 15, 20 and 30 minutes as exact timelines (100 samples per second, 10 samples
per spoken word), what a fit keeps, the rule with --scale and --minutes, and the fit's arithmetic."""

import json

import pytest
from click.testing import CliRunner
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from voiceguide.cli import cli
from voiceguide.errors import PacingError
from voiceguide.plan.config import effective_pacing
from voiceguide.plan.cues import sentences
from voiceguide.plan.length import MAX_STRETCH, MIN_CYCLES, MIN_HOLD_MINUTES, FitError, Stretch, fit_minutes
from voiceguide.plan.pacing import Pacing, parse_layer
from voiceguide.plan.timeline import Timeline, schedule
from voiceguide.routine.library import load_routine

RATE = 100
EVENING = load_routine("evening")
SAFETY = (
    "Pressure should feel strong but never painful, so ease off whenever it hurts.",
    "If you feel unwell, talk to your doctor before you continue.",
)


def words(text: str) -> int:
    return 10 * len(text.split())


def fitted(length: float, **pacing: object) -> Timeline:
    return schedule(EVENING, Pacing(length=length, **pacing), words, RATE)


def presses(t: Timeline, step: int, side: str | None = None) -> int:
    return sum(1 for e in t.events if e.tone == "press" and e.step == step and side in (None, e.side))


@pytest.mark.parametrize(
    ("length", "samples", "minutes", "cycles_per_foot"),
    [
        (15, 90001, [2.8213, 0.8, 0.8, 0.8, 0.8, 2.8213], 6),
        (20, 120001, [3.7213, 1.2, 1.2, 1.2, 1.2, 3.7213], 9),
        (30, 180001, [6.0546, 1.8667, 1.8667, 1.8667, 1.8667, 6.0546], 14),
    ],
)
def test_the_evening_fitted_to_a_length_is_this_exact_timeline(
    length: int, samples: int, minutes: list[float], cycles_per_foot: int
) -> None:
    t = fitted(length)
    assert t.length == samples
    assert abs(t.duration - length * 60) <= 60
    assert [round(m, 4) for m in t.minutes] == minutes
    for step in (1, 2, 3, 4):
        assert presses(t, step, "left") == presses(t, step, "right") == cycles_per_foot
    assert f"It takes about {['fifteen', 'twenty', 'thirty'][[15, 20, 30].index(length)]} minutes." in t.texts()
    assert schedule(EVENING, Pacing(length=length), words, RATE) == t  # pure: the same inputs, the same timeline


@pytest.mark.parametrize("length", [15, 20, 30])
def test_a_fitted_evening_keeps_every_point_its_safety_sentences_tone_introductions_and_locations(length: int) -> None:
    t, whole = fitted(length), schedule(EVENING, Pacing(), words, RATE)
    assert [s.point for s in t.steps] == [s.point for s in EVENING.steps]
    opening = " ".join(e.text for e in t.events if e.cue == "opening")
    assert all(sentence in opening for sentence in SAFETY)
    assert [e.text for e in t.events if e.cue == "tone-intro"] == [
        e.text for e in whole.events if e.cue == "tone-intro"
    ]
    for index, step in enumerate(EVENING.steps):
        said = [e.text for e in t.events if e.step == index and e.cue == "location"]
        assert said == sentences(step.location)  # one description per point, whole
        sides = {e.side for e in t.events if e.step == index and e.cue == "side"}
        assert sides == ({"left", "right"} if step.sides.value == "both" else {"together"})
    assert all(m >= MIN_HOLD_MINUTES for m in (t.minutes[0], t.minutes[5]))
    assert all(presses(t, step, "left") >= MIN_CYCLES for step in (1, 2, 3, 4))


def test_holds_of_a_fitted_session_keep_their_reminders_and_time_left_cues_in_proportion() -> None:
    short, whole = fitted(15), schedule(EVENING, Pacing(), words, RATE)

    def cues(t: Timeline, cue: str) -> int:
        return sum(1 for e in t.events if e.step == 0 and e.cue == cue)

    assert 0 < cues(short, "time-left") < cues(whole, "time-left")
    assert 0 < cues(short, "reminder") < cues(whole, "reminder")


def test_a_length_below_the_shortest_names_that_length_and_suggests_only() -> None:
    with pytest.raises(PacingError) as caught:
        fitted(5)
    assert str(caught.value) == (
        "--length: the shortest evening session that keeps every point is about 9 minutes; "
        "for less, play fewer points with --only (e.g. --only LR3,LR4)"
    )
    fitted(9)  # the length it names can be played


def test_below_the_shortest_length_the_command_line_says_one_line_and_fails() -> None:
    result = CliRunner().invoke(cli, ["show", "evening", "--length", "3"], env={"VOICEGUIDE_ENGINE": "standin"})
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: --length: the shortest evening session")
    assert "--only" in lines[0] and "Traceback" not in result.output


def test_a_length_past_three_times_the_routine_is_refused() -> None:
    with pytest.raises(PacingError, match="the longest evening session is about"):
        fitted(200)


def test_length_with_only_fits_the_points_played() -> None:
    t = schedule(EVENING, Pacing(length=10, only=(EVENING.steps[0].point, EVENING.steps[5].point)), words, RATE)
    assert len(t.steps) == 2 and abs(t.duration - 600) <= 60


def test_a_point_given_its_own_minutes_keeps_them_and_the_rest_fill_the_length() -> None:
    pinned = parse_layer({"minutes": "LR3=6"})["minutes"]
    t = fitted(20, minutes=pinned)
    assert t.minutes[0] == 6.0 and t.minutes[5] < fitted(20).minutes[5]
    assert abs(t.duration - 1200) <= 60


def test_length_and_scale_as_flags_together_are_an_error() -> None:
    with pytest.raises(PacingError, match="--length and --scale both set the session's length"):
        effective_pacing(EVENING, {"length": "20", "scale": "0.5"}, None, saved={})


def test_of_length_and_scale_the_higher_layer_wins() -> None:
    saved_length = parse_layer({"length": "20"})
    pacing, origin = effective_pacing(EVENING, {"scale": "0.5"}, None, saved=saved_length)
    assert pacing.length is None and pacing.scale == 0.5 and origin["length"] == "built-in"
    pacing, origin = effective_pacing(EVENING, {"length": "20"}, None, saved=parse_layer({"scale": "0.5"}))
    assert pacing.length == 20 and pacing.scale == 1.0 and origin["scale"] == "built-in"


def test_pace_set_keeps_a_length(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["pace", "set", "--length", "20"])
    assert result.exit_code == 0, result.output
    pacing, origin = effective_pacing(EVENING, {}, None)
    assert pacing.length == 20 and origin["length"] == "saved"


def test_the_length_flag_refuses_a_length_out_of_its_range() -> None:
    with pytest.raises(PacingError, match="--length: must be at least 1 and at most 240 minutes"):
        effective_pacing(EVENING, {"length": "0"}, None, saved={})


stretches = st.lists(
    st.builds(
        Stretch,
        minutes=st.floats(0.5, 20),
        sides=st.sampled_from([1, 2]),
        cycle=st.sampled_from([0.0, 4.0, 8.0, 10.0]),
        pinned=st.booleans(),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=examples(300))
@given(stretches, st.floats(0, 600), st.floats(0.1, 4))
def test_a_fit_stays_within_each_steps_bounds_and_near_the_target(
    steps: list[Stretch], fixed: float, ratio: float
) -> None:
    target = fixed + sum(s.seconds(s.minutes) for s in steps) * ratio
    try:
        minutes = fit_minutes(steps, fixed, target)
    except FitError as exc:
        lowest = fixed + sum(s.seconds(s.lowest) for s in steps)
        highest = fixed + sum(s.seconds(s.highest) for s in steps)
        assert (exc.seconds, target < lowest) == ((lowest, True) if exc.shortest else (highest, False))
        return
    for s, m in zip(steps, minutes, strict=True):
        assert s.lowest - 1e-9 <= m <= s.highest + 1e-9
        if s.pinned:
            assert m == s.minutes
        assert m <= s.minutes * MAX_STRETCH + 1e-9
    total = fixed + sum(s.seconds(m) for s, m in zip(steps, minutes, strict=True))
    # Whole cycles leave at most half a cycle per side per step over or under, unless holds take it up.
    slack = 60 + sum(s.cycle * s.sides for s in steps)
    assert abs(total - target) <= slack


def test_a_fit_with_holds_reaches_the_target_within_a_second() -> None:
    steps = [Stretch(10, 1), Stretch(3, 2, 8.0), Stretch(3, 2, 8.0), Stretch(10, 1)]
    for target in (900.0, 1200.0, 1800.0):
        minutes = fit_minutes(steps, 300.0, target)
        total = 300 + sum(s.seconds(m) for s, m in zip(steps, minutes, strict=True))
        assert abs(total - target) < 1
        assert all(kind == 0 or (m * 60 / 8).is_integer() for kind, m in zip([0, 8, 8, 0], minutes, strict=True))


def test_show_with_a_length_prints_each_steps_fitted_minutes_against_the_routines() -> None:
    result = CliRunner().invoke(cli, ["show", "evening", "--length", "20"], env={"VOICEGUIDE_ENGINE": "standin"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Evening foot acupressure for stress  (6 points, about 20 min)"
    assert lines[1] == "Fitted to about 20 min (minutes as fitted / the routine's; cycles per foot):"
    rows = [line.split() for line in lines[2:8]]
    assert [(r[0], r[-4], r[-1]) for r in rows] == [
        ("LR3", "hold", "10"),
        ("LR4", "cycles", "3"),
        ("SP4", "cycles", "3"),
        ("SP3", "cycles", "3"),
        ("KI6", "cycles", "3"),
        ("KI1", "warmth", "10"),
    ]
    assert all(r[-2] == "/" and float(r[-3]) < float(r[-1]) for r in rows)
    plan = json.loads(
        CliRunner()
        .invoke(cli, ["show", "evening", "--length", "20", "--json"], env={"VOICEGUIDE_ENGINE": "standin"})
        .output
    )
    assert [s["routine_minutes"] for s in plan["steps"]] == [10, 3, 3, 3, 3, 10]
    assert [round(s["minutes"], 1) for s in plan["steps"]] == [float(r[-3]) for r in rows]

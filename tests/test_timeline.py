"""The scheduler, compared with exact timelines (100 samples per second, 10 samples per spoken word)."""

import pytest

from voiceguide.errors import PacingError
from voiceguide.plan.cues import time_left as _time_left
from voiceguide.plan.pacing import Pacing, Verbosity, parse_layer
from voiceguide.plan.timeline import Kind, Phase, Timeline, schedule
from voiceguide.routine.library import Routine, load_routine, parse_routine
from voiceguide.routine.parsers import PerPoint
from voiceguide.routine.points import parse_point
from voiceguide.words import catalogue


def time_left(seconds: float) -> str:
    return _time_left(catalogue("en"), seconds)


RATE = 100


def words(text: str) -> int:
    return 10 * len(text.split())


def routine(steps: str, opening: str = "") -> Routine:
    head = f'title = "T"\nopening = "{opening}"\nclosing = "Bye."\n'
    return parse_routine((head + steps).encode(), name="t", source="t.toml")


def plan(r: Routine, **pacing: object) -> Timeline:
    base = {"pause": 0.5, "gap": 1.0, "announce": 0.0, "verbosity": Verbosity.BRIEF} | pacing
    return schedule(r, Pacing(**base), words, RATE)


def rows(t: Timeline) -> list[tuple]:
    return [(e.start, e.duration, e.text or e.tone, e.step, e.side) for e in t.events]


SP4_CYCLES = '[[steps]]\npoint = "SP4"\nname = "Spleen 4"\ntechnique = "cycles"\nminutes = 0.2\nsides = "both"\npress = 2\nrelease = 1\n'
HOLD = '[[steps]]\npoint = "LR3"\nname = "Liver 3"\ntechnique = "hold"\nminutes = 0.05\nsides = "together"\n'
WARMTH = '[[steps]]\npoint = "KI1"\nname = "Kidney 1"\ntechnique = "warmth"\nminutes = 0.05\nsides = "together"\n'


def test_a_cycles_step_on_both_feet_gives_this_exact_timeline() -> None:
    t = plan(routine(SP4_CYCLES))
    cycles_left = [(1650 + 300 * k, 25, "press", 0, "left") for k in range(4)]
    cycles_left = [x for k, c in enumerate(cycles_left) for x in (c, (c[0] + 200, 35, "release", 0, "left"))]
    cycles_right = [(e[0] + 1590, *e[1:4], "right") for e in cycles_left]
    assert rows(t) == [
        (0, 300, "start", None, None),
        (350, 10, "T.", None, None),
        (410, 50, "It takes about one minute.", None, None),
        (510, 50, "This is the press tone.", None, None),
        (610, 25, "press", None, None),
        (685, 60, "And this is the release tone.", None, None),
        (795, 35, "release", None, None),
        (880, 50, "This chime ends each point.", None, None),
        (980, 150, "done", None, None),
        (1180, 60, "Point one of one: Spleen four.", 0, None),
        (1290, 100, "Press on the high tone, release on the low tone.", 0, None),
        (1440, 50, "Start with the left foot.", 0, "left"),
        (1540, 10, "Ready.", 0, "left"),
        *cycles_left,
        (2850, 120, "switch", 0, "right"),
        (3020, 60, "Now switch to the right foot.", 0, "right"),
        (3130, 10, "Ready.", 0, "right"),
        *cycles_right,
        (4440, 150, "done", 0, None),
        (4640, 10, "Bye.", None, None),
        (4700, 400, "end", None, None),
    ]
    assert t.length == 5100
    assert [(s.index, s.point.code, s.start, s.end) for s in t.steps] == [(0, "SP4", 1180, 4640)]


def test_a_minimal_hold_marks_press_and_release_with_tones_and_this_exact_timeline() -> None:
    t = plan(routine(HOLD, opening="A long welcome."), verbosity=Verbosity.MINIMAL)
    assert rows(t) == [
        (0, 300, "start", None, None),
        (350, 40, "T. About one minute.", None, None),
        (440, 20, "Press tone.", None, None),
        (510, 25, "press", None, None),
        (585, 20, "Release tone.", None, None),
        (655, 35, "release", None, None),
        (740, 40, "End of a point.", None, None),
        (830, 150, "done", None, None),
        (1030, 20, "Liver three.", 0, None),
        (1100, 25, "press", 0, "together"),
        (1400, 35, "release", 0, "together"),
        (1485, 30, "Now release, slowly.", 0, "together"),
        (1565, 150, "done", 0, None),
        (1765, 10, "Bye.", None, None),
        (1825, 400, "end", None, None),
    ]
    hold = [s for s in t.spans if s.phase is Phase.HOLD]
    assert [(s.start, s.end) for s in hold] == [(1100, 1400)]


def test_a_warmth_step_is_timed_by_voice_and_ends_on_the_done_chime_not_press_tones() -> None:
    t = plan(routine(WARMTH))
    assert rows(t)[3:] == [
        (510, 50, "This chime ends each point.", None, None),
        (610, 150, "done", None, None),
        (810, 60, "Point one of one: Kidney one.", 0, None),
        (920, 60, "Warm the soles of your feet.", 0, None),
        (1030, 30, "Both feet together.", 0, "together"),
        (1110, 60, "Let the warmth soak in now.", 0, "together"),
        (1520, 40, "That is enough warmth.", 0, "together"),
        (1610, 150, "done", 0, None),
        (1810, 10, "Bye.", None, None),
        (1870, 400, "end", None, None),
    ]
    assert [(s.start, s.end) for s in t.spans if s.phase is Phase.WARMTH] == [(1220, 1520)]


def test_the_opening_plays_each_tone_once_right_after_naming_it_and_only_the_tones_the_session_uses() -> None:
    for verbosity in Verbosity:
        t = plan(routine(SP4_CYCLES), verbosity=verbosity)
        intro = [e for e in t.events if e.cue == "tone-intro"]
        said, played = intro[::2], intro[1::2]
        assert all(e.kind is Kind.SPEECH for e in said) and [e.tone for e in played] == ["press", "release", "done"]
        assert "press" in said[0].text.lower() and "release" in said[1].text.lower()
        assert all(tone.start == text.end + 50 for text, tone in zip(said, played, strict=True))
        assert played[-1].end < t.steps[0].start
    warmth_only = plan(routine(WARMTH))
    assert [e.tone for e in warmth_only.events if e.cue == "tone-intro" and e.kind is Kind.TONE] == ["done"]


def test_full_verbosity_says_name_other_names_location_instructions_and_cautions_in_order() -> None:
    step = (
        HOLD
        + 'aliases = ["Tai Chong"]\nlocation = "On top of the foot."\ninstructions = "Press."\ncautions = "Ease off if sore."\n'
    )
    t = plan(routine(step), verbosity=Verbosity.FULL)
    said = [(e.cue, e.text) for e in t.events if e.step == 0 and e.kind is Kind.SPEECH]
    assert said == [
        ("name", "Point one of one: Liver three."),
        ("aliases", "Also called Tai Chong."),
        ("location", "On top of the foot."),
        ("instructions", "Press."),
        ("cautions", "Ease off if sore."),
        ("side", "Both feet together."),
        ("hold-start", "Press now, and hold."),
        ("hold-end", "Now release, slowly."),
    ]


def test_verbosity_levels_say_less_and_less() -> None:
    step = HOLD + 'location = "On top of the foot."\ninstructions = "Press."\n'
    counts = {v: sum(e.kind is Kind.SPEECH for e in plan(routine(step), verbosity=v).events) for v in Verbosity}
    assert counts[Verbosity.FULL] > counts[Verbosity.BRIEF] > counts[Verbosity.MINIMAL]


def test_a_long_hold_announces_the_time_left_at_exact_minute_marks() -> None:
    step = HOLD.replace("minutes = 0.05", "minutes = 6")
    t = plan(routine(step), announce=2.0)
    press = next(e for e in t.events if e.tone == "press" and e.step == 0)
    left = [(e.start - press.start, e.text) for e in t.events if e.cue == "time-left"]
    assert left == [
        (120 * RATE, "Four minutes left."),
        (240 * RATE, "Two minutes left."),
        (330 * RATE, "Thirty seconds left."),
    ]
    release = next(e for e in t.events if e.tone == "release" and e.step == 0)
    assert release.start - press.start == 360 * RATE


def test_time_left_in_cycles_is_said_only_inside_a_release_and_never_over_a_tone() -> None:
    step = SP4_CYCLES.replace("minutes = 0.2", "minutes = 3").replace(
        "press = 2\nrelease = 1", "press = 3\nrelease = 3"
    )
    t = plan(routine(step), announce=1.0)
    left = [e for e in t.events if e.cue == "time-left"]
    assert [e.text for e in left] == ["Two minutes left.", "One minute left."] * 2
    tones = [e for e in t.events if e.kind is Kind.TONE]
    for cue in left:
        assert all(cue.end <= tone.start or tone.end <= cue.start for tone in tones)
        release = max((s for s in t.spans if s.phase is Phase.RELEASE and s.start <= cue.start), key=lambda s: s.start)
        assert cue.end <= release.end


def test_spoken_cues_never_overlap_tones_in_any_verbosity() -> None:
    r = routine(HOLD + SP4_CYCLES.replace("minutes = 0.2", "minutes = 2") + WARMTH)
    for verbosity in Verbosity:
        t = plan(r, verbosity=verbosity, announce=0.5)
        speech = [e for e in t.events if e.kind is Kind.SPEECH]
        tones = [e for e in t.events if e.kind is Kind.TONE]
        assert all(s.end <= n.start or n.end <= s.start for s in speech for n in tones)


def test_every_cycle_has_one_press_and_one_release_and_the_count_follows_press_and_release() -> None:
    r = routine(SP4_CYCLES.replace("minutes = 0.2", "minutes = 3"))
    for press, release, cycles in [(5, 3, 22), (6, 4, 18), (2, 1, 60)]:
        t = plan(r, press=PerPoint(press), release=PerPoint(release))
        for side in ("left", "right"):
            presses = [e.start for e in t.events if e.tone == "press" and e.step == 0 and e.side == side]
            releases = [e.start for e in t.events if e.tone == "release" and e.step == 0 and e.side == side]
            assert len(presses) == len(releases) == cycles
            assert all(r_ - p == press * RATE for p, r_ in zip(presses, releases, strict=True))


def test_pacing_overrides_a_steps_own_press_and_per_point_values_override_the_default() -> None:
    r = routine(SP4_CYCLES)
    sp4 = parse_point("SP4")
    t = plan(r, press=PerPoint(4.0, ((sp4, 1.0),)))
    first_press = next(e for e in t.events if e.tone == "press" and e.step == 0)
    first_release = next(e for e in t.events if e.tone == "release" and e.step == 0)
    assert first_release.start - first_press.start == 1 * RATE


def test_scale_halves_every_steps_pressing_time() -> None:
    r = routine(HOLD.replace("minutes = 0.05", "minutes = 4") + WARMTH.replace("minutes = 0.05", "minutes = 2"))
    full = plan(r)
    half = plan(r, scale=0.5)
    phases = lambda t: [s.end - s.start for s in t.spans if s.phase in (Phase.HOLD, Phase.WARMTH)]  # noqa: E731
    assert phases(half) == [n // 2 for n in phases(full)]


def test_only_and_skip_choose_steps_and_the_gap_separates_them() -> None:
    r = routine(HOLD + SP4_CYCLES + WARMTH)
    only = plan(r, only=(parse_point("KI1"), parse_point("LR3")))
    assert [s.point.code for s in only.steps] == ["LR3", "KI1"]
    assert only.steps[1].start - only.steps[0].end == 1.0 * RATE
    skip = plan(r, skip=(parse_point("SP-4"),))
    assert [s.point.code for s in skip.steps] == ["LR3", "KI1"]


SCHEDULE_ELSEWHERE = """
import sys
sys.path.insert(0, sys.argv[1])
from test_timeline import HOLD, SP4_CYCLES, WARMTH, plan, routine, rows
print(repr(plan(routine(HOLD + SP4_CYCLES + WARMTH))))
"""


def test_the_same_inputs_give_the_same_timeline() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    # Equal inputs made afresh, with another session scheduled in between (no state carried from call to call).
    first = plan(routine(HOLD + SP4_CYCLES + WARMTH))
    plan(routine(WARMTH + HOLD), verbosity=Verbosity.FULL, announce=1.0)
    assert plan(routine(HOLD + SP4_CYCLES + WARMTH)) == first
    # And in other interpreters with other string hashes (no order taken from a set or a hash).
    here = str(Path(__file__).parent)
    elsewhere = {
        subprocess.run(
            [sys.executable, "-c", SCHEDULE_ELSEWHERE, here],
            env=os.environ | {"PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert elsewhere == {repr(first)}


def test_tone_events_last_exactly_their_tone_length() -> None:
    t = plan(routine(SP4_CYCLES))
    lengths = {e.tone: e.duration for e in t.events if e.kind is Kind.TONE}
    # 0.25, 0.35, 1.2, 3 and 4 seconds at 100 samples per second.
    assert lengths == {"press": 25, "release": 35, "switch": 120, "start": 300, "end": 400, "done": 150}


SAID_SECONDS = {time_left(60 * m): 60 * m for m in range(1, 61)} | {time_left(s): s for s in range(1, 60)}


@pytest.mark.parametrize("announce", [0.1, 0.5, 1.0, 2.0])
def test_every_time_left_announcement_in_a_hold_says_the_time_really_left(announce: float) -> None:
    t = plan(routine(HOLD.replace("minutes = 0.05", "minutes = 5")), announce=announce)
    release = next(e for e in t.events if e.tone == "release" and e.step == 0)
    left = [(release.start - e.start, e.text) for e in t.events if e.cue == "time-left"]
    assert left and all(SAID_SECONDS[text] * RATE == samples for samples, text in left)
    assert len(left) <= 5


@pytest.mark.parametrize("value", ["0.1", "0.5", "2.5", "-1", "61"])
def test_announce_takes_only_whole_minutes_up_to_an_hour(value: str) -> None:
    with pytest.raises(PacingError, match=r"^--announce: must be"):
        parse_layer({"announce": value}, prefix="--")
    assert parse_layer({"announce": "3"}) == {"announce": 3.0} and parse_layer({"announce": 0}) == {"announce": 0.0}


def test_session_minutes_is_whole_minutes_with_halves_rounded_up_and_never_zero() -> None:
    from voiceguide.plan.length import session_minutes

    def minutes(seconds: float) -> int:
        return session_minutes(Timeline(RATE, round(seconds * RATE), (), (), ()))

    assert [minutes(s) for s in (5, 89.99, 90, 149.99, 150, 2910)] == [1, 1, 2, 2, 3, 49]


@pytest.mark.parametrize("hold_minutes", [2, 17, 48])
def test_the_voice_says_the_plans_own_length_in_whole_minutes(hold_minutes: int) -> None:
    from voiceguide.plan.cues import spoken_number
    from voiceguide.plan.length import session_minutes
    from voiceguide.plan.timeline import estimate

    r = routine(HOLD.replace("minutes = 0.05", f"minutes = {hold_minutes}"))
    for t in (plan(r), estimate(r, Pacing())):
        (said,) = [e.text for e in t.events if e.text and e.text.startswith("It takes about")]
        assert said == f"It takes about {spoken_number(session_minutes(t))} minutes."


def test_a_routine_without_a_closing_ends_neutrally_and_only_its_own_closing_says_good_night() -> None:
    bare = parse_routine(('title = "Noon"\n' + HOLD).encode(), name="n", source="n.toml")
    said = [e.text for e in plan(bare).events if e.kind is Kind.SPEECH]
    assert said[-1] == "That is the end of the session."
    assert not any("night" in text.lower() for text in said)
    evening = [e.text for e in plan(load_routine("evening")).events if e.kind is Kind.SPEECH]
    assert evening[-1].endswith("Good night.")


def _in_stillness(t: Timeline) -> list[tuple]:
    still = next(s for s in t.spans if s.phase in (Phase.HOLD, Phase.WARMTH))
    return [(e.start - still.start, e.text or e.tone, e.cue) for e in t.events if still.start <= e.start <= still.end]


def test_a_long_hold_gets_gentle_reminders_so_no_quiet_lasts_over_a_minute_at_these_exact_samples() -> None:
    t = plan(routine(HOLD.replace("minutes = 0.05", "minutes = 6")), announce=2.0)
    assert _in_stillness(t) == [
        (0, "press", "press"),
        (5992, "Keep the pressure steady.", "reminder"),
        (12000, "Four minutes left.", "time-left"),
        (17990, "Breathe slowly, and keep holding.", "reminder"),
        (24000, "Two minutes left.", "time-left"),
        (28495, "Keep the pressure steady.", "reminder"),
        (33000, "Thirty seconds left.", "time-left"),
        (36000, "release", "release"),
    ]
    silent = plan(routine(HOLD.replace("minutes = 0.05", "minutes = 3")), announce=0.0)
    assert [(at, cue) for at, _, cue in _in_stillness(silent)] == [
        (0, "press"),
        (5987, "reminder"),
        (11988, "reminder"),
        (18000, "release"),
    ]


def test_thirty_seconds_left_is_said_only_in_a_hold_or_warmth_of_ninety_seconds_or_more() -> None:
    warmth = plan(routine(WARMTH.replace("minutes = 0.05", "minutes = 1.5")), announce=2.0)
    assert [(at, text) for at, text, cue in _in_stillness(warmth) if cue == "time-left"] == [
        (60 * RATE, "Thirty seconds left.")
    ]
    short = plan(routine(HOLD.replace("minutes = 0.05", "minutes = 1.45")), announce=1.0)
    assert [cue for _, _, cue in _in_stillness(short)] == ["press", "reminder", "release"]


def test_every_point_ends_on_the_done_chime_after_its_last_sound() -> None:
    r = routine(HOLD + SP4_CYCLES + WARMTH)
    for verbosity in Verbosity:
        t = plan(r, verbosity=verbosity)
        for step in t.steps:
            mine = [e for e in t.events if e.step == step.index]
            last = max(mine, key=lambda e: e.start)
            assert last.tone == "done" and last.cue == "done" and all(e.end <= last.start for e in mine if e != last)
            assert last.end + 50 == step.end


def longest_quiet(timeline: Timeline) -> tuple[int, int]:
    """(first sample, length in samples) of the longest stretch where nothing sounds; (0, 0) if none."""
    best, at, sounding_until = 0, 0, 0
    for event in sorted(timeline.events, key=lambda e: e.start):
        if event.start - sounding_until > best:
            best, at = event.start - sounding_until, sounding_until
        sounding_until = max(sounding_until, event.end)
    if timeline.length - sounding_until > best:
        best, at = timeline.length - sounding_until, sounding_until
    return at, best


def test_the_evening_plan_with_default_pacing_is_never_quiet_for_more_than_75_seconds() -> None:
    from voiceguide.plan.config import effective_pacing
    from voiceguide.plan.timeline import estimate

    evening = load_routine("evening")
    t = estimate(evening, effective_pacing(evening, {}, None, saved={})[0])
    _, quiet = longest_quiet(t)
    assert 30 * t.sample_rate < quiet <= 75 * t.sample_rate


def test_opening_and_closing_words_tied_to_a_step_are_said_only_when_that_step_is_played() -> None:
    warmth = WARMTH + 'prepare = "Have warm water ready."\nclosing = "Dry your feet."\n'
    r = routine(HOLD + warmth, opening="Sit down.")
    said = lambda t, cue: [e.text for e in t.events if e.cue == cue]  # noqa: E731
    both = plan(r, verbosity=Verbosity.FULL)
    assert said(both, "opening") == ["T.", "Sit down.", "Have warm water ready.", "It takes about one minute."]
    assert said(both, "closing") == ["Dry your feet.", "Bye."]
    hold_only = plan(r, verbosity=Verbosity.FULL, only=(parse_point("LR3"),))
    assert said(hold_only, "opening") == ["T.", "Sit down.", "It takes about one minute."]
    assert said(hold_only, "closing") == ["Bye."]


def test_the_evening_with_only_spleen_4_never_mentions_the_water_or_drying_feet() -> None:
    evening = load_routine("evening")
    whole = " ".join(e.text for e in plan(evening).events if e.text)
    assert "warm water bottle" in whole and "Dry your feet" in whole
    sp4 = " ".join(e.text for e in plan(evening, only=(parse_point("SP4"),)).events if e.text)
    assert "water" not in sp4 and "Dry" not in sp4 and sp4.endswith("Good night.")


def test_minimal_verbosity_welcomes_in_one_line_then_the_tones() -> None:
    t = plan(load_routine("evening"), verbosity=Verbosity.MINIMAL)
    first = t.steps[0].start
    said = [e.text for e in t.events if e.kind is Kind.SPEECH and e.start < first]
    from voiceguide.plan.cues import spoken_number
    from voiceguide.plan.length import session_minutes

    title = f"Evening foot acupressure for stress. About {spoken_number(session_minutes(t))} minutes."
    assert said == [title, "Press tone.", "Release tone.", "End of a point."]


def test_a_step_marked_wait_gets_an_announced_fixed_gap_in_exports_at_these_exact_samples() -> None:
    from voiceguide.plan.timeline import WAIT_SECONDS

    t = plan(routine(HOLD + WARMTH + "wait = true\n"))
    assert WAIT_SECONDS == 60 and t.waits == (2415,)
    assert rows(t)[-10:-7] == [
        (2035, 150, "done", 0, None),
        (2235, 130, "Next is the warmth. Get your warm water ready. You have one minute.", 1, None),
        (8415, 60, "Point two of two: Kidney one.", 1, None),
    ]
    assert 8415 - 2415 == WAIT_SECONDS * RATE
    assert [(s.start, s.end, s.step) for s in t.spans if s.phase in (Phase.WAIT, Phase.MOVING)] == [(2235, 8415, 1)]
    assert [(s.start, s.end) for s in t.steps] == [(1180, 2235), (2235, 9415)]
    assert [e.cue for e in t.events if e.start == 2235] == ["wait"]


def test_the_live_timeline_holds_at_the_wait_with_no_gap_and_asks_for_space() -> None:
    r = routine(HOLD + WARMTH + "wait = true\n")
    pacing = Pacing(pause=0.5, gap=1.0, announce=0.0, verbosity=Verbosity.BRIEF)
    t = schedule(r, pacing, words, RATE, live=True)
    (cue,) = [e for e in t.events if e.cue == "wait"]
    assert (cue.start, cue.text) == (
        2235,
        "Next is the warmth. Get your warm water ready. Press space when you are ready.",
    )
    assert t.waits == (cue.end + 50,) == (t.steps[1].start + 200,)
    assert next(e for e in t.events if e.start >= t.waits[0]).text == "Point two of two: Kidney one."


def test_wait_before_takes_point_codes_or_technique_names_and_waits_before_those_steps() -> None:
    from voiceguide.plan.pacing import value_text

    parsed = parse_layer({"wait_before": "Warmth, Liv-3"})["wait_before"]
    assert parsed == ("warmth", parse_point("LR3")) and value_text(parsed) == "warmth,LR3"
    for bad in ("XX9", "", " , "):
        with pytest.raises(PacingError, match=r"^--wait-before: "):
            parse_layer({"wait_before": bad}, prefix="--")
    r = routine(HOLD + SP4_CYCLES + WARMTH, opening="Hi.")
    waited = lambda t: [t.steps[i].point.code for i in sorted(e.step for e in t.events if e.cue == "wait")]  # noqa: E731
    assert waited(plan(r)) == []
    assert waited(plan(r, wait_before=("warmth",))) == ["KI1"]
    first = plan(r, wait_before=(parse_point("LR3"), parse_point("SP4")))
    assert waited(first) == ["LR3", "SP4"] and first.waits[0] < first.steps[0].start + 200
    assert not [s for s in first.spans if s.phase is Phase.MOVING and s.step == 1]

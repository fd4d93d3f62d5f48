"""The scheduler, compared with exact timelines (100 samples per second, 10 samples per spoken word)."""

from voiceguide.pacing import Pacing, Verbosity
from voiceguide.parsers import PerPoint
from voiceguide.points import parse_point
from voiceguide.routine import Routine, parse_routine
from voiceguide.timeline import Kind, Phase, Timeline, schedule

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
    cycles_left = [(980 + 300 * k, 25, "press", 0, "left") for k in range(4)]
    cycles_left = [x for k, c in enumerate(cycles_left) for x in (c, (c[0] + 200, 35, "release", 0, "left"))]
    cycles_right = [(e[0] + 1590, *e[1:4], "right") for e in cycles_left]
    assert rows(t) == [
        (0, 300, "start", None, None),
        (350, 10, "T.", None, None),
        (410, 50, "It takes about one minute.", None, None),
        (510, 60, "Point one of one: Spleen 4.", 0, None),
        (620, 100, "Press on the high tone, release on the low tone.", 0, None),
        (770, 50, "Start with the left foot.", 0, "left"),
        (870, 10, "Ready.", 0, "left"),
        *cycles_left,
        (2180, 120, "switch", 0, "right"),
        (2350, 60, "Now switch to the right foot.", 0, "right"),
        (2460, 10, "Ready.", 0, "right"),
        *cycles_right,
        (3770, 10, "Bye.", None, None),
        (3830, 400, "end", None, None),
    ]
    assert t.length == 4230
    assert [(s.index, s.point.code, s.start, s.end) for s in t.steps] == [(0, "SP4", 510, 3770)]


def test_a_minimal_hold_marks_press_and_release_with_tones_and_this_exact_timeline() -> None:
    t = plan(routine(HOLD), verbosity=Verbosity.MINIMAL)
    assert rows(t) == [
        (0, 300, "start", None, None),
        (350, 10, "T.", None, None),
        (410, 50, "It takes about one minute.", None, None),
        (510, 20, "Liver 3.", 0, None),
        (580, 25, "press", 0, "together"),
        (880, 35, "release", 0, "together"),
        (965, 30, "Now release, slowly.", 0, "together"),
        (1045, 10, "Bye.", None, None),
        (1105, 400, "end", None, None),
    ]
    hold = [s for s in t.spans if s.phase is Phase.HOLD]
    assert [(s.start, s.end) for s in hold] == [(580, 880)]


def test_a_warmth_step_is_timed_by_voice_and_a_chime_not_press_tones() -> None:
    t = plan(routine(WARMTH))
    assert rows(t)[3:] == [
        (510, 60, "Point one of one: Kidney 1.", 0, None),
        (620, 60, "Warm the soles of your feet.", 0, None),
        (730, 30, "Both feet together.", 0, "together"),
        (810, 60, "Let the warmth soak in now.", 0, "together"),
        (1220, 120, "switch", 0, "together"),
        (1390, 40, "That is enough warmth.", 0, "together"),
        (1480, 10, "Bye.", None, None),
        (1540, 400, "end", None, None),
    ]
    assert [(s.start, s.end) for s in t.spans if s.phase is Phase.WARMTH] == [(920, 1220)]


def test_full_verbosity_says_name_other_names_location_instructions_and_cautions_in_order() -> None:
    step = (
        HOLD
        + 'aliases = ["Tai Chong"]\nlocation = "On top of the foot."\ninstructions = "Press."\ncautions = "Ease off if sore."\n'
    )
    t = plan(routine(step), verbosity=Verbosity.FULL)
    said = [(e.cue, e.text) for e in t.events if e.step == 0 and e.kind is Kind.SPEECH]
    assert said == [
        ("name", "Point one of one: Liver 3."),
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
    press = next(e for e in t.events if e.tone == "press")
    left = [(e.start - press.start, e.text) for e in t.events if e.cue == "time-left"]
    assert left == [(120 * RATE, "Four minutes left."), (240 * RATE, "Two minutes left.")]
    release = next(e for e in t.events if e.tone == "release")
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
            presses = [e.start for e in t.events if e.tone == "press" and e.side == side]
            releases = [e.start for e in t.events if e.tone == "release" and e.side == side]
            assert len(presses) == len(releases) == cycles
            assert all(r_ - p == press * RATE for p, r_ in zip(presses, releases, strict=True))


def test_pacing_overrides_a_steps_own_press_and_per_point_values_override_the_default() -> None:
    r = routine(SP4_CYCLES)
    sp4 = parse_point("SP4")
    t = plan(r, press=PerPoint(4.0, ((sp4, 1.0),)))
    first_press = next(e for e in t.events if e.tone == "press")
    first_release = next(e for e in t.events if e.tone == "release")
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


def test_the_same_inputs_give_the_same_timeline() -> None:
    r = routine(HOLD + SP4_CYCLES + WARMTH)
    assert plan(r) == plan(r)


def test_tone_events_last_exactly_their_tone_length() -> None:
    t = plan(routine(SP4_CYCLES))
    lengths = {e.tone: e.duration for e in t.events if e.kind is Kind.TONE}
    # 0.25, 0.35, 1.2, 3 and 4 seconds at 100 samples per second.
    assert lengths == {"press": 25, "release": 35, "switch": 120, "start": 300, "end": 400}

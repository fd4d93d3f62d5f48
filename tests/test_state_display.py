"""Resume points and the status line: pure functions, exact answers."""

from voiceguide.live.display import Status, plain_line, status_at, status_line, wrapped
from voiceguide.live.state import SavedSession, resume_point, where
from voiceguide.plan.pacing import Pacing, Verbosity
from voiceguide.plan.timeline import Phase, schedule
from voiceguide.routine.library import parse_routine

RATE = 100
ROUTINE = parse_routine(
    b'title = "T"\n[[steps]]\npoint = "SP4"\ntechnique = "cycles"\nminutes = 0.2\nsides = "both"\npress = 2\nrelease = 1\n'
    b'[[steps]]\npoint = "LR3"\ntechnique = "hold"\nminutes = 1\nsides = "together"\n',
    name="t",
    source="t.toml",
)
TIMELINE = schedule(
    ROUTINE, Pacing(pause=0.5, gap=1, announce=0, verbosity=Verbosity.BRIEF), lambda t: 10 * len(t.split()), RATE
)


def saved_at(position: int) -> SavedSession:
    step, side, offset = where(TIMELINE, position)
    return SavedSession("t", "", {}, step, side, offset, position, RATE, 0.0)


def test_stopping_in_a_release_resumes_at_the_start_of_that_press_cycle() -> None:
    presses = [s for s in TIMELINE.spans if s.phase is Phase.PRESS and s.side == "right"]
    release = next(s for s in TIMELINE.spans if s.phase is Phase.RELEASE and s.start == presses[2].end)
    assert resume_point(TIMELINE, saved_at(release.start + 50)) == presses[2].start
    assert resume_point(TIMELINE, saved_at(presses[1].start + 10)) == presses[1].start


def test_stopping_in_a_hold_backs_up_a_few_seconds() -> None:
    hold = next(s for s in TIMELINE.spans if s.phase is Phase.HOLD)
    assert resume_point(TIMELINE, saved_at(hold.start + 30 * RATE)) == hold.start + 25 * RATE  # 5 s back
    assert resume_point(TIMELINE, saved_at(hold.start + 2 * RATE)) == hold.start


def test_stopping_during_an_introduction_or_the_opening_starts_it_again() -> None:
    second = TIMELINE.steps[1]
    assert resume_point(TIMELINE, saved_at(second.start + 20)) == second.start
    assert resume_point(TIMELINE, saved_at(10)) == 0


def test_where_names_the_step_and_the_foot() -> None:
    presses = [s for s in TIMELINE.spans if s.phase is Phase.PRESS and s.side == "right"]
    assert where(TIMELINE, presses[0].start + 1)[:2] == (0, "right")
    assert where(TIMELINE, 5) == (None, None, 5)


def test_the_status_line_fits_the_width_and_says_where_and_what_is_left() -> None:
    status = Status(2, 6, "Spleen 4", "left", "press", 100, 2000, 600, 2900, False, 0.0)
    line = status_line(status, 80)
    assert len(line) <= 80 and line.startswith("3/6 Spleen 4 · left · press · 1:40 left in point · 33:20 in session")
    assert len(status_line(status, 40)) <= 40
    assert plain_line(status) == "[10:00] point 3/6: Spleen 4, left — press (33:20 left)"
    assert "paused" in status_line(Status(2, 6, "Spleen 4", "left", "press", 100, 2000, 600, 2900, True, 0.0))


def status(position: int):
    return status_at(TIMELINE, position, ready=True, paused=False, volume=1.0)


def test_the_status_names_the_welcome_the_point_being_moved_to_and_the_closing() -> None:
    _, second = TIMELINE.steps
    assert (status(10).name, status(10).phase, status(10).step) == ("welcome", "listen", None)
    moving = next(s for s in TIMELINE.spans if s.phase is Phase.MOVING)
    during = status(moving.start + 1)
    assert (during.name, during.phase, during.step) == (second.name, "moving", 1)
    end = status(TIMELINE.length - 1)
    assert (end.name, end.phase, end.step) == ("closing", "listen", None)
    assert "left" in status_line(status(10)) and "opening" not in status_line(status(10))


def test_the_status_phase_is_always_one_the_readme_lists() -> None:
    readme = {"listen", "press", "release", "hold", "warmth", "moving"}
    assert {status(p).phase for p in range(0, TIMELINE.length, 7)} <= readme


def test_the_keys_line_breaks_between_keys_never_inside_a_word() -> None:
    from voiceguide.live.keys import HELP

    for width in (40, 60, 80):
        lines = wrapped(HELP, width).splitlines()
        assert all(len(line) <= width for line in lines)
        assert " · ".join(lines) == HELP


def test_the_spoken_commands_line_starts_its_own_line_under_the_keys_and_breaks_between_phrases() -> None:
    from voiceguide.live.grammar import spoken_help
    from voiceguide.live.keys import HELP, help_text

    for width in (40, 80, 120):
        lines = wrapped(help_text(listening=True), width).splitlines()
        assert all(len(line) <= width for line in lines)
        said = next(i for i, line in enumerate(lines) if line.startswith("say: "))
        assert " · ".join(lines[:said]) == HELP
        assert " · ".join(lines[said:]) == spoken_help()


def test_resume_with_a_preset_or_flags_applies_them_over_the_saved_pacing(standin: None) -> None:
    from pathlib import Path

    from voiceguide.live import state
    from voiceguide.live.start import open_session
    from voiceguide.plan.pacing import Verbosity, pacing_texts
    from voiceguide.routine.library import load_routine, routine_ref

    tiny = str(Path(__file__).parent / "routines" / "tiny.toml")
    routine = load_routine(tiny)
    saved_pacing = pacing_texts(Pacing(rate=140, gap=3))
    state.save(SavedSession(routine_ref(tiny), routine.digest, saved_pacing, 0, "left", 10, 500, 22050, 0.0))
    session, notes = open_session(None, resume=True, device=None, flags={}, preset="brisk")
    session.close()
    assert (session.pacing.rate, session.pacing.verbosity, session.pacing.gap) == (180, Verbosity.BRIEF, 5.0)
    session, _ = open_session(None, resume=True, device=None, flags={"rate": "150"}, preset=None)
    session.close()
    assert (session.pacing.rate, session.pacing.gap) == (150, 3.0) and notes == []


def test_while_the_session_is_being_prepared_the_status_shows_what_plays_with_preparation_as_a_suffix() -> None:
    from voiceguide.live.prefix import part

    press = next(s for s in TIMELINE.spans if s.phase is Phase.PRESS)
    handed = part(TIMELINE, press.end + 10)  # the player has the session up to here so far
    preparing = status_at(handed, press.start + 5, ready=False, paused=False, volume=1.0, made=(12, 43), steps=2)
    ready = status_at(TIMELINE, press.start + 5, ready=True, paused=False, volume=1.0)
    assert (preparing.name, preparing.phase, preparing.step, preparing.side) == (
        ready.name,
        "press",
        ready.step,
        ready.side,
    )
    line = status_line(preparing, 80)
    assert line.startswith("1/2 Spleen 4 · left · press · preparing 12/43") and "preparing the session" not in line
    assert plain_line(preparing) == "[0:16] point 1/2: Spleen 4, left — press (preparing 12/43)"
    opening = status_at(handed, 10, ready=False, paused=False, volume=1.0)
    assert status_line(opening, 80).startswith("welcome · listen · preparing") and opening.phase == "listen"

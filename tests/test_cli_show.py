"""`voiceguide list` and `show`, through the real CLI and the real speech engine."""

import json

import pytest
from click.testing import CliRunner

from voiceguide.cli import cli


def show_json(*args: str) -> dict:
    result = CliRunner().invoke(cli, ["show", "evening", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture(scope="module")
def evening(espeak: None, clip_cache_dir) -> dict:
    import os

    os.environ["VOICEGUIDE_CACHE_DIR"] = str(clip_cache_dir)
    return show_json()


def test_show_json_has_the_documented_shape(evening: dict) -> None:
    assert set(evening) >= {"routine", "title", "sample_rate", "duration", "steps", "events"}
    assert evening["routine"] == "evening" and evening["sample_rate"] == 22050
    assert evening["waits"] == evening["wait_samples"] == []
    assert set(evening["steps"][0]) >= {"index", "point", "name", "technique", "sides", "start", "end"}
    for event in evening["events"]:
        assert set(event) >= {"start", "duration", "kind", "step", "side"}
        assert ("text" in event) == (event["kind"] == "speech")
        assert ("tone" in event) == (event["kind"] == "tone")
        assert event["sample"] == round(event["start"] * evening["sample_rate"])
    last = max(e["sample"] + round(e["duration"] * 22050) for e in evening["events"])
    assert last == evening["samples"]


def test_show_json_lists_the_six_points_with_their_techniques(evening: dict) -> None:
    steps = [(s["point"], s["technique"], s["sides"]) for s in evening["steps"]]
    assert steps == [
        ("LR3", "hold", "together"),
        ("LR4", "cycles", "both"),
        ("SP4", "cycles", "both"),
        ("SP3", "cycles", "both"),
        ("KI6", "cycles", "both"),
        ("KI1", "warmth", "together"),
    ]


def _tones(plan: dict, step: int, tone: str, side: str | None = None) -> list[dict]:
    return [
        e for e in plan["events"] if e.get("tone") == tone and e["step"] == step and (side is None or e["side"] == side)
    ]


def test_the_evening_is_never_quiet_for_more_than_75_seconds_with_the_real_voice(evening: dict) -> None:
    sounding_until, longest = 0.0, 0.0
    for event in sorted(evening["events"], key=lambda e: e["start"]):
        longest = max(longest, event["start"] - sounding_until)
        sounding_until = max(sounding_until, event["start"] + event["duration"])
    assert longest <= 75


def test_the_liver_3_hold_lasts_ten_minutes_between_its_press_and_release_tones(evening: dict) -> None:
    (press,), (release,) = _tones(evening, 0, "press"), _tones(evening, 0, "release")
    assert release["sample"] - press["sample"] == 600 * 22050


def test_every_cycles_step_has_one_press_and_one_release_per_cycle_on_each_side(evening: dict) -> None:
    for step in (1, 2, 3, 4):
        for side in ("left", "right"):
            presses, releases = _tones(evening, step, "press", side), _tones(evening, step, "release", side)
            assert len(presses) == len(releases) == 22  # 3 minutes of 5 s press + 3 s release
            for p, r in zip(presses, releases, strict=True):
                assert r["sample"] - p["sample"] == 5 * 22050


def test_the_cycle_count_follows_press_and_release(espeak: None) -> None:
    plan = show_json("--press", "6", "--release", "4", "--only", "SP-4")
    assert len(_tones(plan, 0, "press", "left")) == 18


def test_scale_one_half_halves_the_steps_durations(evening: dict, espeak: None) -> None:
    half = show_json("--scale", "0.5")
    (p, r) = _tones(half, 0, "press")[0], _tones(half, 0, "release")[0]
    assert r["sample"] - p["sample"] == 300 * 22050
    assert len(_tones(half, 1, "press", "left")) == 11


def test_only_keeps_just_the_named_points_in_order(espeak: None) -> None:
    plan = show_json("--only", "SP-4,KD-6")
    assert [s["point"] for s in plan["steps"]] == ["SP4", "KI6"]


def test_show_prints_a_readable_table_with_the_total(espeak: None) -> None:
    result = CliRunner().invoke(cli, ["show", "evening", "--only", "KI1", "--verbosity", "brief"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Evening foot acupressure for stress  (1 point, ")
    assert any("KI1" in line and "Let the warmth soak in now." in line for line in lines)
    assert lines[-1].startswith("Total: ")


def test_list_shows_the_three_built_in_routines_with_their_point_counts_and_lengths() -> None:
    result = CliRunner().invoke(cli, ["list"])
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.output.splitlines() if not line.startswith(" ")}
    assert set(lines) == {"before-sleep", "evening", "short-evening"}
    assert result.output.count("languages: ") == 3  # each routine's, on the line below it
    assert "(6 points, about 49 min)" in lines["evening"]
    assert "(4 points, about 15 min)" in lines["short-evening"]
    assert "(3 points, about 24 min)" in lines["before-sleep"]
    assert len({len(line) - len(line[len(name) :].lstrip()) for name, line in lines.items()}) == 1  # titles line up


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--press", "-3", "--press: must be at least 0.5"),
        ("--release", "abc", "--release: must be a number of seconds"),
        ("--scale", "0", "--scale: must be more than 0"),
        ("--rate", "5", "--rate: must be at least 60"),
        ("--gap", "-1", "--gap: must be at least 0"),
        ("--minutes", "SP-4=0", "--minutes: must be more than 0"),
        ("--only", "XX9", "--only: 'XX9': unknown meridian"),
        ("--skip", "LR99", "--skip: 'LR99': the Liver meridian has points 1 to 14"),
        ("--minutes", "nan", "--minutes: must be more than 0"),
        ("--announce", "0.5", "--announce: must be a whole number of minutes"),
    ],
)
def test_pacing_flags_reject_nonsense_with_a_clear_message(flag: str, value: str, message: str) -> None:
    result = CliRunner().invoke(cli, ["show", "evening", flag, value])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {message}"), result.output
    assert "Traceback" not in result.output


def test_python_dash_m_voiceguide_runs_the_cli() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "voiceguide", "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("voiceguide, version ")


@pytest.mark.parametrize("flags", [(), ("--rate", "120"), ("--preset", "brisk"), ("--verbosity", "minimal")])
def test_the_spoken_length_and_the_estimate_agree_with_the_plan(espeak: None, flags: tuple[str, ...]) -> None:
    from voiceguide.plan.config import effective_pacing
    from voiceguide.plan.cues import spoken_number
    from voiceguide.plan.length import session_minutes
    from voiceguide.plan.timeline import estimate
    from voiceguide.routine.library import load_routine

    plan = show_json(*flags)
    minutes = max(1, int(plan["duration"] / 60 + 0.5))
    (said,) = [e["text"] for e in plan["events"] if "about" in e.get("text", "").lower() and "minute" in e["text"]]
    assert f"about {spoken_number(minutes)} minute" in said.lower()
    routine = load_routine("evening")
    options = dict(zip(flags[::2], flags[1::2], strict=True))
    pacing, _ = effective_pacing(
        routine, {k[2:]: v for k, v in options.items() if k != "--preset"}, options.get("--preset")
    )
    guess = estimate(routine, pacing)
    assert abs(guess.duration - plan["duration"]) < 60
    assert abs(session_minutes(guess) - minutes) <= 1

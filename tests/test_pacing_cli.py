"""Pacing from the CLI: presets, per-point values, saved defaults and their precedence, voices, check."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from voiceguide.cli import cli
from voiceguide.plan.config import effective_pacing
from voiceguide.plan.pacing import Verbosity, parse_layer
from voiceguide.routine.library import parse_routine

ROUTINE = b'title = "T"\n[pacing]\nrate = 140\ngap = 5\n[[steps]]\npoint = "SP4"\ntechnique = "cycles"\nminutes = 1\nsides = "left"\n'


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def plan(*args: str) -> dict:
    return json.loads(invoke("show", "evening", "--json", *args))


def test_each_layer_overrides_the_one_below() -> None:
    routine = parse_routine(ROUTINE, name="t", source="t.toml")
    layers = [
        ({}, None, {}, 140, "routine"),
        (parse_layer({"rate": "160"}), None, {}, 160, "saved"),
        (parse_layer({"rate": "160"}), "gentle", {}, 130, "preset"),
        (parse_layer({"rate": "160"}), "gentle", {"rate": "170"}, 170, "flag"),
    ]
    for saved, preset, flags, rate, source in layers:
        pacing, origin = effective_pacing(routine, flags, preset, saved=saved)
        assert (pacing.rate, origin["rate"]) == (rate, source)
    pacing, origin = effective_pacing(None, {}, None, saved={})
    assert (pacing.rate, origin["rate"]) == (150, "built-in")
    pacing, origin = effective_pacing(routine, {}, None, saved={})
    assert (pacing.gap, origin["gap"], origin["pause"]) == (5.0, "routine", "built-in")


def test_presets_change_speech_rate_gaps_and_wording() -> None:
    gentle, _ = effective_pacing(None, {}, "gentle", saved={})
    brisk, _ = effective_pacing(None, {}, "brisk", saved={})
    assert gentle.rate < 150 < brisk.rate
    assert gentle.gap > brisk.gap and gentle.release.default > brisk.release.default
    assert (gentle.verbosity, brisk.verbosity) == (Verbosity.FULL, Verbosity.BRIEF)
    flag_wins, _ = effective_pacing(None, {"rate": "200"}, "gentle", saved={})
    assert flag_wins.rate == 200


def _cycles(p: dict, code: str, side: str = "left") -> int:
    index = next(s["index"] for s in p["steps"] if s["point"] == code)
    return sum(1 for e in p["events"] if e.get("tone") == "press" and e["step"] == index and e["side"] == side)


def test_minutes_per_point_change_only_those_points(standin: None) -> None:
    p = plan("--minutes", "SP-4=2,KD-6=4")
    assert _cycles(p, "SP4") == 15 and _cycles(p, "KI6") == 30 and _cycles(p, "SP3") == 22


def test_press_per_point_changes_only_that_point(standin: None) -> None:
    p = plan("--press", "SP-3=6")
    assert _cycles(p, "SP3") == 20 and _cycles(p, "SP4") == 22


def test_pace_set_then_show_json_uses_6_s_presses_and_4_s_releases_and_reset_restores(standin: None) -> None:
    invoke("pace", "set", "--press", "6", "--release", "4")
    p = plan()
    presses = [e for e in p["events"] if e.get("tone") == "press" and e["step"] == 1]
    releases = [e for e in p["events"] if e.get("tone") == "release" and e["step"] == 1]
    assert releases[0]["sample"] - presses[0]["sample"] == 6 * 22050
    assert presses[1]["sample"] - releases[0]["sample"] == 4 * 22050
    assert re.search(r"^press +6 +saved$", invoke("pace", "show"), re.M)
    invoke("pace", "reset")
    p = plan()
    presses = [e for e in p["events"] if e.get("tone") == "press" and e["step"] == 1]
    releases = [e for e in p["events"] if e.get("tone") == "release" and e["step"] == 1]
    assert releases[0]["sample"] - presses[0]["sample"] == 5 * 22050


def test_saved_defaults_sit_under_the_preset_and_the_flags(standin: None) -> None:
    invoke("pace", "set", "--rate", "170", "--gap", "3")
    out = invoke("pace", "show", "--preset", "gentle", "--gap", "9")
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if not line.startswith("(")}
    assert rows["rate"] == ["130", "preset"] and rows["gap"] == ["9", "flag"]


def test_a_corrupt_config_file_is_one_clear_error(tmp_path: Path) -> None:
    config = Path(os.environ["VOICEGUIDE_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('press = "6"\nrelease = -2\n')
    result = CliRunner().invoke(cli, ["show", "evening"])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {config}:2: release: must be at least 0.5 and at most 60 seconds, got -2"
    config.write_bytes(b"press = = 6\n\xff")
    result = CliRunner().invoke(cli, ["pace", "show"])
    assert result.exit_code == 1 and result.output.startswith(f"Error: {config}:") and "Traceback" not in result.output


def test_an_unknown_voice_is_a_clear_error_that_suggests_close_ones(espeak: None) -> None:
    result = CliRunner().invoke(cli, ["show", "evening", "--voice", "gmw/en-gx"])
    assert result.exit_code == 1
    assert "unknown voice 'gmw/en-gx'; did you mean" in result.output


def test_voices_lists_english_voices_with_language_and_name(espeak: None) -> None:
    out = invoke("voices", "--lang", "en")
    assert any(line.split()[:2] == ["gmw/en-us", "en-us"] for line in out.splitlines())


def test_say_writes_a_phrase_to_a_file(espeak: None, tmp_path: Path) -> None:
    import soundfile as sf

    out = invoke("say", "Press now, and hold.", "--rate", "120", "-o", str(tmp_path / "p.wav"))
    assert out.startswith(f"Wrote {tmp_path / 'p.wav'}")
    assert sf.info(str(tmp_path / "p.wav")).duration > 0.8


def test_check_reports_a_missing_portaudio_with_the_fix(no_portaudio: None, espeak: None) -> None:
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 1
    assert "FAIL PortAudio" in result.output and "fix: sudo apt-get install libportaudio2" in result.output
    assert "OK   pyttsx3 + espeak-ng" in result.output


def test_check_speaks_through_the_engine_a_session_gets(espeak: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from voiceguide.speech.registry import choose

    started = choose("espeak", None).start(None)
    engine = type(started)
    started.close()
    spoken: list[str] = []
    real = engine.synthesize

    def spy(self, text: str, **kwargs) -> object:
        spoken.append(text)
        return real(self, text, **kwargs)

    monkeypatch.setattr(engine, "synthesize", spy)
    result = CliRunner().invoke(cli, ["check"])
    assert "OK   speech synthesis" in result.output, result.output
    assert spoken == ["Ready."]


def test_check_reports_no_output_device(espeak: None, tmp_path: Path) -> None:
    env = dict(os.environ, XDG_RUNTIME_DIR=str(tmp_path), PULSE_SERVER="unix:" + str(tmp_path / "none"))
    done = subprocess.run([sys.executable, "-m", "voiceguide", "check"], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "FAIL output devices" in done.stdout and "voiceguide export" in done.stdout


def test_new_writes_a_template_that_validates(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    invoke("new", str(path))
    assert invoke("validate", str(path)).startswith(f"OK   {path}: 'My evening routine', 2 points")
    result = CliRunner().invoke(cli, ["new", str(path)])
    assert result.exit_code == 1 and "already exists" in result.output


def test_validate_fails_for_a_broken_routine_and_names_it() -> None:
    bad = Path(__file__).parent / "routines" / "bad" / "bad_sides.toml"
    result = CliRunner().invoke(cli, ["validate", "evening", str(bad)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("OK   evening") and lines[1].startswith(f"FAIL {bad}:7: step 1, sides:")


def test_short_help_and_version_work() -> None:
    assert "Usage:" in invoke("-h") and invoke("--version").startswith("voiceguide, version ")


def test_a_filter_or_per_point_value_for_a_point_the_routine_lacks_is_an_error_naming_its_points(standin) -> None:
    for flags, flag, wanted in (
        (["--only", "ST-36"], "--only", "ST36 is not in evening"),
        (["--skip", "ST-36"], "--skip", "ST36 is not in evening"),
        (["--minutes", "ST-36=2"], "--minutes", "ST36 is not in evening"),
        (["--press", "LR3=6"], "--press", "LR3 is a hold step"),
        (["--skip", "LR3,LR4,SP4,SP3,KI6,KI1"], "--only/--skip", "leaves no point to play"),
    ):
        result = CliRunner().invoke(cli, ["show", "evening", *flags])
        assert result.exit_code == 1, flags
        line = result.output.strip()
        codes = "LR4, SP4, SP3, KI6" if flag == "--press" else "LR3, LR4, SP4, SP3, KI6, KI1"
        assert line.startswith(f"Error: {flag}: {wanted}") and line.endswith(codes), line
        assert "\n" not in line


def test_a_saved_only_that_fits_no_point_of_a_routine_warns_and_plays_it_whole(standin) -> None:
    invoke("pace", "set", "--only", "KI1")
    whole = json.loads(
        CliRunner().invoke(cli, ["show", str(Path(__file__).parent / "routines" / "tiny.toml"), "--json"]).stdout
    )
    assert [s["point"] for s in whole["steps"]] == ["SP4", "KI6"]
    tiny = str(Path(__file__).parent / "routines" / "tiny.toml")
    done = subprocess.run([sys.executable, "-m", "voiceguide", "show", tiny], capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr.startswith(
        "warning: your saved --only KI1 names none of the points of tiny"
    )
    assert [s["point"] for s in plan()["steps"]] == ["KI1"]  # where it fits, it still applies


def test_pace_show_prints_the_value_in_effect_for_press_and_release() -> None:
    out = invoke("pace", "show")
    assert re.search(r"^press +the step's, else 5 ", out, re.M) and re.search(
        r"^release +the step's, else 3 ", out, re.M
    )


def test_wait_before_a_technique_in_a_routine_file_is_fitted_without_a_traceback(standin, tmp_path: Path) -> None:
    routine = tmp_path / "wb.toml"
    routine.write_text(
        'title = "T"\n[pacing]\nwait_before = "hold"\n[[steps]]\npoint = "LR3"\ntechnique = "hold"\n'
        'minutes = 1\nsides = "together"\n'
    )
    plan = json.loads(invoke("show", str(routine), "--json"))
    assert len(plan["waits"]) == 1

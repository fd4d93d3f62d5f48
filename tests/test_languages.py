"""Choosing a session's language through the CLI: --lang, the system locale, saved defaults, routine files; and
exports in each language with the real espeak-ng voices."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from voiceguide.cli import cli
from voiceguide.errors import SpeechError
from voiceguide.words import SOURCE, catalogue, languages

TRANSLATIONS = [tag for tag in languages() if tag != SOURCE]
SHORT = ["--only", "KI6", "--minutes", "0.2", "--verbosity", "minimal"]


def run(*args: str, code: int = 0, env: dict | None = None) -> str:
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exit_code == code, result.output
    return result.output


def spoken(plan: dict) -> list[str]:
    return [e["text"] for e in plan["events"] if e["kind"] == "speech"]


@pytest.fixture(scope="module")
def english() -> dict:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VOICEGUIDE_ENGINE", "standin")
        mp.setenv("LANG", "C.UTF-8")
        return json.loads(run("show", "evening", "--json"))


@pytest.mark.parametrize("tag", TRANSLATIONS)
def test_show_json_in_each_language_says_nothing_in_english_and_no_digit(
    tag: str, english: dict, standin: None
) -> None:
    plan = json.loads(run("show", "evening", "--lang", tag, "--json"))
    said = spoken(plan)
    assert said and not set(said) & set(spoken(english))
    assert not [text for text in said if re.search(r"\d", text)]
    assert plan["title"] != english["title"]
    assert [s["point"] for s in plan["steps"]] == [s["point"] for s in english["steps"]]
    assert plan["duration"] > 0.8 * english["duration"]  # the same points and times, said in other words


def test_a_language_without_a_translation_is_one_line_naming_those_there_are(standin: None) -> None:
    out = run("show", "evening", "--lang", "it", code=1)
    assert "'it' has no catalogue of spoken words; there are: en, de, es, fr, pt-BR, zh" in out
    assert "Traceback" not in out


def test_the_system_locale_chooses_the_translation_and_an_untranslated_one_english(standin: None) -> None:
    german = json.loads(run("show", "evening", "--json", env={"LANG": "de_DE.UTF-8"}))
    assert german["title"] == "Fußakupressur am Abend gegen Stress"
    brazil = json.loads(run("show", "evening", "--json", env={"LANG": "en_US.UTF-8", "LC_ALL": "pt_PT.UTF-8"}))
    assert brazil["title"].startswith("Acupressão")  # LC_ALL wins; Portugal's Portuguese takes Brazil's
    italian = json.loads(run("show", "evening", "--json", env={"LANG": "it_IT.UTF-8"}))
    assert italian["title"] == "Evening foot acupressure for stress"


def test_pace_set_lang_keeps_the_language_and_a_flag_overrides_it(standin: None) -> None:
    run("pace", "set", "--lang", "zh")
    assert json.loads(run("show", "evening", "--json"))["title"].startswith("晚间")
    assert any(line.split()[:3] == ["lang", "zh", "saved"] for line in run("pace", "show").splitlines())
    assert json.loads(run("show", "evening", "--json", "--lang", "fr"))["title"].startswith("Acupression")


def test_list_shows_each_routines_languages(standin: None) -> None:
    assert "languages: en, de, es, fr, pt-BR, zh" in run("list")


def test_a_routine_file_speaks_its_own_language_and_refuses_another_lang(tmp_path: Path, standin: None) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'language = "es"\ntitle = "Mi rutina"\n[[steps]]\npoint = "KI6"\nname = "Riñón 6"\n'
        'technique = "hold"\nminutes = 1\nsides = "left"\n',
        encoding="utf-8",
    )
    said = spoken(json.loads(run("show", str(path), "--json")))
    assert "Punto uno de uno: Riñón seis." in said and "Solo el pie izquierdo." in said
    out = run("show", str(path), "--lang", "de", code=1)
    assert "is written in es" in out and "Traceback" not in out
    path.write_text(path.read_text(encoding="utf-8").replace('"es"', '"xx"'), encoding="utf-8")
    assert "has no catalogue of spoken words" in run("show", str(path), code=1)


def test_a_translated_session_speaks_with_its_languages_espeak_voice_unless_one_is_chosen() -> None:
    from dataclasses import replace

    from voiceguide.plan.config import effective_pacing
    from voiceguide.plan.language import in_language
    from voiceguide.routine.library import load_routine

    english = load_routine("evening")
    pacing, origin = effective_pacing(english, {"lang": "de"}, None, saved={})
    assert in_language("evening", english, pacing, origin)[1].voice == "gmw/de"
    chosen = replace(pacing, voice="gmw/en-gb-x-rp")
    assert in_language("evening", english, chosen, origin)[1].voice == "gmw/en-gb-x-rp"
    assert in_language("evening", english, replace(pacing, lang=None), origin)[1].voice is None
    with pytest.raises(SpeechError, match="no Piper voice for German"):
        in_language("evening", english, replace(pacing, engine="piper"), origin)


@pytest.mark.parametrize("tag", TRANSLATIONS)
def test_an_export_in_each_language_is_at_minus_16_lufs_with_chapters_and_a_language_tag(
    tag: str, tmp_path: Path, espeak: None
) -> None:
    import pyloudnorm
    import soundfile as sf
    from test_export import ffprobe

    out = tmp_path / "e.m4b"
    run("export", "evening", "--lang", tag, *SHORT, "-o", str(out))
    info = ffprobe(out)
    words = catalogue(tag)
    titles = [c["tags"]["title"] for c in info["chapters"]]
    assert titles[0] == words.label("chapter_introduction") and titles[-1] == words.label("chapter_closing")
    assert len(titles) == 3 and info["format"]["tags"]["title"] != "Evening foot acupressure for stress"
    stream = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "a",
            "-show_entries",
            "stream_tags=language",
            "-of",
            "csv=p=0",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert stream == words.iso639_2
    wav = tmp_path / "e.wav"
    run("export", "evening", "--lang", tag, *SHORT, "-o", str(wav))
    audio, rate = sf.read(str(wav), dtype="float64")
    assert -17 <= pyloudnorm.Meter(rate).integrated_loudness(audio) <= -15


def test_listening_in_another_language_says_once_that_the_commands_are_english_words() -> None:
    from voiceguide.live.grammar import PHRASES
    from voiceguide.live.keys import help_text
    from voiceguide.live.start import english_commands

    line = english_commands()
    assert "\n" not in line and "English" in line and all(f'"{p[0]}"' in line for p in PHRASES.values())
    assert all(f'"{p}"' in help_text(listening=True) for phrases in PHRASES.values() for p in phrases)


def test_a_language_whose_espeak_voice_is_not_installed_is_one_line_saying_what_to_install() -> None:
    from voiceguide.speech.engine import VoiceInfo
    from voiceguide.speech.pyttsx3_engine import resolve_voice

    english_only = [VoiceInfo("gmw/en", "English (Great Britain)", "en-gb")]
    with pytest.raises(SpeechError) as caught:
        resolve_voice(catalogue("zh").voice, english_only)
    message = str(caught.value)
    assert "\n" not in message and "Mandarin Chinese" in message and "apt-get install espeak-ng-data" in message
    assert "voiceguide voices --lang zh" in message


def test_each_language_respells_pinyin_by_its_own_letter_rules_and_not_by_englishs() -> None:
    from voiceguide.speech.pronounce import merged, respell

    said = "Auch bekannt als Tai Chong oder Großer Ansturm."
    assert respell(said, merged({}, "de")) == "Auch bekannt als Tai Tschung oder Großer Ansturm."
    assert respell("Aussi appelé Tai Chong.", merged({}, "fr")) == "Aussi appelé Taï Tchong."
    assert respell("大约两指宽的地方。", merged({}, "zh")) == "大约两指宽的di4fang。"  # inside a run of characters
    assert respell(said, merged({"Tai Chong": "Tai Chung"}, "de")).startswith("Auch bekannt als Tai Chung")
    assert "Tie Choong" not in respell(said, merged({}, "de"))


def test_mp3_and_opus_exports_carry_the_language_and_translated_chapters(tmp_path: Path, standin: None) -> None:
    from mutagen.id3 import ID3
    from mutagen.oggopus import OggOpus

    run("export", "evening", "--lang", "pt-BR", *SHORT, "-o", str(tmp_path / "e.mp3"), "--cue-sheet")
    tags = ID3(str(tmp_path / "e.mp3"))
    assert str(tags["TLAN"]) == "por" and str(tags["TIT2"]).startswith("Acupressão")
    assert 'TITLE "Introdução"' in (tmp_path / "e.cue").read_text(encoding="utf-8")
    run("export", "evening", "--lang", "zh", *SHORT, "-o", str(tmp_path / "e.opus"))
    opus = OggOpus(str(tmp_path / "e.opus"))
    assert opus["LANGUAGE"] == ["zh"] and opus["CHAPTER001NAME"] == ["开场"] and opus["CHAPTER002NAME"] == ["照海"]


def test_an_export_in_another_language_goes_beside_the_english_one_by_default() -> None:
    from voiceguide.export import default_path
    from voiceguide.routine.library import load_routine

    assert str(default_path(load_routine("evening"), "m4b")) == "audio/evening.m4b"
    assert str(default_path(load_routine("evening", "pt-BR"), "m4b")) == "audio/evening.pt-BR.m4b"

"""Respellings for pinyin names: whole words, any case or accent, punctuation kept, heard right by both engines."""

from __future__ import annotations

import subprocess
import unicodedata

import pytest
from conftest import missing

from voiceguide.speech.pronounce import DEFAULT_TABLE, merged, respell

# What espeak-ng makes of each respelled name (en and en-us alike); the original reading is in pronounce.py.
HEARD = {
    "Tai Chong": "tˈaɪ tʃˈuːŋ",
    "Zhong Feng": "dʒˈuːŋ fˈʌŋ",
    "Gong Sun": "ɡˈuːŋ swˈʌn",
    "Tai Bai": "tˈaɪ bˈaɪ",
    "Zhao Hai": "dʒˈaʊ hˈaɪ",
    "Yong Quan": "jˈuːŋ tʃˈuːwˈɛn",
}


def test_a_name_in_a_cue_is_respelled_and_the_punctuation_kept() -> None:
    assert respell("Also called Tai Chong, or Supreme Rush.") == "Also called Tie Choong, or Supreme Rush."
    assert respell("Also called Yong Quan, or Gushing Spring.") == "Also called Yoong Choo-wen, or Gushing Spring."


def test_matching_ignores_case_accents_and_the_spaces_between_the_words_of_a_name() -> None:
    assert respell("Also called Yǒng Quán!") == "Also called Yoong Choo-wen!"
    assert respell("TAI   CHONG") == "Tie Choong"
    assert respell("zhao hai?") == "jow High?"


def test_only_whole_words_are_respelled_and_english_words_stay_english() -> None:
    assert respell("Sit in the sun by the gong.") == "Sit in the sun by the gong."
    assert respell("Zhongfeng and Quanzhou") == "Zhongfeng and Quanzhou"
    assert respell("Gong Sun's point") == "Goong Swun's point"
    assert respell("Yong and Quan alone") == "Yoong and Choo-wen alone"


def test_a_routine_table_adds_words_and_wins_over_the_default_in_any_case() -> None:
    table = merged({"tai chong": "Tai Chung", "Ququan": "Choo-choo-wen"})
    assert respell("Tai Chong and Ququan.", table) == "Tai Chung and Choo-choo-wen."
    assert respell("Tai Bai.", table) == "Tie Buy."
    assert respell("Tai Chong.", {}) == "Tai Chong."


def test_every_pinyin_name_of_the_built_in_routine_is_in_the_table() -> None:
    from voiceguide.routine.library import load_routine

    routine = load_routine("evening")
    pinyin = [step.aliases[0] for step in routine.steps if step.aliases]
    assert sorted(pinyin) == sorted(HEARD) and all(respell(name) != name for name in pinyin)


def _espeak_ipa(text: str, voice: str) -> str:
    done = subprocess.run(["espeak-ng", "-q", "--ipa", "-v", voice, text], capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.mark.parametrize("voice", ["en", "en-us"])
def test_espeak_ng_says_each_respelled_name_as_intended(espeak: None, voice: str) -> None:
    assert {name: _espeak_ipa(respell(name), voice) for name in HEARD} == HEARD


@pytest.mark.audio  # Piper's own espeak-ng
def test_the_piper_phonemizer_says_each_respelled_name_as_intended() -> None:
    try:
        from piper.phonemize_espeak import EspeakPhonemizer
    except ImportError:
        missing("piper-tts (the neural extra)")
    phonemizer = EspeakPhonemizer()
    heard = {
        name: unicodedata.normalize("NFC", "".join(phonemizer.phonemize("en-us", respell(name))[0])) for name in HEARD
    }
    assert heard == HEARD


def test_the_default_table_has_no_empty_entries() -> None:
    assert all(word.strip() and spelled.strip() for word, spelled in DEFAULT_TABLE.items())

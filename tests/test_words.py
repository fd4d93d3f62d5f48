"""The catalogues of spoken words: complete in every language, numbers in words, and no English left in a
translated session under any option (pure: the scheduler with guessed clip lengths, no speech engine)."""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import replace
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voiceguide.live.controls import answers, location_texts
from voiceguide.plan import cues
from voiceguide.plan.config import effective_pacing
from voiceguide.plan.language import in_language
from voiceguide.plan.timeline import estimate
from voiceguide.routine.library import builtin_languages, load_routine
from voiceguide.words import SOURCE, catalogue, languages
from voiceguide.words.numbers import rulesets

TRANSLATIONS = [tag for tag in languages() if tag != SOURCE]
DIGIT = re.compile(r"\d")


def _raw(tag: str) -> dict:
    return tomllib.loads((resources.files("voiceguide") / "words" / f"{tag}.toml").read_text(encoding="utf-8"))


def _fields(phrase: object) -> set[tuple[str, str]]:
    texts = phrase if isinstance(phrase, list) else list(phrase.values()) if isinstance(phrase, dict) else [phrase]
    return {(name, spec) for text in texts for _, name, spec, _ in string.Formatter().parse(text) if name}


def test_the_five_languages_and_english_have_catalogues_and_evening_translations() -> None:
    assert set(languages()) == {"en", "de", "es", "fr", "pt-BR", "zh"}
    assert set(builtin_languages("evening")) == set(languages())


@pytest.mark.parametrize("tag", TRANSLATIONS)
def test_every_catalogue_has_every_phrase_of_the_english_one_with_the_same_placeholders(tag: str) -> None:
    english, translated = _raw(SOURCE)["phrases"], _raw(tag)["phrases"]
    assert sorted(set(english) - set(translated)) == [], f"{tag}.toml misses these phrases"
    assert sorted(set(translated) - set(english)) == [], f"{tag}.toml has phrases English does not"
    for key, phrase in english.items():
        names = {name for name, _ in _fields(phrase)}
        assert {name for name, _ in _fields(translated[key])} == names, f"{tag}.toml {key}: other placeholders"
        if isinstance(phrase, list):
            assert isinstance(translated[key], list) and len(translated[key]) == len(phrase), key
        if isinstance(translated[key], dict):
            assert "other" in translated[key], f"{tag}.toml {key}: a plural table needs an 'other' form"


@pytest.mark.parametrize("tag", languages())
def test_every_phrase_says_every_count_in_words_by_a_rule_set_cldr_has(tag: str) -> None:
    words = catalogue(tag)
    for key, phrase in _raw(tag)["phrases"].items():
        for name, spec in _fields(phrase):
            if name in ("n", "count") and spec:
                assert spec in rulesets(tag), f"{tag}.toml {key}: CLDR has no rule set {spec!r}"
        if isinstance(phrase, list):
            continue
        for n in (0, 1, 2, 3, 11, 21, 30, 49, 60, 101):
            said = words.say(key, n, count=n + 1, title="T", name="N", aliases="A")
            assert not DIGIT.search(said), f"{tag}.toml {key} says a digit for {n}: {said!r}"


def test_numbers_agree_with_their_noun_and_chinese_says_liang_before_a_measure_word() -> None:
    assert catalogue("fr").say("minutes_left", 21) == "Plus que vingt-et-une minutes."
    assert catalogue("es").say("minutes_left", 21) == "Quedan veintiún minutos."
    assert catalogue("pt-BR").say("minutes_left", 2) == "Faltam dois minutos."
    assert catalogue("de").say("minutes_left", 1) == "Noch eine Minute."
    assert catalogue("zh").say("minutes_left", 2) == "还剩两分钟。"
    assert catalogue("en").say("point_of", 3, count=6, name="Liver 3") == "Point three of six: Liver three."


def _english_texts(timeline_texts: list[str]) -> set[str]:
    return set(timeline_texts) | set(answers(catalogue(SOURCE)).values())


options = st.fixed_dictionaries(
    {},
    optional={
        "verbosity": st.sampled_from(["full", "brief", "minimal"]),
        "only": st.sets(st.sampled_from(["LR3", "LR4", "SP4", "SP3", "KI6", "KI1"]), min_size=1).map(",".join),
        "wait_before": st.sets(st.sampled_from(["LR4", "KI1", "hold", "cycles", "warmth"]), min_size=1).map(",".join),
        "announce": st.sampled_from(["0", "1", "2", "5"]),
        "scale": st.sampled_from(["0.05", "0.3", "1", "2.5"]),
        "bed": st.sampled_from(["none", "brown", "rain"]),
        "listen": st.sampled_from(["on", "off"]),
        "press": st.sampled_from(["2", "7"]),
    },
)


@pytest.mark.parametrize("tag", TRANSLATIONS)
@settings(max_examples=15)
@given(flags=options, live=st.booleans())
def test_no_spoken_text_of_a_translated_session_is_english_or_holds_a_digit(tag: str, flags: dict, live: bool) -> None:
    english = load_routine("evening")
    pacing, origin = effective_pacing(english, flags, None, saved={})
    routine, spoken = in_language("evening", english, replace(pacing, lang=tag), origin)
    assert routine.language == tag
    said = estimate(routine, spoken, live=live).texts()
    words = catalogue(tag)
    said += list(answers(words).values())
    said += [t for step in routine.steps for t in location_texts(step, None, routine.steps, words)]  # type: ignore[arg-type]
    said += [cues.time_left(words, s) for s in (30, 45, 60, 120, 600)]
    english_said = _english_texts(estimate(english, pacing, live=live).texts())
    for text in said:
        assert text not in english_said, f"{tag}: {text!r} is the English text"
        assert not DIGIT.search(text), f"{tag}: {text!r} holds a digit"


def test_every_phrase_key_the_code_names_is_in_the_english_catalogue() -> None:
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent / "voiceguide"
    named = {
        key
        for path in package.rglob("*.py")
        for key in re.findall(r"\.(?:say|label|alternative)\(\s*\"([a-z_]+)\"", path.read_text(encoding="utf-8"))
    }
    assert named and sorted(named - set(_raw(SOURCE)["phrases"])) == []


@pytest.mark.parametrize("tag", TRANSLATIONS)
def test_each_translation_has_the_same_points_times_and_safety_sentences_as_the_english_evening(tag: str) -> None:
    def shape(routine):
        return [
            (s.point, s.technique, s.minutes, s.sides, s.press, s.release, s.wait, bool(s.cautions), bool(s.prepare))
            for s in routine.steps
        ]

    english, translated = load_routine("evening"), load_routine("evening", tag)
    assert translated.language == tag and shape(translated) == shape(english)
    assert bool(translated.opening) and bool(translated.closing) and translated.pacing == english.pacing
    assert all(len(t.aliases) in (0, len(e.aliases)) for t, e in zip(translated.steps, english.steps, strict=True))

"""The chart's and the guide's own words come from the catalogue of the routine's language: every catalogue
has every label, and a translated evening's chart and guide show none of the English ones."""

from __future__ import annotations

import re
import string
import tomllib
import xml.etree.ElementTree as ET
from html import escape
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from voiceguide.cli import cli
from voiceguide.words import SOURCE, catalogue, languages

TRANSLATIONS = [tag for tag in languages() if tag != SOURCE]
SVG = "{http://www.w3.org/2000/svg}"


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def labels(tag: str) -> dict:
    path = resources.files("voiceguide") / "words" / f"{tag}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")).get("labels", {})


def forms(label: object) -> list[str]:
    return list(label.values()) if isinstance(label, dict) else [str(label)]


def literal_parts(text: str) -> list[str]:
    """The fixed text of a label between its placeholders, without the punctuation every language shares."""
    parts = (literal.strip(" .,;:·()") for literal, *_ in string.Formatter().parse(text))
    return [part for part in parts if len(part) >= 4]


def english_left(tag: str, shown: str) -> list[str]:
    """The English labels' words found in ``shown`` that the language's own labels do not also use (French
    "Point" and "Minutes" are French too)."""
    own = " ".join(
        literal
        for label in labels(tag).values()
        for text in forms(label)
        for literal, *_ in string.Formatter().parse(text)
    )
    english = {part for label in labels(SOURCE).values() for text in forms(label) for part in literal_parts(text)}
    return sorted(part for part in english if not _has(own, part) and _has(shown, part))


def _has(text: str, words: str) -> bool:
    # As whole words: German "Akupressur" is no English "press".
    return re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text) is not None


@pytest.mark.parametrize("tag", TRANSLATIONS)
def test_every_catalogue_has_every_label_of_the_english_one_with_the_same_placeholders(tag: str) -> None:
    english, translated = labels(SOURCE), labels(tag)
    assert sorted(set(english) - set(translated)) == [], f"{tag}.toml misses these labels"
    assert sorted(set(translated) - set(english)) == [], f"{tag}.toml has labels English does not"
    for key, label in english.items():
        names = {name for text in forms(label) for _, name, _, _ in string.Formatter().parse(text) if name}
        theirs = {name for text in forms(translated[key]) for _, name, _, _ in string.Formatter().parse(text) if name}
        assert theirs == names, f"{tag}.toml {key}: other placeholders"
        if isinstance(translated[key], dict):
            assert "other" in translated[key], f"{tag}.toml {key}: a plural table needs an 'other' form"


@pytest.mark.parametrize("tag", TRANSLATIONS)
def test_a_translated_guide_shows_no_english_label_and_says_its_language(tag: str, tmp_path: Path) -> None:
    page = tmp_path / f"evening.{tag}.html"
    run("guide", "evening", "--lang", tag, "-o", str(page))
    html = page.read_text(encoding="utf-8")
    assert f'<html lang="{tag}">' in html
    assert english_left(tag, html) == []
    for key in ("heading_safety", "safety_skin", "column_rhythm"):
        assert escape(catalogue(tag).shown(key)) in html, key


@pytest.mark.parametrize("tag", TRANSLATIONS)
def test_a_translated_chart_shows_no_english_label_and_says_its_language(tag: str, tmp_path: Path) -> None:
    out = tmp_path / f"evening.{tag}.svg"
    run("chart", "evening", "--lang", tag, "-o", str(out))
    root = ET.parse(out).getroot()
    assert root.get("lang") == tag
    shown = "\n".join("".join(t.itertext()) for t in root.iter() if t.tag in (f"{SVG}text", f"{SVG}title"))
    assert english_left(tag, shown) == []
    assert catalogue(tag).shown("view_dorsal") in shown and catalogue(tag).shown("technique_warmth") in shown


def test_the_english_words_are_found_by_the_check_in_an_english_chart_and_guide(tmp_path: Path) -> None:
    run("chart", "evening", "--lang", "en", "-o", str(tmp_path / "e.svg"))
    run("guide", "evening", "--lang", "en", "-o", str(tmp_path / "e.html"))
    shown = (tmp_path / "e.svg").read_text(encoding="utf-8") + (tmp_path / "e.html").read_text(encoding="utf-8")
    found = english_left("de", shown)
    assert {"Top of the foot", "inner ankle bone", "steady hold", "min each foot", "Safety"} <= set(found)


def test_a_point_off_the_foot_in_a_german_routine_is_listed_in_german(tmp_path: Path) -> None:
    routine = tmp_path / "hand.toml"
    routine.write_text(
        'title = "Hand und Fuß"\nlanguage = "de"\n'
        '[[steps]]\npoint = "LI4"\nname = "He Gu"\ntechnique = "hold"\nminutes = 1\nsides = "both"\n',
        encoding="utf-8",
    )
    run("chart", str(routine), "-o", str(tmp_path / "hand.svg"))
    run("guide", str(routine), "-o", str(tmp_path / "hand.html"))
    assert "nicht in dieser Abbildung" in (tmp_path / "hand.svg").read_text(encoding="utf-8")
    assert "(nicht in dieser Abbildung)" in (tmp_path / "hand.html").read_text(encoding="utf-8")


def test_a_translated_routine_without_its_own_location_marks_the_drawings_english_words_as_english(
    tmp_path: Path,
) -> None:
    routine = tmp_path / "fuss.toml"
    routine.write_text(
        'title = "Mein Fuß"\nlanguage = "de"\n'
        '[[steps]]\npoint = "LR3"\nname = "Leber 3"\ntechnique = "hold"\nminutes = 1\nsides = "both"\n',
        encoding="utf-8",
    )
    run("guide", str(routine), "-o", str(tmp_path / "fuss.html"))
    page = (tmp_path / "fuss.html").read_text(encoding="utf-8")
    assert '<html lang="de">' in page and '<td><span lang="en">Top of the foot, in the groove' in page

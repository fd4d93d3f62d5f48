"""What the voice says: every spoken cue, from routine, pacing and the language's catalogue (pure text).

The program's own sentences come from ``words`` (voiceguide/words/<tag>.toml); a routine's texts are said as
written, with any number in words, so no voice is ever given a digit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Final

from ..routine.library import Routine, Sides, Step, Technique
from ..words import SOURCE, Words
from ..words.numbers import spell
from .pacing import Verbosity

SPLIT_AT: Final = 280
"""Texts longer than this many characters are spoken as several cues, split between sentences."""
_SENTENCE_END: Final = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*")


def spoken_number(n: int, tag: str = SOURCE) -> str:
    """A number in words in language ``tag`` ("forty-nine")."""
    return spell(n, tag)


def sentences(text: str) -> list[str]:
    """Split a long text between sentences into parts of at most SPLIT_AT characters where possible."""
    text = " ".join(text.split())
    if len(text) <= SPLIT_AT:
        return [text] if text else []
    parts: list[str] = []
    for sentence in filter(None, _SENTENCE_END.split(text)):
        glue = "" if parts and parts[-1][-1:] in "。！？" else " "
        if parts and len(parts[-1]) + 1 + len(sentence) <= SPLIT_AT:
            parts[-1] += glue + sentence
        else:
            parts.append(sentence)
    # A single sentence longer than the limit is split at commas, then spaces.
    out: list[str] = []
    for part in parts:
        while len(part) > SPLIT_AT:
            cut = max(part.rfind(", ", 0, SPLIT_AT), part.rfind(" ", 0, SPLIT_AT), part.rfind("，", 0, SPLIT_AT))
            cut = cut if cut > 0 else SPLIT_AT
            out.append(part[: cut + 1].strip())
            part = part[cut + 1 :].strip()
        if part:
            out.append(part)
    return out


def said(words: Words, text: str) -> list[str]:
    """A routine's own text as the voice says it: in parts (see sentences), numbers in words."""
    return sentences(words.spoken(text))


def opening(words: Words, routine: Routine, minutes: int, steps: Sequence[Step], verbosity: Verbosity) -> list[str]:
    """The welcome: title, the routine's own opening, what the session's steps need at hand, and roughly
    how long it takes; in minimal verbosity, one line: the title and the length (the tones follow)."""
    if verbosity is Verbosity.MINIMAL:
        key = "title_about" if minutes >= 1 else "title"
        return [words.say(key, minutes if minutes >= 1 else None, title=routine.title)]
    about = [words.say("takes_about", minutes)] if minutes >= 1 else []
    prepare = [part for step in steps for part in said(words, step.prepare)]
    title = sentences(words.say("title", title=routine.title))
    return [*title, *said(words, routine.opening), *prepare, *about]


def tone_intro(words: Words, verbosity: Verbosity, tones: list[str]) -> list[tuple[str, str]]:
    """What introduces each tone the session uses, as (text, tone) pairs: the tone plays right after its text."""
    suffix = "_short" if verbosity is Verbosity.MINIMAL else ""
    return [(words.say(f"tone_{name}{suffix}"), name) for name in tones if name in ("press", "release", "done")]


def closing(words: Words, routine: Routine, steps: Sequence[Step]) -> list[str]:
    """The gentle close: what the session's steps ask for afterwards, then the routine's own words
    (a "Good night." only if it says so), else the catalogue's neutral close (a session may be at any
    time of day)."""
    after = [part for step in steps for part in said(words, step.closing)]
    return [*after, *(said(words, routine.closing) or [words.say("closing")])]


def step_intro(words: Words, step: Step, number: int, count: int, verbosity: Verbosity) -> list[tuple[str, str]]:
    """What is said as a step begins, as (role, text) pairs; role "location" can be repeated on request."""
    if verbosity is Verbosity.MINIMAL:
        return [("name", words.say("name", name=step.name))]
    intro = [("name", words.say("point_of", number, count=count, name=step.name))]
    if verbosity is Verbosity.BRIEF:
        return [*intro, ("action", words.say(f"brief_{step.technique.value}"))]
    if step.aliases:
        aliases = words.say("alias_or").join(step.aliases)
        intro.append(("aliases", words.say("also_called", aliases=aliases)))
    intro += [("location", s) for s in said(words, step.location)]
    intro += [("instructions", s) for s in said(words, step.instructions)]
    intro += [("cautions", s) for s in said(words, step.cautions)]
    return intro


def side_start(words: Words, sides: Sides, side: str, first: bool) -> str:
    """Which foot to use, said at the start of each side."""
    if side == "together":
        return words.say("side_together")
    if not first:
        return words.say(f"side_switch_{side}")
    return words.say(f"side_start_{side}" if sides is Sides.BOTH else f"side_only_{side}")


def wait(words: Words, step: Step, *, live: bool, seconds: int) -> str:
    """Said before waiting for the listener: what to get ready, and how the session goes on."""
    if step.technique is Technique.WARMTH:
        ready = words.say("wait_warmth")
    else:
        ready = words.say("wait_step", name=step.name)
    if live:
        return words.join(ready, words.say("wait_live"))
    minutes, rest = divmod(seconds, 60)
    return words.join(ready, words.say("wait_seconds", seconds) if rest else words.say("wait_minutes", minutes))


def hold_start(words: Words, technique: Technique) -> str:
    """Said just before a steady hold or warmth begins."""
    return words.say("warmth_start" if technique is Technique.WARMTH else "hold_start")


def hold_end(words: Words, technique: Technique) -> str:
    """Said when a hold or warmth is over."""
    return words.say("warmth_end" if technique is Technique.WARMTH else "hold_end")


def keep_going(words: Words, technique: Technique, n: int) -> str:
    """The n-th gentle reminder in a long stillness (they alternate), so quiet never lasts long."""
    return words.alternative("remind_warmth" if technique is Technique.WARMTH else "remind_hold", n)


def time_left(words: Words, seconds: float) -> str:
    """A time-left announcement: whole minutes, or seconds under a minute (halves round up, never to even)."""
    if seconds >= 60:
        return words.say("minutes_left", math.floor(seconds / 60 + 0.5))
    return words.say("seconds_left", math.floor(seconds + 0.5))

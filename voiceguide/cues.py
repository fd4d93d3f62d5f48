"""What the voice says: the wording of every spoken cue, from routine and pacing (pure text)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Final

from .pacing import Verbosity
from .routine import Routine, Sides, Step, Technique

SPLIT_AT: Final = 280
"""Texts longer than this many characters are spoken as several cues, split between sentences."""

_NUMBERS: Final = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
)


_TENS: Final = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def spoken_number(n: int) -> str:
    """A number under a hundred as words ("forty-nine"), larger ones as digits (the engine reads those fine)."""
    if 0 <= n < len(_NUMBERS):
        return _NUMBERS[n]
    if 0 <= n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_NUMBERS[ones]}" if ones else "")
    return str(n)


def sentences(text: str) -> list[str]:
    """Split a long text between sentences into parts of at most SPLIT_AT characters where possible."""
    text = " ".join(text.split())
    if len(text) <= SPLIT_AT:
        return [text] if text else []
    parts: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if parts and len(parts[-1]) + 1 + len(sentence) <= SPLIT_AT:
            parts[-1] += " " + sentence
        else:
            parts.append(sentence)
    # A single sentence longer than the limit is split at commas, then spaces.
    out: list[str] = []
    for part in parts:
        while len(part) > SPLIT_AT:
            cut = max(part.rfind(", ", 0, SPLIT_AT), part.rfind(" ", 0, SPLIT_AT))
            cut = cut if cut > 0 else SPLIT_AT
            out.append(part[: cut + 1].strip())
            part = part[cut + 1 :].strip()
        if part:
            out.append(part)
    return out


def opening(routine: Routine, minutes: int, steps: Sequence[Step], verbosity: Verbosity) -> list[str]:
    """The welcome: title, the routine's own opening, what the session's steps need at hand, and roughly
    how long it takes; in minimal verbosity, one line: the title and the length (the tones follow)."""
    unit = "minute" if minutes == 1 else "minutes"
    if verbosity is Verbosity.MINIMAL:
        about = f" About {spoken_number(minutes)} {unit}." if minutes >= 1 else ""
        return [f"{routine.title}.{about}"]
    about = [f"It takes about {spoken_number(minutes)} {unit}."] if minutes >= 1 else []
    prepare = [part for step in steps for part in sentences(step.prepare)]
    return [*sentences(f"{routine.title}."), *sentences(routine.opening), *prepare, *about]


def tone_intro(verbosity: Verbosity, tones: list[str]) -> list[tuple[str, str]]:
    """What introduces each tone the session uses, as (text, tone) pairs: the tone plays right after its text."""
    full = {
        "press": "This is the press tone.",
        "release": "And this is the release tone.",
        "done": "This chime ends each point.",
    }
    short = {"press": "Press tone.", "release": "Release tone.", "done": "End of a point."}
    said = short if verbosity is Verbosity.MINIMAL else full
    return [(said[name], name) for name in tones if name in said]


CLOSING: Final = "That is the end of the session."
"""The close of a routine that has none of its own: neutral, since a session may be at any time of day."""


def closing(routine: Routine, steps: Sequence[Step]) -> list[str]:
    """The gentle close: what the session's steps ask for afterwards, then the routine's own words
    (a "Good night." only if it says so), else CLOSING."""
    after = [part for step in steps for part in sentences(step.closing)]
    return [*after, *(sentences(routine.closing) or [CLOSING])]


def step_intro(step: Step, number: int, count: int, verbosity: Verbosity) -> list[tuple[str, str]]:
    """What is said as a step begins, as (role, text) pairs; role "location" can be repeated on request."""
    if verbosity is Verbosity.MINIMAL:
        return [("name", f"{step.name}.")]
    said = [("name", f"Point {spoken_number(number)} of {spoken_number(count)}: {step.name}.")]
    if verbosity is Verbosity.BRIEF:
        return [*said, ("action", _brief_action(step))]
    if step.aliases:
        said.append(("aliases", f"Also called {', or '.join(step.aliases)}."))
    said += [("location", s) for s in sentences(step.location)]
    said += [("instructions", s) for s in sentences(step.instructions)]
    said += [("cautions", s) for s in sentences(step.cautions)]
    return said


def _brief_action(step: Step) -> str:
    if step.technique is Technique.CYCLES:
        return "Press on the high tone, release on the low tone."
    if step.technique is Technique.HOLD:
        return "Press and hold with steady pressure."
    return "Warm the soles of your feet."


def side_start(sides: Sides, side: str, first: bool) -> str:
    """Which foot to use, said at the start of each side."""
    if side == "together":
        return "Both feet together."
    if not first:
        return f"Now switch to the {side} foot."
    if sides is Sides.BOTH:
        return f"Start with the {side} foot."
    return f"{side.capitalize()} foot only."


def wait(step: Step, *, live: bool, seconds: int) -> str:
    """Said before waiting for the listener: what to get ready, and how the session goes on."""
    if step.technique is Technique.WARMTH:
        ready = "Next is the warmth. Get your warm water ready."
    else:
        ready = f"Next is {step.name}. Take your time to get ready."
    if live:
        return f"{ready} Press space when you are ready."
    minutes, rest = divmod(seconds, 60)
    if rest:
        return f"{ready} You have {spoken_number(seconds)} seconds."
    return f"{ready} You have {'one minute' if minutes == 1 else f'{spoken_number(minutes)} minutes'}."


READY: Final = "Ready."
RESUMING: Final = "Resuming."


def hold_start(technique: Technique) -> str:
    """Said just before a steady hold or warmth begins."""
    if technique is Technique.WARMTH:
        return "Let the warmth soak in now."
    return "Press now, and hold."


def hold_end(technique: Technique) -> str:
    """Said when a hold or warmth is over."""
    if technique is Technique.WARMTH:
        return "That is enough warmth."
    return "Now release, slowly."


_KEEP_GOING: Final = {
    Technique.HOLD: ("Keep the pressure steady.", "Breathe slowly, and keep holding."),
    Technique.WARMTH: ("Stay with the warmth.", "Breathe slowly, and let your feet grow warm."),
}


def keep_going(technique: Technique, n: int) -> str:
    """The n-th gentle reminder in a long stillness (they alternate), so quiet never lasts long."""
    texts = _KEEP_GOING.get(technique, _KEEP_GOING[Technique.HOLD])
    return texts[n % len(texts)]


def time_left(seconds: float) -> str:
    """A time-left announcement: whole minutes, or seconds under a minute (halves round up, never to even)."""
    if seconds >= 60:
        minutes = math.floor(seconds / 60 + 0.5)
        return "One minute left." if minutes == 1 else f"{spoken_number(minutes).capitalize()} minutes left."
    return f"{spoken_number(math.floor(seconds + 0.5)).capitalize()} seconds left."

"""'Did you mean …?' for a mistyped name: the one close match among the names allowed there."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def close_match(word: str, choices: Iterable[str]) -> str | None:
    """The allowed name ``word`` most likely meant (``tecnique`` -> ``technique``), or None when none is close."""
    # 0.75 keeps a slip of the finger (a missing, extra or swapped letter) and a longer form of the name
    # ("pressure" -> "press"), and drops unrelated names ("duration" is not "minutes").
    found = difflib.get_close_matches(word.lower(), sorted(choices), n=1, cutoff=0.75)
    return found[0] if found else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"did you mean 'technique'? "`` when a name is close to ``word``, else ``""`` (to go before a list)."""
    found = close_match(word, choices)
    return f"did you mean {found!r}? " if found else ""

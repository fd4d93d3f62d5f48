"""A session's language: which translation of a built-in routine plays, and the voice that speaks it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ..errors import RoutineError, SpeechError
from ..routine.library import Routine, builtin_languages, builtin_names, load_routine
from ..words import best, catalogue, system_language
from .pacing import Pacing


def in_language(
    ref: str, routine: Routine, pacing: Pacing, origin: Mapping[str, str], environ: Mapping[str, str] | None = None
) -> tuple[Routine, Pacing]:
    """The routine in the session's language and the pacing that speaks it.

    A built-in routine comes in ``pacing.lang`` (from --lang or saved defaults), else in the system locale's
    language when it has that translation, else in English; a routine file is in the language it says (a
    --lang that asks for another one is an error). The pacing then names that language, and the language's
    own espeak-ng voice when no voice was chosen.
    """
    if ref in builtin_names():
        have = builtin_languages(ref)
        if pacing.lang is not None:
            found = best(pacing.lang, have)
            if found is None:
                words = catalogue(pacing.lang)
                raise RoutineError(
                    ref,
                    None,
                    None,
                    f"has no {words.english} translation; it comes in {', '.join(have)} "
                    "(to add one, see the README: Add a language)",
                )
        else:
            wanted = system_language(environ)
            found = (best(wanted, have) if wanted else None) or "en"
        if found != routine.language:
            routine = load_routine(ref, found)
    elif pacing.lang is not None and origin.get("lang") == "flag" and pacing.lang != routine.language:
        raise RoutineError(
            ref,
            None,
            None,
            f"is written in {routine.language} (its language key); --lang chooses among the translations of a "
            f"built-in routine",
        )
    return routine, _voiced(replace(pacing, lang=routine.language), routine.language)


def _voiced(pacing: Pacing, tag: str) -> Pacing:
    # The language's natural voice when one is installed, else its espeak-ng voice, unless a voice was chosen
    # (or English: the engines' own default, joe or espeak-ng's).
    if pacing.voice is not None or tag == "en":
        return pacing
    from ..speech.registry import decide

    choice = decide(pacing.engine, None, tag)
    words = catalogue(tag)
    if choice.spec.name == "piper":
        if choice.voice is None:
            raise SpeechError(
                f"no Piper voice for {words.english} is chosen: give one with --voice "
                f"(see `voiceguide voices --lang {tag}`, or fetch one: `voiceguide voices --available --lang {tag}`), "
                "or use --engine espeak"
            )
        return replace(pacing, voice=choice.voice, engine="piper")
    if choice.spec.name != "espeak":
        return pacing
    # The engine is named too: asked which engine a voice belongs to, Piper's catalogue code would load.
    return replace(pacing, voice=words.voice, engine=choice.spec.name)

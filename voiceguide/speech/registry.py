"""The speech engines by name, and which one a session uses: ``--engine``, else the engine a voice
belongs to, else the natural voice when it is installed, else espeak-ng. Engines are imported only when one
is started."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

from ..errors import SpeechError
from .engine import VoiceInfo

if TYPE_CHECKING:
    from .engine import SpeechEngine

DEFAULT: Final = "espeak"
"""The fallback engine: always installed, every language."""


@dataclass(frozen=True)
class EngineSpec:
    """How to name, identify and start one engine."""

    name: str
    summary: str
    identity: Callable[[str | None], str]
    """Engine, version and voice data for a voice, without starting the engine: part of cache keys."""
    start: Callable[[str | None], SpeechEngine]
    """A started engine, for a voice."""
    owns: Callable[[str], bool] = lambda voice: False
    """Whether a voice id or path belongs to this engine (picks the engine from ``--voice``)."""
    listed: bool = True
    """Shown by ``voiceguide voices``."""
    voices: Callable[[], list[VoiceInfo]] | None = None
    """The voices, without starting the engine where it can (else the started engine is asked)."""
    canonical: Callable[[str | None], str | None] = lambda voice: voice
    """The one id of a voice that has several names (so they share cached clips)."""


# On Linux, espeak-ng speaks each clip in a fresh process (speech/pool.py): libespeak-ng carries state from
# one utterance to the next, so clips from one long-lived engine were never the same twice, and a pool of
# two uses both cores. Elsewhere there is no fork, and pyttsx3 drives the platform's own engine in-process.
_POOLED = sys.platform.startswith("linux")


def _espeak_identity(voice: str | None) -> str:
    if _POOLED:
        from .identity import pool_engine_name

        ahead = _started_ahead.get("espeak")  # a first run: its server says which espeak-ng it speaks with
        return pool_engine_name(getattr(ahead, "espeak_facts", None))
    from .pyttsx3_engine import engine_name

    return engine_name()


_started_ahead: dict[str, SpeechEngine] = {}
"""Engines start_ahead started, by engine name, until a session's store takes one."""


def start_ahead(engine: str | None, voice: str | None) -> None:
    """On a first run (no clip cached yet, so every clip must be spoken), start the session's speech
    processes now: they start (~35 ms) while the rest of voiceguide loads, and the session's clip store
    takes them. Does nothing for an engine that cannot start ahead, or once the cache holds clips."""
    from .cache import ClipCache

    spec = choose(engine, voice)
    if spec.name != "espeak" or not _POOLED or spec.name in _started_ahead or not ClipCache.fresh():
        return
    from .pool import SynthesisPool

    pool = SynthesisPool()
    pool.start()  # unclaimed, its server stops by itself when idle
    _started_ahead[spec.name] = pool


def _espeak_start(voice: str | None) -> SpeechEngine:
    if _POOLED:
        from .pool import SynthesisPool

        return _started_ahead.pop("espeak", None) or SynthesisPool()
    from .pyttsx3_engine import Pyttsx3Engine

    return Pyttsx3Engine()


def _espeak_voices() -> list[VoiceInfo]:
    from .pyttsx3_engine import Pyttsx3Engine

    return Pyttsx3Engine().voices()  # listing needs no fresh process


def _piper_identity(voice: str | None) -> str:
    from .piper_voices import engine_name

    return engine_name(voice)


def _piper_start(voice: str | None) -> SpeechEngine:
    from .piper_engine import PiperEngine

    return PiperEngine(voice)


def _piper_owns(voice: str) -> bool:
    from .piper_voices import is_piper_voice

    return is_piper_voice(voice)


def _piper_voices() -> list[VoiceInfo]:
    from .piper_voices import list_voices

    return list_voices()


def _piper_canonical(voice: str | None) -> str | None:
    from .piper_voices import resolve

    return resolve(voice).id


def _standin_start(voice: str | None) -> SpeechEngine:
    from .standin import StandinEngine

    return StandinEngine()


ENGINES: Final[dict[str, EngineSpec]] = {
    spec.name: spec
    for spec in (
        EngineSpec(
            "espeak",
            "espeak-ng through pyttsx3: small, fast, robotic",
            _espeak_identity,
            _espeak_start,
            voices=_espeak_voices,
        ),
        EngineSpec(
            "piper",
            "Piper neural speech: natural, offline (voiceguide[neural])",
            _piper_identity,
            _piper_start,
            owns=_piper_owns,
            voices=_piper_voices,
            canonical=_piper_canonical,
        ),
        EngineSpec("standin", "tone bursts for tests", lambda voice: "standin-1", _standin_start, listed=False),
    )
}


def list_voices(language: str | None = None) -> list[VoiceInfo]:
    """Every listed engine's voices (``language``: only those whose language starts with it), engine by engine."""
    found: list[VoiceInfo] = []
    for spec in ENGINES.values():
        if not spec.listed:
            continue
        if spec.voices is not None:
            voices = spec.voices()
        else:
            engine = spec.start(None)
            try:
                voices = engine.voices()
            finally:
                engine.close()
        found += [replace(v, engine=spec.name) for v in sorted(voices, key=lambda v: (v.language, v.id))]
    if language:
        from .voice_catalog import matches_language

        wanted = (language, *_espeak_names(language))
        found = [v for v in found if any(matches_language(v.language, each) for each in wanted)]
    return found


def _espeak_names(language: str) -> list[str]:
    # What espeak-ng calls a language a catalogue speaks (zh is its "cmn"), from the catalogue's voice.
    from ..words import best, catalogue, languages

    tag = best(language, languages())
    # (Its language, without a "-latn-…" reading variant: zh's voice is cmn-latn-pinyin, listed under cmn.)
    return [catalogue(tag).voice.rpartition("/")[2].split("-latn")[0]] if tag else []


@dataclass(frozen=True)
class Choice:
    """The engine and voice a session speaks with, and why (for `voiceguide check` and `pace show`)."""

    spec: EngineSpec
    voice: str | None
    """The voice asked for, or the natural default's id; None: the engine's own default voice."""
    reason: str


def decide(engine: str | None, voice: str | None, language: str = "en") -> Choice:
    """The engine named, else the one ``voice`` belongs to, else ``$VOICEGUIDE_ENGINE``, else the natural
    default: an installed Piper voice of the session's ``language`` (English: the bundled joe), else espeak-ng.
    A voice no engine claims is an espeak-ng voice id (or ``$VOICEGUIDE_ENGINE``'s)."""
    if engine is not None:
        if engine not in ENGINES:
            known = ", ".join(name for name, spec in ENGINES.items() if spec.listed)
            raise SpeechError(f"unknown speech engine {engine!r}; choose one of {known}")
        return Choice(ENGINES[engine], voice, f"the engine is set to {engine}")
    if voice is not None:
        for spec in ENGINES.values():
            if spec.owns(voice):
                return Choice(spec, voice, f"{voice} is a {spec.name} voice")
    named = os.environ.get("VOICEGUIDE_ENGINE")
    if named:
        return replace(decide(named, voice, language), reason=f"VOICEGUIDE_ENGINE is {named}")
    if voice is not None:
        return Choice(ENGINES[DEFAULT], voice, f"{voice} is not a Piper voice")
    from .piper_voices import default_voice

    natural, why = default_voice(language)
    if natural is not None:
        return Choice(ENGINES["piper"], natural, why)
    return Choice(ENGINES[DEFAULT], None, why)


def choose(engine: str | None, voice: str | None, language: str = "en") -> EngineSpec:
    """The engine a session speaks with (see decide)."""
    return decide(engine, voice, language).spec

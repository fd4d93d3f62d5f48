"""What `play` starts: a new session, or the interrupted one with --resume, with the notes to show first."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import LogError, SessionError
from ..locks import PlayLock
from ..paths import state_dir
from ..plan.config import effective_pacing
from ..plan.language import in_language
from ..plan.pacing import parse_layer, preset_layer, resolve
from ..plan.steps import session_steps
from ..routine.library import load_routine, routine_ref
from . import state
from .logbook import Logbook, start_soon
from .output import warm_up_audio
from .session import LiveSession
from .state import check_resume


def open_session(
    routine: str | None,
    *,
    resume: bool,
    device: str | None,
    flags: Mapping[str, Any],
    preset: str | None,
    mic: str | None = None,
) -> tuple[LiveSession, list[str]]:
    """The session to play and the notes (warnings, resume notes) to show before it starts.

    With ``resume``, the saved session's pacing applies, and a preset and flags given now are laid
    over it (a preset first, then flags), as for a new session.
    """
    audio = warm_up_audio()
    notes: list[str] = []
    lock = None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lock = PlayLock.acquire(state_dir())  # before the saved session is read: one session at a time
            session, book = _session(routine, resume, device, flags, preset, notes, mic)
            session.lock = lock
            audio.join()  # the log's entry was begun meanwhile, in a thread: by now it is usually written
            _attach(session, book)
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    finally:
        audio.join()  # sounddevice hides stderr while it loads: nothing may be written before this
    if session.pacing.listen and session.routine.language != "en":
        notes.append(english_commands())
    return session, [f"warning: {item.message}" for item in caught] + notes


Book = Callable[[], Logbook | None]
"""Waits for a session's practice-log entry, begun in a thread (logbook.start_soon)."""


def _made(make: Callable[[], LiveSession], book: Book) -> tuple[LiveSession, Book]:
    """The session, made while its practice-log entry is begun; a session that cannot be made leaves no entry."""
    try:
        return make(), book
    except BaseException:
        with contextlib.suppress(LogError):
            begun = book()
            if begun is not None:
                begun.abandon()
        raise


def _attach(session: LiveSession, book: Book) -> None:
    """Give the session its practice-log entry; a log that cannot be written is a warning, not a stop."""
    try:
        session.logbook = book()
    except LogError as exc:
        warnings.warn(f"this session will not be in your practice log: {exc}", stacklevel=2)


def english_commands() -> str:
    """The one line that says, in a session in another language, that spoken commands are English words
    (the recognizer's model is US English), with those words."""
    from .grammar import PHRASES

    first = ", ".join(f'"{phrases[0]}"' for phrases in PHRASES.values())
    return f"Spoken commands are in English (the recognizer knows only English): {first}; press ? for all of them."


def _session(
    routine: str | None,
    resume: bool,
    device: str | None,
    flags: Mapping[str, Any],
    preset: str | None,
    notes: list[str],
    mic: str | None,
) -> tuple[LiveSession, Book]:
    if not resume:
        if routine is None:
            raise SessionError("name a routine (e.g. `voiceguide play evening`) or use --resume")
        loaded = load_routine(routine)
        pacing, origin = effective_pacing(loaded, flags, preset)
        loaded, pacing = in_language(routine, loaded, pacing, origin)
        book = start_soon(loaded, routine_ref(routine), pacing, len(session_steps(loaded, pacing)), None)
        return _made(lambda: LiveSession(loaded, routine_ref(routine), pacing, device=device, mic=mic), book)
    saved = state.load()
    if routine is not None and routine_ref(routine) != saved.routine:
        raise SessionError(f"the saved session is of {saved.routine!r}, not {routine!r}; leave the routine out")
    layers = [
        ("saved session", parse_layer(saved.pacing)),
        ("preset", preset_layer(preset)),
        ("flag", parse_layer(flags, prefix="--")),
    ]
    pacing, origin = resolve(layers)
    loaded, pacing = in_language(saved.routine, load_routine(saved.routine), pacing, origin)
    note = check_resume(saved, loaded)
    if note:
        notes.append(note)
    book = start_soon(loaded, saved.routine, pacing, len(session_steps(loaded, pacing)), saved.log_entry)
    return _made(lambda: LiveSession(loaded, saved.routine, pacing, device=device, resume=saved, mic=mic), book)

"""One clip from libespeak-ng, in a process forked for it: both sides of forkserver.py's work.

The fork server calls ``start_engine`` once: pyttsx3's libespeak-ng binding, initialized exactly as
pyttsx3's espeak driver does it (same default voice, rate and volume), in synchronous mode so
espeak-ng starts no thread (a thread would not survive the fork). Nothing is ever spoken in the
server, so each child forked from it begins in the very state a fresh ``espeak-ng`` command has after
it starts; it speaks one clip (``serve_one``) and exits, and the clip is a pure function of the request.

Starting espeak-ng in every child instead, through pyttsx3's driver (its run loop, a WAV written to a
temporary file and read back), cost ~7.4 ms of CPU and ~30 ms of wall time a clip; a child now costs
the synthesis alone (0.6 ms for "Release.", 3 ms for a 4-second sentence). The samples are the same:
tests/test_determinism.py compares them with the espeak-ng command's.
Imports only the standard library and pyttsx3's binding (the fork server runs without numpy or site).
"""

from __future__ import annotations

import ctypes
import json
import os
from typing import Any

ESPEAK_RATE = 22050
"""Samples per second of libespeak-ng's output (the session rate: no resampling). Defined here, the one module the
fork server imports without its package; pool.py and pyttsx3_engine.py import it from here."""
_DRIVER_DEFAULTS = (200, 1.0)
"""The rate and volume pyttsx3's espeak driver sets when it starts (a request sets its own after)."""


class ChildError(Exception):
    """One clip failed; ``retry`` says whether a fresh child may succeed; ``no_library``: libespeak-ng did not
    load (the parent says how to install it)."""

    def __init__(
        self, message: str, *, retry: bool, voices: list[list[str]] | None = None, no_library: bool = False
    ) -> None:
        super().__init__(message)
        self.retry, self.voices, self.no_library = retry, voices, no_library


class _Engine:
    """libespeak-ng as the server started it; the samples of the clip being spoken collect in ``chunks``."""

    def __init__(self) -> None:
        from pyttsx3.drivers import _espeak

        self.espeak = _espeak
        self.chunks: list[bytes] = []
        if _espeak.Initialize(_espeak.AUDIO_OUTPUT_SYNCHRONOUS, 1000) == -1:
            raise RuntimeError("could not initialize espeak")
        # As pyttsx3's EspeakDriver.__init__: the current voice's name (else gmw/en), rate 200, volume 1.
        current = _espeak.GetCurrentVoice()
        default = current.contents.name.decode() if current and current.contents.name else "gmw/en"
        _espeak.SetSynthCallback(self._keep)
        _espeak.SetVoiceByName(default.encode())
        self.set_rate_and_volume(*_DRIVER_DEFAULTS)

    def _keep(self, wav: Any, count: int, events: Any) -> int:
        if count > 0:
            self.chunks.append(ctypes.string_at(wav, 2 * count))
        return 0

    def set_rate_and_volume(self, rate: int, volume: float) -> None:
        self.espeak.SetParameter(self.espeak.RATE, int(rate), 0)
        self.espeak.SetParameter(self.espeak.VOLUME, int(round(volume * 100, 2)), 0)  # as pyttsx3 rounds it

    def current_voice(self) -> str | None:
        voice = self.espeak.GetCurrentVoice()
        return voice.contents.identifier.decode().lower() if voice and voice.contents.name else None

    def voices(self) -> list[list[str]]:
        """[id, name, language] of each voice but mbrola's, as pyttsx3 lists them."""
        found = []
        for v in self.espeak.ListVoices(None):
            voice_id = v.identifier.decode().lower()
            language = v.languages[1:].decode("utf-8", errors="ignore") if v.languages else ""
            if not voice_id.startswith("mb/"):
                found.append([voice_id, v.name.decode(), language])
        return found

    def set_voice(self, wanted: str) -> None:
        if wanted.startswith("mb/"):
            raise ChildError(f"voice {wanted!r} is an mbrola voice; choose an espeak-ng voice", retry=False)
        # An id is set directly (listing the voices costs 3.5 ms); a name, through the list.
        if self.espeak.SetVoiceByName(wanted.encode()) == 0 and self.current_voice() == wanted.lower():
            return
        found = self.voices()
        for voice_id, name, _ in found:
            if wanted.lower() in (voice_id.lower(), name.lower()):
                self.espeak.SetVoiceByName(voice_id.encode())
                return
        raise ChildError(f"unknown voice {wanted!r}", retry=False, voices=found)

    def speak(self, text: str, voice: str | None, rate: int, volume: float) -> bytes:
        """16-bit mono PCM at 22050 Hz of ``text``."""
        if voice is not None:
            self.set_voice(voice)
        self.set_rate_and_volume(rate, volume)
        if _current_rate(self.espeak) != rate:
            raise ChildError("the rate change was dropped", retry=True)
        self.chunks.clear()
        # The very call pyttsx3's driver makes; synchronous: it returns when the clip is complete.
        if self.espeak.Synth(text.encode("utf-8"), flags=self.espeak.ENDPAUSE | self.espeak.CHARS_UTF8) != 0:
            raise ChildError("espeak-ng refused the text", retry=True)
        self.espeak.Synchronize()
        return b"".join(self.chunks)


def _current_rate(espeak: Any) -> int:
    # pyttsx3 declares espeak_GetParameter with one argument; it takes two (1 = current value).
    get = espeak.dll.espeak_GetParameter
    get.argtypes = [ctypes.c_int, ctypes.c_int]
    get.restype = ctypes.c_int
    return int(get(espeak.RATE, 1))


_engine: _Engine | None = None
_problem: ChildError | None = None


def start_engine() -> None:
    """In the fork server, before any fork: start espeak-ng once (a failure is reported with each request)."""
    global _engine, _problem
    try:
        from pyttsx3.drivers import _espeak  # noqa: F401 - pyttsx3 raises RuntimeError (once OSError) without the library
    except (ImportError, OSError, RuntimeError) as exc:
        _problem = ChildError(f"libespeak-ng could not be loaded: {exc}", retry=False, no_library=True)
        return
    try:
        _engine = _Engine()
    except Exception as exc:  # reported with the request it fails, never retried: it is not chance
        _problem = ChildError(f"the speech engine could not start: {exc}", retry=False)


def voice_list() -> list[list[str]]:
    """[id, name, language] of each voice but mbrola's, from libespeak-ng started in this process: the list
    pyttsx3's driver gives, in a tenth of its start-up. Only for a process that speaks nothing afterwards
    (shell completion): a pyttsx3 driver started later in it would find espeak-ng in the wrong mode."""
    return _Engine().voices()


def hello() -> dict[str, Any]:
    """What the fork server says first: the version and file of the libespeak-ng its children speak with
    (voiceguide's cache keys name it), or why the engine did not start."""
    if _engine is None:
        return {"error": str(_problem or "the speech engine was not started")}
    try:
        return {"version": version_of(_engine.espeak.Info()), "library": loaded_library("libespeak")}
    except Exception as exc:  # the caller then asks the library itself, and says what is wrong
        return {"error": f"{type(exc).__name__}: {exc}"}


def version_of(info: object) -> str:
    """libespeak-ng's version from what its ``espeak_Info`` returns ("1.51  2020-..." as bytes or text)."""
    words = (info.decode() if isinstance(info, bytes) else str(info)).split()
    if not words:
        raise ValueError("espeak-ng did not say its version")
    return words[0]


def loaded_library(name: str) -> str | None:
    """Path of the shared library ``name`` mapped into this process (Linux), or None."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                path = line.rstrip("\n").split(maxsplit=5)[-1]
                if path.startswith("/") and name in path.rsplit("/", 1)[-1]:
                    return path
    except OSError:
        pass
    return None


def serve_one(request_fd: int, reply_fd: int, folder: str) -> None:
    """Body of a forked child: wait for one request (a JSON line), speak it, answer, and exit."""
    with os.fdopen(request_fd, "rb") as requests:
        line = requests.readline()
    if not line:
        return  # the server is closing: this spare was not needed
    request = json.loads(line)
    reply: dict[str, Any] = {"id": request["id"], "ok": True}
    pcm = b""
    try:
        if _problem is not None:
            raise _problem
        if _engine is None:
            raise ChildError("the speech engine was not started", retry=False)
        pcm = _engine.speak(request["text"], request["voice"], request["rate"], request["volume"])
        if not pcm:
            raise ChildError("the clip is empty", retry=True)
    except ChildError as exc:
        reply.update(ok=False, error=str(exc), retry=exc.retry, voices=exc.voices, no_library=exc.no_library)
    except Exception as exc:  # anything else in the binding: a fresh child may do better
        reply.update(ok=False, error=f"{type(exc).__name__}: {exc}", retry=True)
    reply["bytes"] = len(pcm)
    with os.fdopen(reply_fd, "wb") as out:
        out.write(json.dumps(reply).encode() + b"\n" + pcm)

"""One clip from a pyttsx3 + espeak-ng engine started in this process: the child side of forkserver.py.

Runs in a process forked from the fork server, which has imported pyttsx3 but never initialized
espeak-ng, so the engine starts from the state a fresh ``espeak-ng`` command starts from. The
driver's traps (see pyttsx3_engine.py) are handled as there, except that nothing is retried here:
a second utterance in this process would not start from that state, so the pool retries in a new child.
Imports only the standard library and pyttsx3 (the fork server runs without numpy or site).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import threading
import time
import wave
from typing import Any

ESPEAK_RATE = 22050
POLL_SECONDS = 0.001
"""How often pyttsx3's run loop looks whether the clip is done (its own 10 ms idled most of each child)."""


class ChildError(Exception):
    """One clip failed; ``retry`` says whether a fresh child may succeed."""

    def __init__(self, message: str, *, retry: bool, voices: list[list[str]] | None = None) -> None:
        super().__init__(message)
        self.retry, self.voices = retry, voices


def _wait_idle(espeak: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while espeak.IsPlaying():
        if time.monotonic() > deadline:
            raise ChildError("espeak-ng did not go idle in time", retry=True)
        time.sleep(0.001)


def _current_rate(espeak: Any) -> int:
    # pyttsx3 declares espeak_GetParameter with one argument; it takes two (1 = current value).
    import ctypes

    get = espeak.dll.espeak_GetParameter
    get.argtypes = [ctypes.c_int, ctypes.c_int]
    get.restype = ctypes.c_int
    return int(get(espeak.RATE, 1))


class _QuickSleep:
    """Stands in for the ``time`` module inside pyttsx3's espeak driver (which only calls ``sleep``)."""

    @staticmethod
    def sleep(seconds: float) -> None:
        time.sleep(min(seconds, POLL_SECONDS))


class OneClip:
    """A pyttsx3 engine started in this (forked) process, ready to speak one clip."""

    def __init__(self, folder: str) -> None:
        import pyttsx3
        from pyttsx3.drivers import _espeak

        self.espeak = _espeak
        self.folder = folder
        with contextlib.redirect_stdout(io.StringIO()):
            self.engine = pyttsx3.init("espeak")
        driver = sys.modules["pyttsx3.drivers.espeak"]
        driver.print = lambda *a, **k: None  # it prints "Audio saved to"
        # Its run loop sleeps 10 ms between looks at the engine: ~10 ms of idle wall time for the empty
        # loop below and again for the clip, which made each child take ~30 ms for ~8 ms of work (and a
        # cold export wait on it). Looking every millisecond gives the very same samples.
        driver.time = _QuickSleep()
        self.finished = threading.Event()
        self.completed: list[bool] = []
        self.engine.connect("finished-utterance", self._on_finished)
        # The driver starts "busy" and queues commands (swallowing their errors) until a run loop
        # has run once; this empty one makes every later command immediate.
        self.engine.runAndWait()

    def _on_finished(self, name: str | None, completed: bool) -> None:
        self.completed.append(completed)
        self.finished.set()

    def _voice_id(self, wanted: str) -> str:
        if wanted.startswith("mb/"):
            raise ChildError(f"voice {wanted!r} is an mbrola voice; choose an espeak-ng voice", retry=False)
        found = [
            [str(v.id), str(v.name), str((v.languages or [""])[0])]
            for v in self.engine.getProperty("voices")
            if not str(v.id).startswith("mb/")
        ]
        for voice_id, name, _ in found:
            if wanted.lower() in (voice_id.lower(), name.lower()):
                return voice_id
        raise ChildError(f"unknown voice {wanted!r}", retry=False, voices=found)

    def speak(self, text: str, voice: str | None, rate: int, volume: float) -> bytes:
        """16-bit PCM of ``text``; raises ChildError when pyttsx3's driver loses a command."""
        if voice is not None and not voice.startswith("mb/"):
            # An id is set directly (listing the voices costs 3.5 ms a clip); a name, through the list.
            self.engine.setProperty("voice", voice)
            if self.engine.getProperty("voice") != voice.lower():
                self.engine.setProperty("voice", self._voice_id(voice))
        elif voice is not None:
            self._voice_id(voice)  # raises: mbrola voices are not 22050 Hz
        self.engine.setProperty("rate", rate)
        self.engine.setProperty("volume", volume)
        # Property changes sit in espeak-ng's queue; the run loop's first command cancels a busy
        # queue, so let them apply first, then check the rate really changed.
        _wait_idle(self.espeak, 10.0)
        if _current_rate(self.espeak) != rate:
            raise ChildError("the rate change was dropped", retry=True)
        path = os.path.join(self.folder, f"{os.getpid()}.wav")
        try:
            self.engine.save_to_file(text, path)
            self.engine.runAndWait()
            # runAndWait can return before espeak-ng's thread has written the file.
            self.finished.wait(20 + len(text) / 10)
            _wait_idle(self.espeak, 10.0)
            if True not in self.completed:
                raise ChildError("the utterance was cancelled or timed out", retry=True)
            return _pcm(path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(path)


def _pcm(path: str) -> bytes:
    try:
        with wave.open(path, "rb") as wav:
            if wav.getnchannels() != 1 or wav.getsampwidth() != 2 or wav.getframerate() != ESPEAK_RATE:
                raise ChildError("the clip is not 16-bit mono at 22050 Hz", retry=True)
            return wav.readframes(wav.getnframes())
    except (FileNotFoundError, EOFError, wave.Error) as exc:
        raise ChildError(f"the clip file is missing or incomplete ({exc})", retry=True) from None


def serve_one(request_fd: int, reply_fd: int, folder: str) -> None:
    """Body of a forked child: start the engine, wait for one request (a JSON line), answer it."""
    engine: OneClip | None = None
    problem: ChildError | None = None
    try:
        engine = OneClip(folder)
    except Exception as exc:  # reported with the request it fails, never retried: it is not chance
        problem = ChildError(f"the speech engine could not start: {exc}", retry=False)
    with os.fdopen(request_fd, "rb") as requests:
        line = requests.readline()
    if not line:
        return  # the server is closing: this spare was not needed
    request = json.loads(line)
    reply: dict[str, Any] = {"id": request["id"], "ok": True}
    pcm = b""
    try:
        if problem is not None:
            raise problem
        assert engine is not None
        pcm = engine.speak(request["text"], request["voice"], request["rate"], request["volume"])
    except ChildError as exc:
        reply.update(ok=False, error=str(exc), retry=exc.retry, voices=exc.voices)
    except Exception as exc:  # anything else in the driver: a fresh child may do better
        reply.update(ok=False, error=f"{type(exc).__name__}: {exc}", retry=True)
    reply["bytes"] = len(pcm)
    with os.fdopen(reply_fd, "wb") as out:
        out.write(json.dumps(reply).encode() + b"\n" + pcm)

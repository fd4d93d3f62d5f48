"""The real engine: pyttsx3 (espeak-ng on Linux), made dependable despite its driver's traps.

pyttsx3 2.99's espeak driver synthesizes on espeak-ng's own thread, so:
- ``runAndWait()`` can return before the file is written: we wait for our own
  utterance's ``finished-utterance`` event, then for espeak-ng to go idle;
- property changes go into espeak-ng's command queue, and the driver's end-of-loop command
  cancels whatever is queued (measured here: about one rate change in ten was lost, and
  some clips were cut): we let espeak-ng apply each change and go idle before synthesis
  starts, read the rate back, and retry any clip that fails a check;
- commands issued before the first run loop are queued in the driver and their errors are
  swallowed: a warm-up run loop at start makes every later command immediate;
- only the last of several queued ``save_to_file`` calls is written: one clip at a time;
- it prints "Audio saved to ...": that module's ``print`` is silenced (not sys.stdout,
  which other threads are using);
- the WAV header always says 22050 Hz: we only use voices that really speak at that rate.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import shutil
import sys
import tempfile
import threading
import time
import uuid
import wave
from importlib import metadata
from pathlib import Path
from typing import Any, Final

import numpy as np

from ..audio.types import Audio
from ..errors import SpeechError
from .engine import VoiceInfo
from .oneclip import ESPEAK_RATE

ATTEMPTS: Final = 5
_lock = threading.Lock()


def _espeak() -> Any:
    """pyttsx3's own ctypes binding to libespeak-ng, used only to wait for idle and read state back."""
    from .espeak_lib import binding

    return binding()


def engine_name() -> str:
    """Engine identity for cache keys, without starting the engine."""
    version = metadata.version("pyttsx3")
    if sys.platform.startswith("linux"):
        info = _espeak().Info()
        espeak = info.decode() if isinstance(info, bytes) else str(info)
        return f"pyttsx3-{version}+espeak-ng-{espeak.split()[0]}"
    return f"pyttsx3-{version}+{sys.platform}"


class Pyttsx3Engine:
    """Speech through pyttsx3; one clip at a time, each checked before it is returned.

    One per process: pyttsx3 hands out the same driver again, and a second warm-up run loop on
    an idle driver never ends (its loop only stops after an utterance).
    """

    sample_rate = ESPEAK_RATE
    _shared: Pyttsx3Engine | None = None

    def __new__(cls) -> Pyttsx3Engine:
        with _lock:
            if cls._shared is None:
                engine = super().__new__(cls)
                engine._start()
                cls._shared = engine
            return cls._shared

    def _start(self) -> None:
        try:
            import pyttsx3
        except ImportError as exc:
            raise SpeechError(f"pyttsx3 is not installed ({exc}); run: pip install pyttsx3") from None
        self.name = engine_name()  # on Linux, loads espeak-ng's library first (a missing one: one line)
        self._linux = sys.platform.startswith("linux")
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                self._engine = pyttsx3.init("espeak" if self._linux else None)
            driver_module = sys.modules.get("pyttsx3.drivers.espeak")
            if driver_module is not None:
                driver_module.print = _silent  # type: ignore[attr-defined]
        except (RuntimeError, OSError, ImportError) as exc:
            raise SpeechError(f"the speech engine could not start: {exc}; run `voiceguide check`") from None
        self._finished: list[bool] = []
        self._event = threading.Event()
        self._engine.connect("finished-utterance", self._on_finished)
        self._dir = Path(tempfile.mkdtemp(prefix="voiceguide-tts-"))
        self._engine.runAndWait()  # warm-up: the driver starts "busy" and would queue what follows
        self._voices: list[VoiceInfo] | None = None

    def close(self) -> None:
        """Remove the engine's temporary folder. The engine itself is shared by the process and stays usable."""
        shutil.rmtree(self._dir, ignore_errors=True)

    def _on_finished(self, name: str | None, completed: bool) -> None:
        # The driver reports name=None (its proxy names the end-loop command), so
        # clips are told apart by order: one at a time, list cleared before each.
        self._finished.append(completed)
        self._event.set()

    def voices(self) -> list[VoiceInfo]:
        """The engine's voices (mbrola voices left out: they are not 22050 Hz)."""
        if self._voices is not None:
            return self._voices
        found = []
        for v in self._engine.getProperty("voices"):
            if str(v.id).startswith("mb/"):
                continue
            languages = [lang.decode() if isinstance(lang, bytes) else str(lang) for lang in (v.languages or [])]
            found.append(VoiceInfo(str(v.id), str(v.name), languages[0] if languages else ""))
        self._voices = found
        return found

    def _wait_idle(self, timeout: float = 30.0) -> None:
        if not self._linux:
            return
        espeak = _espeak()
        deadline = time.monotonic() + timeout
        while espeak.IsPlaying():
            if time.monotonic() > deadline:
                raise SpeechError("espeak-ng did not finish speaking in time")
            time.sleep(0.002)

    def _apply(self, voice: str | None, rate: int, volume: float) -> None:
        if voice is not None and voice.startswith("mb/"):
            raise SpeechError(
                f"voice {voice!r} is an mbrola voice; choose an espeak-ng voice (see `voiceguide voices`)"
            )
        if voice is not None:
            # The driver swallows a failed voice change (its queue pump catches it): check first.
            self._engine.setProperty("voice", resolve_voice(voice, self.voices()))
        self._engine.setProperty("rate", rate)
        self._engine.setProperty("volume", volume)
        if self._linux:
            self._wait_idle()
            if _current_rate() != rate:
                raise _Retry("the rate change was dropped")

    def synthesize(self, text: str, *, voice: str | None, rate: int, volume: float) -> Audio:
        """Speak ``text`` into a checked float32 clip; retries the driver's dropped or empty results."""
        if not text.strip():
            raise SpeechError("cannot speak an empty text")
        problem = ""
        with _lock:
            for _ in range(ATTEMPTS):
                try:
                    return self._attempt(text, voice, rate, volume)
                except _Retry as exc:
                    problem = str(exc)
                    self._wait_idle()
        raise SpeechError(f"the speech engine failed {ATTEMPTS} times on {text[:60]!r}: {problem}")

    def _attempt(self, text: str, voice: str | None, rate: int, volume: float) -> Audio:
        self._wait_idle()
        self._apply(voice, rate, volume)
        name = uuid.uuid4().hex
        self._dir.mkdir(exist_ok=True)  # close() may have removed it; the shared engine lives on
        path = self._dir / f"{name}.wav"
        self._event.clear()
        self._finished.clear()
        timeout = 20 + len(text) / 10
        try:
            self._engine.save_to_file(text, str(path), name)
            self._engine.runAndWait()
            deadline = time.monotonic() + timeout
            while True not in self._finished and time.monotonic() < deadline:
                self._event.wait(0.05)
                self._event.clear()
            self._wait_idle()
            if True not in self._finished:
                raise _Retry("the utterance was cancelled or timed out")
            if self._linux and _current_rate() != rate:
                raise _Retry("the rate change was dropped")
            return _read_clip(path)
        finally:
            path.unlink(missing_ok=True)


def resolve_voice(wanted: str, voices: list[VoiceInfo]) -> str:
    """The id of the voice named by id or name (any case); an unknown one is a SpeechError with suggestions."""
    for voice in voices:
        if wanted.lower() in (voice.id.lower(), voice.name.lower()):
            return voice.id
    import difflib

    from ..words import catalogue, languages

    speaks = next((catalogue(t) for t in languages() if catalogue(t).voice.lower() == wanted.lower()), None)
    if speaks is not None:  # the voice a language's sessions take by default is not installed
        raise SpeechError(
            f"espeak-ng has no voice {wanted!r} for {speaks.english}; install its language data "
            f"(sudo apt-get install espeak-ng-data), or choose a voice with --voice "
            f"(see `voiceguide voices --lang {speaks.tag}`)"
        )
    names = [v.id for v in voices] + [v.name for v in voices]
    close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise SpeechError(f"unknown voice {wanted!r}{hint} (see `voiceguide voices`)")


def _silent(*args: object, **kwargs: object) -> None:
    """Stands in for print inside pyttsx3's espeak driver."""


def _current_rate() -> int:
    """The rate espeak-ng is using now.

    pyttsx3 declares espeak_GetParameter with one argument, but it takes two (the second
    picks current over default value), so its getProperty("rate") reports garbage.
    """
    espeak = _espeak()
    get = espeak.dll.espeak_GetParameter
    get.argtypes = [ctypes.c_int, ctypes.c_int]
    get.restype = ctypes.c_int
    return int(get(espeak.RATE, 1))


class _Retry(Exception):
    """One attempt went wrong in a way a fresh attempt can fix."""


def _read_clip(path: Path) -> Audio:
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getnchannels() != 1 or wav.getsampwidth() != 2:
                raise _Retry("the clip is not 16-bit mono")
            if wav.getframerate() != ESPEAK_RATE:
                raise _Retry(f"the clip is {wav.getframerate()} Hz, not {ESPEAK_RATE}")
            frames = wav.readframes(wav.getnframes())
    except (FileNotFoundError, EOFError, wave.Error) as exc:
        raise _Retry(f"the clip file is missing or incomplete ({exc})") from None
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    if samples.size < ESPEAK_RATE // 20 or float(np.max(np.abs(samples), initial=0.0)) < 1e-3:
        raise _Retry("the clip is empty or silent")
    return samples

"""Reproducible, parallel speech: each clip from a fresh pyttsx3 + espeak-ng engine, several at once.

espeak-ng carries state from one utterance to the next (see forkserver.py), so a long-lived engine
gives a different clip for the same text depending on what it spoke before. SynthesisPool has a
fork server (started on the first ``submit`` or by ``start``, never for a warm cache) fork one child per clip, each
with its own engine started ahead; so every clip is a pure function of (text, voice, rate, volume,
engine version) and the clips of a cold session are made ``workers`` at a time.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ..errors import SpeechError
from .engine import VoiceInfo
from .identity import pool_engine_name
from .oneclip import ESPEAK_RATE

if TYPE_CHECKING:
    from ..audio.types import Audio

ATTEMPTS: Final = 5
IDLE_SECONDS: Final = 10.0
"""The fork server and its ready engines (~15 MiB) go away after this long without work."""


@dataclass
class _Job:
    future: Future[Audio]
    request: dict[str, Any]
    server: _Server | None = None
    attempts: int = 0


class _Server:
    """One fork-server process, with a thread that writes its requests and one that reads its replies."""

    def __init__(self, pool: SynthesisPool) -> None:
        # -I -S: no site, no user paths, ~20 ms less start-up; the parent's path finds the same pyttsx3.
        paths = [p for p in sys.path if p]
        script = Path(__file__).with_name("forkserver.py")
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-S", str(script), str(pool.workers), json.dumps(paths), str(IDLE_SECONDS)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                # Its own session: Ctrl-C or a hangup is for voiceguide to handle; the server ends when
                # its stdin closes, however voiceguide ends (even killed).
                start_new_session=True,
            )
        except OSError as exc:
            raise SpeechError(f"the speech process could not start: {exc}") from None
        self.pool = pool
        self.outbox: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
        # Separate threads write and read, so neither pipe can stall the other.
        self.threads = [
            threading.Thread(target=target, name=f"voiceguide-pool-{name}", daemon=True)
            for target, name in ((self._write, "writer"), (self._read, "reader"))
        ]
        for thread in self.threads:
            thread.start()

    def _write(self) -> None:
        assert self.proc.stdin is not None
        try:
            while (request := self.outbox.get()) is not None:
                self.proc.stdin.write(json.dumps(request).encode() + b"\n")
                self.proc.stdin.flush()
        except OSError:
            pass  # the server is gone; the reader reports it
        finally:
            try:
                self.proc.stdin.close()
            except OSError:
                pass

    def _read(self) -> None:
        assert self.proc.stdout is not None
        stdout = self.proc.stdout
        problem = ""
        try:
            while line := stdout.readline():
                reply = json.loads(line)
                if "hello" in reply:
                    self.pool._hello(reply["hello"])
                    continue
                body = stdout.read(reply["bytes"]) if reply["bytes"] else b""
                self.pool._answer(reply, body)
        except Exception as exc:  # a garbled reply: no clip can be trusted to its request any more
            problem = f" ({type(exc).__name__}: {exc})"
            self.proc.kill()
        self.pool._ended(self, self.proc.wait(), problem)


class SynthesisPool:
    """Speaks texts in fresh pyttsx3 engines, ``workers`` at a time; keeps the SpeechEngine contract too.

    The fork server starts on the first ``submit`` (or ``start``) and stops after IDLE_SECONDS without work
    (a live session then holds no idle engines); the next ``submit`` starts it again.
    """

    sample_rate = ESPEAK_RATE

    def __init__(self, workers: int = 2) -> None:
        self.workers = workers
        self._server: _Server | None = None
        self._jobs: dict[int, _Job] = {}
        self._lock = threading.Lock()
        self._next_id = 0
        self._closed = False
        self._name: str | None = None
        self._facts: dict[str, Any] | None = None  # what the server said first (forkserver.py)
        self._told = threading.Event()
        self.servers_started = 0

    @property
    def name(self) -> str:
        if self._name is None:
            self._name = pool_engine_name(self.espeak_facts)
        return self._name

    def espeak_facts(self, timeout: float = 5.0) -> tuple[str, str | None] | None:
        """(version, library file) of the libespeak-ng the started server speaks with, once it has said so;
        None if no server is running or its engine did not start (then the caller asks the library itself)."""
        with self._lock:
            running = self._server is not None
        if not running or not self._told.wait(timeout) or self._facts is None or "version" not in self._facts:
            return None
        return str(self._facts["version"]), self._facts.get("library")

    def _hello(self, facts: dict[str, Any]) -> None:
        self._facts = facts
        self._told.set()

    def submit(self, text: str, *, voice: str | None, rate: int, volume: float) -> Future[Audio]:
        """Start speaking ``text``; the future gives checked float32 samples or a SpeechError."""
        if not text.strip():
            raise SpeechError("cannot speak an empty text")
        future: Future[Audio] = Future()
        with self._lock:
            if self._closed:
                raise SpeechError("the speech pool is closed")
            self._next_id += 1
            request = {"id": self._next_id, "text": text, "voice": voice, "rate": int(rate), "volume": float(volume)}
            job = self._jobs[self._next_id] = _Job(future, request)
            self._send(job)
        return future

    def synthesize(self, text: str, *, voice: str | None, rate: int, volume: float) -> Audio:
        """The SpeechEngine contract: one clip, waited for."""
        return self.submit(text, voice=voice, rate=rate, volume=volume).result()

    def voices(self) -> list[VoiceInfo]:
        """The voices espeak-ng offers (asked of an engine in this process: listing speaks nothing)."""
        from .pyttsx3_engine import Pyttsx3Engine

        return Pyttsx3Engine().voices()

    def start(self) -> None:
        """Start the fork server and its first engines now, ahead of the first request (their start-up,
        ~35 ms, then overlaps the caller's own); they stop after IDLE_SECONDS if nothing is asked."""
        with self._lock:
            if not self._closed:
                self._serving()

    def _serving(self) -> _Server:
        # Called with the lock held: the running server, started if there is none.
        if self._server is None:
            self._server = _Server(self)
            self.servers_started += 1
        return self._server

    def _send(self, job: _Job) -> None:
        # Called with the lock held.
        job.server = self._serving()
        job.server.outbox.put(job.request)

    def _answer(self, reply: dict[str, Any], body: bytes) -> None:
        with self._lock:
            job = self._jobs.get(reply["id"])
        if job is None:
            return
        problem = reply.get("error") or ""
        if reply["ok"]:
            import numpy as np  # here: the pool can start its processes before numpy is loaded

            samples = np.frombuffer(body, dtype="<i2").astype(np.float32)
            samples *= np.float32(1 / 32768)  # in place (a power of two: the very values a division gives)
            if samples.size >= ESPEAK_RATE // 20 and float(np.max(np.abs(samples), initial=0.0)) >= 1e-3:
                self._done(job, result=samples)
                return
            problem = "the clip is empty or silent"
        elif not reply.get("retry"):
            self._done(job, error=self._fatal(job, reply))
            return
        job.attempts += 1
        if job.attempts >= ATTEMPTS:
            text = job.request["text"][:60]
            self._done(job, error=SpeechError(f"the speech engine failed {ATTEMPTS} times on {text!r}: {problem}"))
            return
        with self._lock:  # a fresh child: the retry gives the same clip a first try would
            if not self._closed:
                self._send(job)

    def _ended(self, server: _Server, code: int, problem: str) -> None:
        """A server is gone: after idling (code 0), its lost requests go to a new one; else they fail."""
        self._told.set()  # no hello will come from it: nobody waits for one (espeak_facts) in vain
        with self._lock:
            if self._server is server:
                self._server = None
            lost = [job for job in self._jobs.values() if job.server is server]
            why = "was closed" if self._closed else f"stopped unexpectedly (exit code {code}){problem}"
            if code == 0 and not problem and not self._closed:
                try:
                    for job in lost:  # asked for just as it stopped
                        self._send(job)
                    return
                except SpeechError as exc:
                    why = str(exc).removeprefix("the speech process ")
            for job in lost:
                self._jobs.pop(job.request["id"], None)
        for job in lost:
            self._settle(job.future, error=SpeechError(f"the speech process {why}"))

    def _fatal(self, job: _Job, reply: dict[str, Any]) -> SpeechError:
        if reply.get("no_library"):
            from .espeak_lib import MISSING

            return SpeechError(MISSING)
        if reply.get("voices") is not None:
            from .pyttsx3_engine import resolve_voice

            try:
                resolve_voice(job.request["voice"], [VoiceInfo(*v) for v in reply["voices"]])
            except SpeechError as exc:
                return exc
        return SpeechError(reply.get("error") or "the speech engine failed")

    def _done(self, job: _Job, *, result: Audio | None = None, error: SpeechError | None = None) -> None:
        with self._lock:
            self._jobs.pop(job.request["id"], None)
        self._settle(job.future, result=result, error=error)

    @staticmethod
    def _settle(future: Future[Audio], *, result: Audio | None = None, error: SpeechError | None = None) -> None:
        if future.done():  # cancelled by its caller: nobody wants it
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def close(self) -> None:
        """Stop the server and its children; clips not yet made fail with SpeechError."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            server = self._server
        if server is None:
            return
        server.outbox.put(None)  # closing stdin ends the server, which kills its children
        try:
            server.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.proc.kill()
        for thread in server.threads:
            thread.join(timeout=5)

    def __enter__(self) -> SynthesisPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

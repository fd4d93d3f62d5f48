"""Listening for spoken commands: a microphone on its own input stream and thread, resampled to 16 kHz and fed to the
recognizer; command words go into a queue. Everything stays in memory: no audio is written or sent anywhere."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Any, Final

import numpy as np

from ..errors import AudioDeviceError
from .recognizer import Decision, Recognizer
from .vad import VAD_RATE

BLOCK_SECONDS: Final = 0.01
"""Input blocks of 10 ms (the decoder's frame): each block waits this long before it is heard."""
LOST_AFTER: Final = 2.0
"""No input block for this long while listening means the input is gone."""

Speaking = Callable[[float, float], bool]
"""Whether the program was speaking at any moment between two ``time.monotonic()`` times."""


def input_device(mic: str | int | None) -> tuple[int | None, dict[str, Any]]:
    """The input device for ``--mic NAME_OR_INDEX`` (None: the default input) and its description."""
    try:
        import sounddevice as sd
    except (OSError, ImportError) as exc:
        raise AudioDeviceError(f"cannot listen: PortAudio is not installed ({exc}); keys still work") from None
    inputs = [d for d in _devices(sd) if d["max_input_channels"] > 0]
    names = ", ".join(f"{d['index']}: {d['name']}" for d in inputs) or "none"
    if not inputs:
        raise AudioDeviceError("cannot listen: no input device (microphone) was found; keys still work")
    if mic is None:
        try:
            info = sd.query_devices(kind="input")
        except (sd.PortAudioError, ValueError) as exc:
            raise AudioDeviceError(f"cannot listen: no default input device ({exc}); input devices: {names}") from None
        return None, dict(info)
    try:
        target: str | int = int(mic)
    except ValueError:
        target = str(mic)
    try:
        info = sd.query_devices(target, kind="input")
    except (sd.PortAudioError, ValueError):
        raise AudioDeviceError(f"no input device matches --mic {mic!r}; input devices: {names}") from None
    return int(info["index"]), dict(info)


def _devices(sd: Any) -> list[dict[str, Any]]:
    try:
        return [dict(d) for d in sd.query_devices()]
    except (sd.PortAudioError, ValueError):
        return []


class Listener:
    """Hears spoken commands on a microphone and puts their command words into ``commands``."""

    def __init__(
        self,
        mic: str | int | None = None,
        *,
        speaking: Speaking | None = None,
        commands: queue.Queue[str] | None = None,
        on_decision: Callable[[Decision], None] | None = None,
    ) -> None:
        self.mic, self.speaking, self.on_decision = mic, speaking, on_decision
        self.commands: queue.Queue[str] = commands if commands is not None else queue.Queue()
        self.recognizer = Recognizer(self._gate if speaking is not None else None)
        self.lost_at: float | None = None
        """``time.time()`` when the input was lost during listening, else None."""
        self.lost_reason = ""
        self.device_name = ""
        self._blocks: queue.Queue[tuple[np.ndarray, float]] = queue.Queue()
        self._anchor = (0.0, 0.0)  # (stream seconds, monotonic seconds) of the latest block's end
        self._stream: Any = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._latency = 0.0  # seconds from the microphone to the callback

    @property
    def level(self) -> float:
        """Input level in dBFS, over the latest 30 ms."""
        return self.recognizer.level

    def start(self) -> Listener:
        """Open the input and start listening; raises AudioDeviceError with one clear line."""
        import sounddevice as sd

        device, info = input_device(self.mic)
        self.device_name = str(info.get("name", ""))
        rate = self._rate(sd, device, info)

        def callback(data: np.ndarray, frames: int, when: Any, status: Any) -> None:
            # The audio thread only copies and hands over: decoding happens on our own thread.
            self._blocks.put((data[:, 0].copy(), time.monotonic()))

        def finished() -> None:
            if not self._stop.is_set() and self.lost_at is None:
                self.lost_at, self.lost_reason = time.time(), "the input stream stopped"

        try:
            self._stream = sd.InputStream(
                samplerate=rate,
                blocksize=round(rate * BLOCK_SECONDS),
                device=device,
                channels=1,
                dtype="float32",
                callback=callback,
                finished_callback=finished,
                # PortAudio's default input latency is its "high" one; every millisecond here delays a command.
                latency="low",
            )
            self._stream.start()
            self._latency = float(self._stream.latency)
        except (sd.PortAudioError, ValueError) as exc:
            raise AudioDeviceError(f"cannot listen on {self.device_name or 'the default input'}: {exc}") from None
        self._thread = threading.Thread(target=self._work, args=(rate,), name="voiceguide-listen", daemon=True)
        self._thread.start()
        return self

    @staticmethod
    def _rate(sd: Any, device: int | None, info: dict[str, Any]) -> int:
        # 16 kHz straight from the device when it offers it; else its own rate, resampled here.
        try:
            sd.check_input_settings(device=device, samplerate=VAD_RATE, channels=1, dtype="float32")
            return VAD_RATE
        except (sd.PortAudioError, ValueError):
            return int(info.get("default_samplerate") or 48000)

    def _work(self, rate: int) -> None:
        import soxr

        resampler = soxr.ResampleStream(rate, VAD_RATE, 1, dtype="float32") if rate != VAD_RATE else None
        while not self._stop.is_set():
            try:
                block, at = self._blocks.get(timeout=0.2)
            except queue.Empty:
                if self._anchor[1] and time.monotonic() - self._anchor[1] > LOST_AFTER and self.lost_at is None:
                    self.lost_at, self.lost_reason = time.time(), "no sound came from the input"
                continue
            samples = resampler.resample_chunk(block) if resampler is not None else block
            # The block ended when the callback ran; mapping stream time to the monotonic clock at every block
            # keeps the gate exact however far the sound card's clock drifts.
            self._anchor = (self.recognizer.time + samples.size / VAD_RATE, at - self._latency)
            for decision in self.recognizer.feed(samples):
                if self.on_decision is not None:
                    self.on_decision(decision)
                if decision.command is not None:
                    self.commands.put(decision.command)

    def _gate(self, t0: float, t1: float) -> bool:
        assert self.speaking is not None
        stream_at, mono_at = self._anchor
        return self.speaking(mono_at - (stream_at - t0), mono_at - (stream_at - t1))

    def stop(self) -> None:
        """Stop listening and close the input."""
        self._stop.set()
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            except Exception:  # an input that vanished may fail to close; nothing is lost
                pass
        if self._thread is not None:
            self._thread.join(1.0)

    def __enter__(self) -> Listener:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def calibrate(
    seconds: float,
    on_level: Callable[[float], None],
    on_command: Callable[[Decision], None],
    mic: str | int | None = None,
) -> list[Decision]:
    """For `voiceguide check --mic`: report the input level about 10 times a second and every command heard (the
    decision, with the phrase heard and its command word)."""
    heard: queue.Queue[Decision] = queue.Queue()
    found: list[Decision] = []

    def decided(decision: Decision) -> None:
        if decision.command is not None:
            heard.put(decision)

    with Listener(mic, on_decision=decided) as listener:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                decision = heard.get(timeout=0.1)
            except queue.Empty:
                on_level(listener.level)
                continue
            found.append(decision)
            on_command(decision)
        if listener.lost_at is not None:
            raise AudioDeviceError(f"the input was lost while listening ({listener.lost_reason})")
    return found

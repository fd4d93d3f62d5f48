"""The output stream: connects the mixer to a sounddevice callback stream through a look-ahead limiter
(resampled when the device refuses the session's rate), and loads PortAudio early."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any, Final

import numpy as np

from ..audio.limiter import StreamLimiter
from ..audio.loudness import PEAK_CEILING
from ..audio.types import Audio
from ..errors import AudioDeviceError
from ..plan.timeline import Event, Kind, Timeline
from .mixer import Player

OUTPUT_LATENCY: Final = 0.3
"""Seconds of audio queued at the device. PortAudio's "low" (0.09 s) underran when the test suite running
beside a session held the callbacks up for 0.2-0.28 s; 0.4 s never did, but made every control and spoken
command answer that much later (a spoken command must take effect within 0.7 s of its end). 0.3 s covers
the stalls measured and keeps the answer under 0.7 s."""
LIMIT_WINDOW: Final = 0.02
"""Seconds over which the live limiter's gain moves (its look-ahead is twice that): slower than a clip's
limiter (6 ms), so that `+` up to +9 dB over a session made to peak at -1 dBFS tames its peaks gently."""


class Limited:
    """The player's blocks through a look-ahead limiter: nothing the card gets passes -1 dBFS, however loud `+`
    made the session (peaks are turned down smoothly, never cut); what is under the ceiling passes unchanged."""

    def __init__(self, player: Player) -> None:
        self.player = player
        self.limiter = StreamLimiter(PEAK_CEILING, player.rate, LIMIT_WINDOW, true_peak=True)

    def fill(self, frames: int) -> Audio:
        """The next ``frames`` samples, limited (those the player gave ``limiter.delay`` samples ago)."""
        return self.limiter(self.player.fill(frames))


def warm_up_audio() -> threading.Thread:
    """Start loading PortAudio in the background (its start-up scans the devices: ~100 ms we can overlap
    with reading the routine and the clips). Errors surface later, in open_output.

    While it loads, sounddevice points stderr at /dev/null (to hide ALSA's chatter): join the returned
    thread before writing anything to stderr.
    """

    def load() -> None:
        try:
            import sounddevice  # noqa: F401
        except (OSError, ImportError):
            pass

    thread = threading.Thread(target=load, name="voiceguide-audio-init", daemon=True)
    thread.start()
    return thread


@contextlib.contextmanager
def native_stderr_hidden() -> Iterator[None]:
    """While a session plays, send what C libraries write to file descriptor 2 (PortAudio and ALSA print
    their own error lines there) to /dev/null, while Python's ``sys.stderr`` keeps the real stderr."""
    try:
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        yield
        return
    python_stderr = sys.stderr
    try:
        sys.stderr.flush()
        sys.stderr = os.fdopen(os.dup(saved), "w", buffering=1, encoding=python_stderr.encoding, errors="replace")
        os.dup2(devnull, 2)
        yield
    finally:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
        replaced, sys.stderr = sys.stderr, python_stderr
        with contextlib.suppress(OSError, ValueError):
            replaced.close()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def open_output(player: Player, device: str | int | None) -> Any:
    """Start a sounddevice stream that pulls from ``player``; errors become AudioDeviceError."""
    try:
        import sounddevice as sd
    except (OSError, ImportError) as exc:
        raise AudioDeviceError(
            f"PortAudio is not installed ({exc}); install it with: sudo apt-get install libportaudio2 "
            "(or save the session to a file instead: voiceguide export ROUTINE)"
        ) from None

    target = _device(sd, device)
    limited = Limited(player)
    # What the limiter holds back is heard that much later: part of the output's latency (the stream adds its own).
    player.output_latency = limited.limiter.delay / player.rate
    try:
        return _start(sd, limited.fill, player, target, player.rate, player.block)
    except (sd.PortAudioError, ValueError) as exc:
        if "sample rate" not in str(exc).lower():
            raise AudioDeviceError(_explain(str(exc), device)) from None
    # The device refuses the engine's rate: play at its own rate through a streaming resampler.
    rate = int(sd.query_devices(target, kind="output")["default_samplerate"])
    resampled = Resampled(player, rate, limited.fill)
    try:
        return _start(sd, resampled.fill, player, target, rate, round(player.block * rate / player.rate))
    except (sd.PortAudioError, ValueError) as exc:
        raise AudioDeviceError(_explain(str(exc), device)) from None


def _start(sd: Any, fill: Any, player: Player, device: int | None, rate: int, block: int) -> Any:
    def callback(outdata: np.ndarray, frames: int, time: Any, status: Any) -> None:
        player.watch.tick(frames, time.outputBufferDacTime, time.currentTime)
        late = bool(status.output_underflow)
        player.underruns += late
        outdata[:, 0] = block = fill(frames)
        peak = float(np.max(np.abs(block), initial=0.0))
        player.loudest = max(player.loudest, peak)
        player.dropouts.block(time.outputBufferDacTime, frames / rate, peak, late)
        player.watch.filled()

    stream = sd.OutputStream(
        samplerate=rate,
        blocksize=block,
        device=device,
        channels=1,
        dtype="float32",
        callback=callback,
        latency=OUTPUT_LATENCY,
    )
    player.watch.rate = rate
    stream.start()
    return stream


def close_output(stream: Any, *, drain: bool = True) -> None:
    """Stop and close a stream; with drain, first let what is queued at the device play out (the stop's
    fade, the end bell's tail: PortAudio's stop drops it, which cut the last 0.14 s of the bell)."""
    try:
        if drain:
            time.sleep(float(stream.latency) + 0.3)  # and what a busy sound server has not played yet
        stream.stop()
        stream.close()
    except Exception:  # a stream whose device vanished may fail to close; nothing to save there
        pass


class Resampled:
    """The player's blocks at another sample rate (soxr, streaming, high quality), in any block size."""

    def __init__(self, player: Player, rate: int, source: Any = None) -> None:
        import soxr

        self.player, self.rate = player, rate
        self.source = source or player.fill
        """Where the blocks come from (the player's fill, or the limiter's over it)."""
        self._stream = soxr.ResampleStream(player.rate, rate, 1, dtype="float32", quality="HQ")
        self._buffer = np.zeros(0, dtype=np.float32)

    def fill(self, frames: int) -> Audio:
        """The next ``frames`` samples at the output rate."""
        while self._buffer.size < frames:
            chunk = self._stream.resample_chunk(self.source(self.player.block))
            self._buffer = np.concatenate([self._buffer, np.asarray(chunk, dtype=np.float32).reshape(-1)])
        out, self._buffer = self._buffer[:frames], self._buffer[frames:]
        return out


def _device(sd: Any, device: str | int | None) -> int | None:
    if device is None:
        try:
            sd.query_devices(kind="output")
        except (sd.PortAudioError, ValueError) as exc:
            raise AudioDeviceError(_explain(str(exc), None)) from None
        return None
    try:
        index = int(device)
    except ValueError:
        index = None
    try:
        info = sd.query_devices(index if index is not None else device, kind="output")
    except (sd.PortAudioError, ValueError) as exc:
        raise AudioDeviceError(_explain(str(exc), device)) from None
    return int(info["index"])


def _explain(message: str, device: str | int | None) -> str:
    names = ""
    try:
        import sounddevice as sd

        outputs = [f"{d['index']}: {d['name']}" for d in sd.query_devices() if d["max_output_channels"] > 0]
        names = "; output devices: " + ", ".join(outputs) if outputs else "; no output devices were found"
    except Exception:  # listing is only a hint; the message stands without it
        pass
    if device is not None:
        return f"cannot play on device {device!r} ({message}){names}"
    return (
        f"no audio output device ({message}){names}. Check that sound works (`voiceguide check`), "
        "or save the session to a file instead: voiceguide export ROUTINE"
    )


def say_aloud(clip: np.ndarray, rate: int, device: str | int | None = None) -> None:
    """Play one clip on the speakers and return when it has been heard."""
    event = Event(0, clip.size, Kind.SPEECH, text="say", cue="say")
    timeline = Timeline(rate, clip.size, (event,), (), ())
    player = Player(lambda _text: clip, rate, timeline)
    stream = open_output(player, device)
    try:
        player.finished.wait(clip.size / rate + 5)
    finally:
        close_output(stream)

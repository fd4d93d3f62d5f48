"""Spoken commands in a recording: the file is fed to the recognizer exactly as the listener feeds a microphone
(mono, resampled to 16 kHz in 10 ms blocks of the file's own rate, nothing gated because nothing was playing), so
`voiceguide check --mic --recording` and the benchmarks hear what `play --listen` would have heard."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..errors import AudioDeviceError
from .listen import BLOCK_SECONDS
from .recognizer import Decision, Recognizer
from .vad import VAD_RATE

TAIL_SECONDS = 1.0
"""Quiet fed after the end of the file: a microphone goes on delivering quiet, which ends the last utterance."""


@dataclass(frozen=True)
class Heard:
    """One command the listener would have acted on."""

    start: float
    end: float
    """Seconds from the beginning of the recording where the voice began and ended."""
    phrase: str
    """The words heard (one of the command phrases)."""
    command: str
    """The command word it means (pause, resume, next, previous, repeat, louder, softer, quit)."""


def read_mono(path: Path) -> tuple[npt.NDArray[np.float32], int]:
    """A sound file as float32 mono (channels averaged) and its sample rate; one clear error line when unreadable."""
    import soundfile as sf

    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        raise AudioDeviceError(f"cannot read the recording {str(path)!r}: {exc}") from None
    if data.shape[0] == 0:
        raise AudioDeviceError(f"the recording {str(path)!r} has no sound in it")
    return data.mean(axis=1).astype(np.float32), int(rate)


def feed_stream(recognizer: Recognizer, audio: npt.NDArray[np.float32], rate: int) -> list[Decision]:
    """Every decision on ``audio`` at ``rate``, fed the way the listener feeds its input blocks."""
    import soxr

    resampler = soxr.ResampleStream(rate, VAD_RATE, 1, dtype="float32") if rate != VAD_RATE else None
    block = max(1, round(rate * BLOCK_SECONDS))
    tail = np.zeros(round(rate * TAIL_SECONDS), dtype=np.float32)
    padded = np.concatenate([np.asarray(audio, dtype=np.float32).reshape(-1), tail])
    decisions: list[Decision] = []
    for i in range(0, padded.size, block):
        chunk = padded[i : i + block]
        last = i + block >= padded.size
        samples = resampler.resample_chunk(chunk, last=last) if resampler is not None else chunk
        decisions += recognizer.feed(samples)
    return decisions


def hear(audio: npt.NDArray[np.float32], rate: int, recognizer: Recognizer | None = None) -> list[Heard]:
    """The commands the listener would act on in ``audio`` (mono float32 at ``rate``)."""
    rec = recognizer if recognizer is not None else Recognizer()
    return [
        Heard(round(d.start, 2), round(d.end, 2), d.phrase or "", d.command)
        for d in feed_stream(rec, audio, rate)
        if d.command is not None
    ]


def hear_file(path: Path) -> list[Heard]:
    """The commands the listener would act on in the sound file at ``path`` (any rate, mono or stereo)."""
    audio, rate = read_mono(path)
    return hear(audio, rate)

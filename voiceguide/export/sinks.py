"""Encoders that take the session block by block: libsndfile for WAV/FLAC/OGG/MP3/Opus, PyAV for M4B/M4A."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

import numpy as np

from .chapters import Tags

if TYPE_CHECKING:
    from ..audio.types import Audio

SNDFILE: Final[dict[str, tuple[str, str]]] = {
    "wav": ("WAV", "PCM_16"),
    "flac": ("FLAC", "PCM_16"),
    "ogg": ("OGG", "VORBIS"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
    "opus": ("OGG", "OPUS"),
}
OPUS_RATE: Final = 48000
"""Ogg Opus is always 48 kHz; the session (22,050 Hz) is resampled on the way, block by block."""
OPUS_BITRATE: Final = 32000
"""Bits per second for speech in mono: clear at 32 kbit/s (and the many silences cost next to nothing)."""
WRITE_MAX: Final = 65536
"""Most samples handed to libsndfile at once: its Vorbis encoder crashes on long buffers."""


class Sink(Protocol):
    """Takes float32 blocks of the session at its own rate, in order; ``close`` finishes the file."""

    def write(self, block: Audio) -> None: ...

    def close(self) -> None: ...


def open_sink(fmt: str, path: Path, rate: int, tags: Tags) -> Sink:
    """An encoder writing ``fmt`` to ``path``; M4B/M4A take their tags and chapters now, the others after."""
    if fmt in ("m4b", "m4a"):
        from .mp4 import Mp4Sink

        return Mp4Sink(path, fmt, rate, tags)
    return SndfileSink(path, fmt, rate)


def opus_level(bitrate: int) -> float:
    """libsndfile's compression level for an Opus bit rate: it maps level 0..1 to (256..6 kbit/s) per channel."""
    return 1.0 - (bitrate - 6000) / 250000


class SndfileSink:
    """One libsndfile encoder; WAV and FLAC get the very same 16-bit samples, made here."""

    def __init__(self, path: Path, fmt: str, rate: int) -> None:
        import soundfile as sf

        major, subtype = SNDFILE[fmt]
        self._pcm = subtype == "PCM_16"
        self._resampler: Any = None
        options: dict[str, Any] = {}
        if fmt == "opus":
            import soxr

            self._resampler = soxr.ResampleStream(rate, OPUS_RATE, 1, dtype="float32", quality="HQ")
            rate = OPUS_RATE
            options["compression_level"] = opus_level(OPUS_BITRATE)
        self._file = _unsynced(sf)(
            str(path), "w", samplerate=rate, channels=1, format=major, subtype=subtype, **options
        )
        self._silence = np.zeros(WRITE_MAX, dtype=np.int16 if self._pcm else np.float32)
        # Scratch for the 16-bit conversion, reused for every block: fresh temporaries each time
        # cost page faults and left a long export's heap fragmented (its peak memory grew with length).
        self._scaled = np.empty(WRITE_MAX, dtype=np.float32)
        self._pcm16 = np.empty(WRITE_MAX, dtype=np.int16)

    def write(self, block: Audio) -> None:
        """Encode the next samples."""
        if self._resampler is not None:
            block = self._resampler.resample_chunk(block)
        for at in range(0, block.size, WRITE_MAX):
            piece = block[at : at + WRITE_MAX]
            if not piece.any():  # most of a session is quiet: skip the conversion
                self._file.write(self._silence[: piece.size])
            elif self._pcm:  # rounded here, so WAV and FLAC hold the very same samples
                scaled, pcm = self._scaled[: piece.size], self._pcm16[: piece.size]
                np.multiply(piece, np.float32(32767), out=scaled)
                np.rint(scaled, out=scaled)  # what np.round does: halves to even
                np.copyto(pcm, scaled, casting="unsafe")
                self._file.write(pcm)
            else:
                self._file.write(piece)

    def close(self) -> None:
        """Flush the resampler (Opus) and finish the file."""
        try:
            if self._resampler is not None:
                tail = self._resampler.resample_chunk(np.zeros(0, dtype=np.float32), last=True)
                self._resampler = None
                self.write(tail)
        finally:
            self._file.close()


def _unsynced(sf: Any) -> type:
    class Unsynced(sf.SoundFile):  # type: ignore[misc,name-defined]
        """A SoundFile whose close does not fsync (SoundFile.close calls flush, which is sf_write_sync).

        The fsync waited 35 ms (seconds on a busy disk) for durability across a power cut, which the
        rename after it does not have anyway (the folder is not synced); the temporary name and the
        rename are what make an export all-or-nothing (README, Export).
        """

        def flush(self) -> None:
            pass

    return Unsynced

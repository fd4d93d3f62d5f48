"""Encoders that take the session block by block: WAV written here, libsndfile for FLAC/OGG/MP3 (libsndfile.py),
libopus for Opus (opus.py), PyAV's AAC for M4B/M4A (mp4.py)."""

from __future__ import annotations

import errno
import os
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Final, Protocol

import numpy as np

from .chapters import Tags

if TYPE_CHECKING:
    from ..audio.types import Audio

SNDFILE: Final[dict[str, tuple[str, str]]] = {
    "flac": ("FLAC", "PCM_16"),
    "ogg": ("OGG", "VORBIS"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
}
"""The formats libsndfile writes, with soundfile's names for them (voiceguide check asks for these)."""
WRITE_MAX: Final = 65536
"""Most samples handed to libsndfile at once: its Vorbis encoder crashes on long buffers."""
HOLE: Final = 4096
"""Samples of silence (8 KiB) a WAV file holds as a hole rather than as zeros."""
_WAV_HEADER: Final = struct.Struct("<4sI4s4sIHHIIHH4sI")
_WAV_MAX: Final = 0xFFFFFFFF - (_WAV_HEADER.size - 8) - (1 << 20)
"""Most bytes of samples a RIFF file can hold (27 hours at 22,050 Hz), less 1 MiB for the cue and tag chunks
written after them (export/chapters.py)."""


class Sink(Protocol):
    """Takes float32 blocks of the session at its own rate, in order; ``close`` finishes the file."""

    def write(self, block: Audio) -> None: ...

    def close(self) -> None: ...


def open_sink(fmt: str, path: Path, rate: int, tags: Tags) -> Sink:
    """An encoder writing ``fmt`` to ``path``; M4B/M4A take their tags and chapters now, the others after."""
    # Created here first: libsndfile and FFmpeg report a file they cannot create without its errno
    # ("System error."), and the error line's hint depends on it (writer.reported).
    path.open("wb").close()
    if fmt == "wav":
        return WavSink(path, rate)  # no encoding to overlap: writing a WAV costs less than a thread's hand-over
    from .background import Background

    if fmt in ("m4b", "m4a"):
        from .mp4 import Mp4Sink

        return Background(Mp4Sink(path, fmt, rate, tags))
    if fmt == "opus":
        from .opus import OpusSink

        return Background(OpusSink(path, rate))
    return Background(SndfileSink(path, fmt, rate), pcm16=Pcm16() if fmt == "flac" else None)


class Pcm16:
    """16-bit samples from float32 ones, rounded as np.round does (halves to even), in reused buffers.

    WAV and FLAC get the very same samples, made here. The scratch buffers are reused for every block:
    fresh temporaries each time cost page faults and left a long export's heap fragmented (its peak
    memory grew with length).
    """

    def __init__(self) -> None:
        self._scaled = np.empty(WRITE_MAX, dtype=np.float32)
        self._pcm16 = np.empty(WRITE_MAX, dtype=np.int16)

    def __call__(self, piece: Audio, out: np.ndarray | None = None) -> np.ndarray:
        """``piece`` as int16, in ``out`` or else in a buffer the next call overwrites (``piece`` then holds at
        most WRITE_MAX samples)."""
        for at in range(0, piece.size, WRITE_MAX):
            part = piece[at : at + WRITE_MAX]
            scaled = self._scaled[: part.size]
            pcm = self._pcm16[: part.size] if out is None else out[at : at + part.size]
            np.multiply(part, np.float32(32767), out=scaled)
            np.rint(scaled, out=scaled)
            np.copyto(pcm, scaled, casting="unsafe")
        return self._pcm16[: piece.size] if out is None else out


class WavSink:
    """16-bit mono PCM WAV, with a hole in the file wherever the session is silent (a sparse file).

    Most of a session is silence between cues: writing its zeros was most of an export's time (128 MB for
    48 minutes, into the page cache and then the disk). A hole reads back as zeros to every program; the
    file system stores nothing for it where it can (ext4, XFS, Btrfs, tmpfs) and zeros where not.
    """

    def __init__(self, path: Path, rate: int) -> None:
        self._rate = rate
        self._bytes = 0
        self._pcm16 = Pcm16()
        self._file = path.open("wb")  # buffered: a short write (a full disk) is retried or raised, never lost
        self._file.write(self._header())

    def _header(self) -> bytes:
        # RIFF size, then the fmt chunk (PCM, mono, rate, bytes a second, bytes a frame, bits a sample),
        # then the data chunk's size.
        return _WAV_HEADER.pack(
            b"RIFF",
            _WAV_HEADER.size - 8 + self._bytes,
            b"WAVE",
            b"fmt ",
            16,
            1,
            1,
            self._rate,
            2 * self._rate,
            2,
            16,
            b"data",
            self._bytes,
        )

    def write(self, block: Audio) -> None:
        """Write the next samples (silent stretches as holes)."""
        if self._bytes + 2 * block.size > _WAV_MAX:
            raise OSError(errno.EFBIG, "the session is too long for a WAV file (4 GB); export it as FLAC")
        for at in range(0, block.size, WRITE_MAX):
            piece = block[at : at + WRITE_MAX]
            done = 0
            for start, stop in _sounding(piece) if piece.any() else ():
                self._file.seek(2 * (start - done), os.SEEK_CUR)
                self._file.write(memoryview(self._pcm16(piece[start:stop])).cast("B"))
                done = stop
            self._file.seek(2 * (piece.size - done), os.SEEK_CUR)
            self._bytes += 2 * piece.size

    def close(self) -> None:
        """Give the file its full length (it may end in silence) and the header its sizes."""
        try:
            self._file.truncate(_WAV_HEADER.size + self._bytes)
            self._file.seek(0)
            self._file.write(self._header())
        finally:
            self._file.close()


def _sounding(piece: Audio) -> list[tuple[int, int]]:
    """The (start, stop) sample ranges of ``piece`` that hold sound, in whole HOLE-sample stretches."""
    loud = np.ones(-(-piece.size // HOLE), dtype=bool)  # a last, partial stretch is written
    whole = piece.size // HOLE * HOLE
    np.any(piece[:whole].reshape(-1, HOLE), axis=1, out=loud[: whole // HOLE])
    edges = np.flatnonzero(np.diff(np.concatenate(([False], loud, [False])))) * HOLE
    return [(int(a), min(int(b), piece.size)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


class SndfileSink:
    """One libsndfile encoder (FLAC, Ogg Vorbis, MP3)."""

    def __init__(self, path: Path, fmt: str, rate: int) -> None:
        from .libsndfile import Encoder

        self._pcm = fmt == "flac"  # 16-bit samples (Pcm16), the very ones a WAV export holds
        self._file = Encoder(path, fmt, rate)
        self._silence = np.zeros(WRITE_MAX, dtype=np.int16 if self._pcm else np.float32)
        self._pcm16 = Pcm16()

    def write(self, block: Audio | np.ndarray) -> None:
        """Encode the next samples: float32, or 16-bit ones already made by Pcm16 (FLAC only)."""
        for at in range(0, block.size, WRITE_MAX):
            piece = block[at : at + WRITE_MAX]
            if not piece.any():  # most of a session is quiet: skip the conversion
                self._file.write(self._silence[: piece.size])
            elif self._pcm and piece.dtype != np.int16:
                self._file.write(self._pcm16(piece))
            else:
                self._file.write(piece)

    def close(self) -> None:
        """Finish the file."""
        self._file.close()

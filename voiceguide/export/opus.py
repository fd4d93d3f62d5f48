"""Ogg Opus: libopus through PyAV (FFmpeg's libopus wrapper and Ogg muxer), 48 kHz, speech bit rate.

Why not libsndfile's Opus: it cannot set libopus's complexity and, through soundfile's bundled copy, took
70-140 s of CPU for the evening where this takes about half of FFmpeg's own time (README, Export; the
figures are in scripts/bench.py's export-format rows).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

if TYPE_CHECKING:
    from ..audio.types import Audio

OPUS_RATE: Final = 48000
"""Ogg Opus is always 48 kHz; the session (22,050 Hz) is resampled on the way, block by block."""
OPUS_BITRATE: Final = 32000
"""Bits per second for speech in mono: clear at 32 kbit/s (and the many silences cost next to nothing)."""
OPUS_COMPLEXITY: Final = 10
"""libopus's complexity, 0-10 (FFmpeg's default, 10). Measured on the evening's first 8 minutes, PESQ wide
band of the decoded speech against the session's samples (17 windows of 8 s, median): 3.91 at 10, 3.80 at 7,
3.46 at 5, 3.28 at 0; 7 saves only 11 % of the time, so the speech keeps the best."""


class OpusSink:
    """An Ogg Opus file, mono; tags and chapters are added after it is closed (chapters.write_tags)."""

    def __init__(self, path: Path, rate: int) -> None:
        import av
        import soxr

        self._av = av
        self._resampler: Any = soxr.ResampleStream(rate, OPUS_RATE, 1, dtype="float32", quality="HQ")
        self._container: Any = av.open(str(path), "w", format="ogg")
        stream = self._container.add_stream("libopus", rate=OPUS_RATE, layout="mono")
        stream.bit_rate = OPUS_BITRATE
        stream.options = {"compression_level": str(OPUS_COMPLEXITY)}
        self._stream = stream
        self._pos = 0

    def write(self, block: Audio) -> None:
        """Resample and encode the next samples."""
        self._encode(self._resampler.resample_chunk(block))

    def _encode(self, samples: np.ndarray) -> None:
        if not samples.size:
            return
        frame = self._av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = OPUS_RATE
        frame.pts = self._pos
        self._pos += samples.size
        from .mp4 import failed

        try:
            self._container.mux(self._stream.encode(frame))
        except self._av.FFmpegError as exc:
            raise failed(exc) from None

    def close(self) -> None:
        """Flush the resampler and the encoder and finish the file."""
        from .mp4 import failed

        try:
            self._encode(self._resampler.resample_chunk(np.zeros(0, dtype=np.float32), last=True))
            self._container.mux(self._stream.encode(None))
        except self._av.FFmpegError as exc:
            raise failed(exc) from None
        finally:
            self._container.close()

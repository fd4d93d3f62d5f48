"""A user's own sound file as a bed: streamed from disk, resampled with soxr, mono, looped with a crossfade.

Nothing holds the whole file: samples are made in fixed chunks of the output (each resampled from
its own stretch of the file with a margin either side), so any position can be computed alone and
gives the very samples a sequential read gives. The loop's period is the file's length minus the
crossfade; its first ``cross`` samples blend the file's end into its start, with a fade law chosen
from how alike the two ends are, so the level neither dips nor bumps.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from pathlib import Path
from typing import Any, Final

import numpy as np
import soundfile as sf

from ..errors import BedError
from .bedloops import level_scale, tick_samples
from .loudness import k_impulse, k_weighted
from .types import Audio

CROSSFADE: Final = 2.0
"""Seconds over which the file's end blends into its start; a file must be at least this long."""
CHUNK: Final = 0.5
"""Seconds of output resampled at a time."""
MARGIN: Final = 0.03
"""Seconds of file read beyond each side of a chunk, so the resampler's filter sees real neighbours."""
KEPT_BYTES: Final = 4 * 1024 * 1024
"""Resampled chunks kept in memory: a file under ~45 s (at 22050 Hz) is decoded once, a longer one streams."""
LOAD_AHEAD: Final = 1.0
"""Seconds loaded ahead of every request, so a file that fails mid-play leaves samples to fade out on."""


UNREADABLE: Final = (sf.SoundFileError, OSError)
"""What reading a sound file raises when the file is the problem (libsndfile's errors; the system's, e.g. an unplugged
disk; a file cut short under the reader): reported as the bed file's fault. Anything else is a bug and surfaces."""


class FileBed:
    """A bed from a sound file (WAV, FLAC, OGG, MP3: whatever libsndfile reads)."""

    def __init__(self, path: str, rate: int, *, measure_limit: int | None = None) -> None:
        self.name, self.rate = path, rate
        where = Path(path).expanduser()
        if where.is_dir():
            raise BedError(f"bed file {path} is a folder, not a sound file")
        try:
            stat = where.stat()
        except OSError as exc:
            raise BedError(f"bed file {path}: {exc.strerror or exc}") from None
        if stat.st_size == 0:
            raise BedError(f"bed file {path} is empty")
        try:
            self._file: Any = sf.SoundFile(str(where))
        except UNREADABLE as exc:
            raise BedError(f"bed file {path} is not a sound file that can be read ({_why(exc)})") from None
        source, frames = self._file.samplerate, self._file.frames
        if frames <= 0:
            raise BedError(f"bed file {path} has no sound in it")
        self.length = frames * rate // source
        if self.length < round(CROSSFADE * rate):
            raise BedError(
                f"bed file {path} is {frames / source:.2f} s long; a bed must be at least {CROSSFADE:g} s "
                "(the crossfade that hides its loop point)"
            )
        self.key = f"file/v1/{where.resolve()}/{stat.st_size}/{stat.st_mtime_ns}/{rate}"
        self.frames, self.source_rate = frames, source
        common = math.gcd(source, rate)
        self._in_unit, self._out_unit = source // common, rate // common
        self._chunk = self._out_unit * math.ceil(CHUNK * rate / self._out_unit)
        self._margin = 0 if source == rate else self._in_unit * math.ceil(MARGIN * source / self._in_unit)
        self._chunks: OrderedDict[int, np.ndarray] = OrderedDict()
        self._buffer, self._buffer_start = np.zeros(0, dtype=np.float32), 0
        self.cross = min(round(CROSSFADE * rate), self.length // 2)
        self.period = self.length - self.cross
        self.failure: str | None = None
        self.valid_until: int | None = None
        self._scale = 1.0
        self._fade_in, self._fade_out = self._fade_law()
        self.tick = tick_samples(rate)
        self.measured = min(self.period, measure_limit or self.period)
        self.tick_energy, self.peak = self._measure(self.measured)
        self._scale = level_scale(self.tick_energy, self.tick)
        if self._scale == 0.0:
            raise BedError(f"bed file {path} is silent")
        self.tick_energy = self.tick_energy * self._scale**2
        self.peak *= self._scale

    # Reading the file.
    def _source(self, start: int, stop: int) -> np.ndarray:
        """File frames [start, stop) mixed to mono, zeros outside the file; reads on from the last read."""
        lo, hi = max(start, 0), min(stop, self.frames)
        out = np.zeros(stop - start, dtype=np.float32)
        if hi <= lo:
            return out
        end = self._buffer_start + self._buffer.size
        if not self._buffer_start <= lo <= end:
            self._file.seek(lo)
            self._buffer, self._buffer_start, end = np.zeros(0, dtype=np.float32), lo, lo
        if hi > end:
            data = self._file.read(hi - end, dtype="float32", always_2d=True)
            if data.shape[0] < hi - end:
                raise OSError(f"the file ended after {end + data.shape[0]} of its {self.frames} frames")
            self._buffer = np.concatenate([self._buffer, data.mean(axis=1, dtype=np.float32)])
        out[lo - start : hi - start] = self._buffer[lo - self._buffer_start : hi - self._buffer_start]
        keep = lo - self._buffer_start  # nothing before this request is read again in sequence
        self._buffer, self._buffer_start = self._buffer[keep:], lo
        return out

    def _resampled(self, k: int) -> np.ndarray:
        """Output chunk k of the whole file (before the loop), cached."""
        chunk = self._chunks.get(k)
        if chunk is not None:
            self._chunks.move_to_end(k)
            return chunk
        first = k * self._chunk // self._out_unit * self._in_unit
        count = self._chunk // self._out_unit * self._in_unit
        raw = self._source(first - self._margin, first + count + self._margin)
        if self.source_rate == self.rate:
            chunk = raw
        else:
            import soxr

            skip = self._margin // self._in_unit * self._out_unit
            chunk = soxr.resample(raw, self.source_rate, self.rate, quality="HQ")[skip : skip + self._chunk]
        chunk = np.asarray(chunk, dtype=np.float32)
        self._chunks[k] = chunk
        while len(self._chunks) * self._chunk * 4 > KEPT_BYTES:
            self._chunks.popitem(last=False)
        return chunk

    def _file_out(self, start: int, n: int) -> np.ndarray:
        """Resampled file samples [start, start + n), within the file."""
        out = np.empty(n, dtype=np.float32)
        done = 0
        while done < n:
            k, at = divmod(start + done, self._chunk)
            piece = self._resampled(k)[at : at + n - done]
            out[done : done + piece.size] = piece
            done += piece.size
        return out

    # The loop.
    def _fade_law(self) -> tuple[np.ndarray, np.ndarray]:
        """Fade-in and fade-out curves whose blend keeps the level, given how alike the two ends are."""
        head, tail = self._file_out(0, self.cross), self._file_out(self.period, self.cross)
        power = math.sqrt(float(np.dot(head, head)) * float(np.dot(tail, tail)))
        alike = float(np.clip(np.dot(head, tail) / power, -0.5, 1.0)) if power > 0 else 0.0
        theta = np.pi / 2 * (np.arange(self.cross) + 0.5) / self.cross
        norm = 1 / np.sqrt(1 + alike * np.sin(2 * theta))
        return (np.sin(theta) * norm).astype(np.float32), (np.cos(theta) * norm).astype(np.float32)

    def _loop(self, pos: int, n: int) -> np.ndarray:
        out = np.empty(n, dtype=np.float32)
        done = 0
        while done < n:
            q = (pos + done) % self.period
            if q < self.cross:
                m = min(self.cross - q, n - done)
                out[done : done + m] = (
                    self._file_out(q, m) * self._fade_in[q : q + m]
                    + self._file_out(q + self.period, m) * self._fade_out[q : q + m]
                )
            else:
                m = min(self.period - q, n - done)
                out[done : done + m] = self._file_out(q, m)
            done += m
        return out

    def read(self, pos: int, n: int) -> Audio:
        """Samples [pos, pos + n) of the endless bed; after a read error, zeros from where samples ran out."""
        out = np.zeros(n, dtype=np.float32)
        if self.valid_until is not None and pos >= self.valid_until:
            return out
        done = 0
        try:
            while done < n:
                m = min(self._chunk, n - done)
                out[done : done + m] = self._loop(pos + done, m)
                done += m
        except UNREADABLE as exc:  # an unreadable file (unplugged, truncated, corrupt): the bed fades, play goes on
            self._fail(exc, pos + done)
        if self.failure is None:
            # Load LOAD_AHEAD seconds of chunks ahead too, so that an error is met before its samples are needed.
            at = pos + n
            try:
                for at in range(pos + n, pos + n + round(LOAD_AHEAD * self.rate) + self._chunk, self._chunk):
                    self._touch(at)
            except UNREADABLE as exc:
                self._fail(exc, max(pos + n, at - self._chunk))
        if self.valid_until is not None and self.valid_until < pos + n:
            out[max(0, self.valid_until - pos) :] = 0
        return out * np.float32(self._scale)

    def _touch(self, at: int) -> None:
        q = at % self.period
        self._resampled(q // self._chunk)
        if q < self.cross:
            self._resampled((q + self.period) // self._chunk)

    def _fail(self, exc: BaseException, valid_until: int) -> None:
        self.failure = f"the bed file {self.name} could not be read ({_why(exc)}), so the bed was faded out"
        self.valid_until = valid_until

    def _measure(self, count: int) -> tuple[np.ndarray, float]:
        """K-weighted energy per tick and peak of the first ``count`` samples of the loop, streamed."""
        h = k_impulse(self.rate)
        carry = np.zeros(h.size - 1)
        energies: list[np.ndarray] = []
        peak = 0.0
        step = self.tick * max(1, self._chunk // self.tick)
        for pos in range(0, count, step):
            try:
                block = self._loop(pos, min(step, count - pos))
            except UNREADABLE as exc:
                raise BedError(f"bed file {self.name} could not be read ({_why(exc)})") from None
            peak = max(peak, float(np.max(np.abs(block))))
            weighted = k_weighted(block, self.rate)
            weighted[: carry.size] += carry
            carry = weighted[block.size :]
            squared = np.square(weighted[: block.size], dtype=np.float64)
            energies.append(np.add.reduceat(squared, np.arange(0, block.size, self.tick)))
        return np.concatenate(energies), peak


def _why(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__

"""Two FLAC files, the second continuing the first, joined into one stream (its frames renumbered).

A FLAC export encodes its two halves at once, one per core (export/halves.py); each half is a complete FLAC
file whose frames count from 0. Joined, the second half's frames must count on from the first's: each frame
header holds its number (UTF-8-like, 1 to 6 bytes), guarded by a CRC-8, and each frame ends in a CRC-16 over
all of it, so both are worked out again. The first file's STREAMINFO then takes the whole stream's figures.
Its MD5 is set to zero, which the format defines as "not known": an MD5 runs through the samples in order, and
the halves are encoded side by side.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

import numpy as np

from .flaccrc import crc8, crc16, crc16_after_zeros

STREAMINFO_AT: Final = 8
"""Offset of the STREAMINFO block's body: after "fLaC" and the block's own 4-byte header."""
JOIN_STEP: Final = 36864
"""The first half ends on a multiple of this: of every block size libFLAC's levels use (1152, 4096, 4608),
so its last frame is a whole one and the second file's frames follow it without a gap."""


class JoinError(RuntimeError):
    """The second file is not the FLAC stream expected (the caller encodes the session in one piece instead)."""


def coded_number(n: int) -> bytes:
    """A frame number as a FLAC frame header codes it (UTF-8's scheme, up to 31 bits)."""
    if n < 0x80:
        return bytes([n])
    for count, limit in ((2, 1 << 11), (3, 1 << 16), (4, 1 << 21), (5, 1 << 26), (6, 1 << 31)):
        if n < limit:
            tail = [0x80 | (n >> (6 * k) & 0x3F) for k in range(count - 2, -1, -1)]
            return bytes([(0xFF << (8 - count)) & 0xFF | n >> (6 * (count - 1)), *tail])
    raise JoinError(f"frame number {n} is too large")


def _header(data: bytes, at: int) -> tuple[int, int, int] | None:
    """(frame number, bytes of its coding, header length with its CRC-8) of a frame header at ``at``, or None
    when the bytes there are not a valid fixed-block-size frame header."""
    if at + 6 > len(data) or data[at] != 0xFF or data[at + 1] != 0xF8:
        return None
    size_code, rate_code = data[at + 2] >> 4, data[at + 2] & 0x0F
    first = data[at + 4]
    if first < 0x80:
        number, count = first, 1
    else:
        count = 8 - (first ^ 0xFF).bit_length()  # leading ones
        if not 2 <= count <= 6 or at + 4 + count > len(data):
            return None
        number = first & (0x7F >> count)
        for byte in data[at + 5 : at + 4 + count]:
            if byte & 0xC0 != 0x80:
                return None
            number = number << 6 | byte & 0x3F
    end = at + 4 + count + {6: 1, 7: 2}.get(size_code, 0) + {12: 1, 13: 2, 14: 2}.get(rate_code, 0)
    if end >= len(data) or crc8(data[at:end]) != data[end]:
        return None
    return number, count, end + 1 - at


class _Window:
    """A file read forward through a window of its bytes: a long session's second half is never all in memory."""

    CHUNK: Final = 1 << 20

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self._buf = bytearray()
        self._base = 0  # the file offset of _buf[0]
        self.eof = False

    def _more(self) -> bool:
        chunk = self._file.read(self.CHUNK)
        self._buf += chunk
        self.eof = not chunk
        return bool(chunk)

    def bytes(self, start: int, stop: int) -> bytes:
        """File bytes ``start:stop`` (fewer at the end of the file)."""
        while self._base + len(self._buf) < stop and self._more():
            pass
        return bytes(self._buf[start - self._base : stop - self._base])

    def end(self) -> int:
        """The file's length."""
        while self._more():
            pass
        return self._base + len(self._buf)

    def find(self, needle: bytes, start: int) -> int:
        """The first offset from ``start`` where ``needle`` begins, or -1."""
        while True:
            found = self._buf.find(needle, start - self._base)
            if found >= 0:
                return self._base + found
            start = max(start, self._base + len(self._buf) - len(needle) + 1)  # a needle across two chunks
            if not self._more():
                return -1

    def forget(self, before: int) -> None:
        """Bytes before ``before`` will not be asked for again."""
        if before - self._base >= self.CHUNK:
            del self._buf[: before - self._base]
            self._base = before


def _metadata_end(window: _Window) -> int:
    """Where the frames of a FLAC file begin (after "fLaC" and its metadata blocks)."""
    if window.bytes(0, 4) != b"fLaC":
        raise JoinError("not a FLAC file")
    at = 4
    while True:
        head = window.bytes(at, at + 4)
        if len(head) < 4:
            raise JoinError("the metadata runs past the end of the file")
        at += 4 + int.from_bytes(head[1:4], "big")
        if head[0] & 0x80:
            return at


HEADER_MAX: Final = 16
"""Bytes a frame header takes at most (sync and codes 4, number 6, block size 2, rate 2, CRC-8 1)."""


def frames(file: BinaryIO, samples: int, block: int) -> Iterator[tuple[bytes, int, int]]:
    """Each frame of a FLAC file holding ``samples`` samples in frames of ``block``: (its bytes, the byte count
    of its number, its header's length).

    A frame's length is not written anywhere: the next frame begins at the next sync code that opens a valid
    header (its CRC-8) with the next number and, but for the last frame, the same block size and rate byte as
    the first frame. A false one would have to pass all three (about one chance in 2^32 for each sync code
    that turns up in the encoded audio).
    """
    count = -(-samples // block)
    window = _Window(file)
    at = _metadata_end(window)
    found = _header(window.bytes(at, at + HEADER_MAX), 0)
    if found is None or found[0] != 0:
        raise JoinError("the first frame is not where the metadata ends")
    shape = window.bytes(at + 2, at + 3)
    for number in range(count):
        _, digits, length = found
        if number + 1 == count:
            end = window.end()
        else:
            search = at + length
            while True:
                end = window.find(b"\xff\xf8", search)
                if end < 0:
                    raise JoinError(f"frame {number + 1} of {count} is missing")
                head = window.bytes(end, end + HEADER_MAX)
                following = _header(head, 0)
                if following is not None and following[0] == number + 1:
                    if number + 2 == count or head[2:3] == shape:
                        break
                search = end + 1
            found = following
        yield window.bytes(at, end), digits, length
        window.forget(end)
        at = end


@dataclass(frozen=True)
class Continuation:
    """The second file's frames, renumbered to follow the first's, in a file of their own, ready to append."""

    streaminfo: bytes
    """The second file's STREAMINFO body (34 bytes)."""
    frames: Path
    smallest: int
    largest: int
    """Bytes of its smallest and largest frame."""
    samples: int


BATCH: Final = 4096
"""Frames renumbered at a time (their CRC-16s worked out together)."""


def renumbered(second: Path, out: Path, first_samples: int, second_samples: int) -> Continuation:
    """The frames of the FLAC file ``second``, numbered on from a first part of ``first_samples`` samples, written
    to ``out`` (done while the first part is still being encoded). JoinError when it is not the stream expected."""
    with second.open("rb") as source, out.open("wb") as sink:
        head = source.read(STREAMINFO_AT + 34)
        if head[:4] != b"fLaC" or head[4] & 0x7F:
            raise JoinError("the second half is not a FLAC file")
        info = head[STREAMINFO_AT:]
        block = int.from_bytes(info[0:2], "big")
        if not block or block != int.from_bytes(info[2:4], "big") or first_samples % block:
            raise JoinError(f"the first half does not end on a whole frame of {block} samples")
        source.seek(0)
        sizes = [1 << 24, 0]
        batch: list[tuple[bytes, bytes, int]] = []  # (new header, body, CRC-16 change)
        olds: list[bytes] = []
        for number, (frame, digits, length) in enumerate(frames(source, second_samples, block), first_samples // block):
            header = bytearray(frame[:4]) + coded_number(number) + frame[4 + digits : length - 1]
            header.append(crc8(header))
            batch.append((bytes(header), frame[length:-2], crc16(frame[:length]) ^ crc16(header)))
            olds.append(frame[-2:])
            if len(batch) == BATCH:
                _write(sink, batch, olds, sizes)
        _write(sink, batch, olds, sizes)
    return Continuation(bytes(info), out, sizes[0], sizes[1], second_samples)


def _write(sink: BinaryIO, batch: list[tuple[bytes, bytes, int]], olds: list[bytes], sizes: list[int]) -> None:
    """Write renumbered frames with their CRC-16s, and empty the batch.

    A CRC with initial value 0 is linear: CRC(header + body) = CRC(header, then |body| zero bytes) XOR
    CRC(body). So a frame's new CRC-16 is its old one XOR the old and new headers' CRCs, each carried on
    through |body| zero bytes: no pass over the frames' bodies.
    """
    if not batch:
        return
    changes = np.asarray([change for _, _, change in batch], dtype=np.uint16)
    bodies = np.asarray([len(body) for _, body, _ in batch], dtype=np.int64)
    crcs = (np.frombuffer(b"".join(olds), dtype=">u2") ^ crc16_after_zeros(changes, bodies)).astype(">u2").tobytes()
    pieces = []
    for index, (header, body, _) in enumerate(batch):
        pieces += (header, body, crcs[2 * index : 2 * index + 2])
        size = len(header) + len(body) + 2
        sizes[0], sizes[1] = min(sizes[0], size), max(sizes[1], size)
    sink.write(b"".join(pieces))
    batch.clear()
    olds.clear()


def append(first: Path, first_samples: int, rest: Continuation) -> None:
    """Append ``rest`` to the FLAC file ``first`` (``first_samples`` samples) and give its STREAMINFO the whole
    stream's figures. JoinError when the two are not streams of the same kind."""
    with first.open("rb") as file:
        head = file.read(STREAMINFO_AT + 34)
    one, two = head[STREAMINFO_AT:], rest.streaminfo
    if head[:4] != b"fLaC" or head[4] & 0x7F:
        raise JoinError("the first half is not a FLAC file")
    # The same block sizes, rate, channels and sample size.
    if one[0:4] != two[0:4] or one[10:13] != two[10:13] or one[13] >> 4 != two[13] >> 4:
        raise JoinError("the two halves are FLAC streams of different kinds")
    info = bytearray(one)
    low, high = int.from_bytes(info[4:7], "big"), int.from_bytes(info[7:10], "big")
    low = min(low or rest.smallest, rest.smallest)  # 0 is "not known"
    high = max(high, rest.largest)
    info[4:7], info[7:10] = low.to_bytes(3, "big"), high.to_bytes(3, "big")
    total = first_samples + rest.samples
    info[13] = info[13] & 0xF0 | (total >> 32) & 0x0F
    info[14:18] = (total & 0xFFFFFFFF).to_bytes(4, "big")
    info[18:34] = bytes(16)  # the MD5 is not known (see the module's docstring)
    with first.open("r+b") as out, rest.frames.open("rb") as frames_file:
        out.seek(STREAMINFO_AT)
        out.write(info)
        out.seek(0, os.SEEK_END)
        shutil.copyfileobj(frames_file, out, 1 << 20)

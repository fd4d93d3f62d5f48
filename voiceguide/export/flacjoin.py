"""Two FLAC files, the second continuing the first, joined into one stream (its frames renumbered).

A FLAC export encodes its two halves at once, one per core (export/halves.py); each half is a complete FLAC
file whose frames count from 0. Joined, the second half's frames must count on from the first's: each frame
header holds its number (UTF-8-like, 1 to 6 bytes), guarded by a CRC-8, and each frame ends in a CRC-16 over
all of it, so both are worked out again. The first file's STREAMINFO then takes the whole stream's figures.
Its MD5 is set to zero, which the format defines as "not known": an MD5 runs through the samples in order, and
the halves are encoded side by side.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

STREAMINFO_AT: Final = 8
"""Offset of the STREAMINFO block's body: after "fLaC" and the block's own 4-byte header."""
JOIN_STEP: Final = 36864
"""The first half ends on a multiple of this: of every block size libFLAC's levels use (1152, 4096, 4608),
so its last frame is a whole one and the second file's frames follow it without a gap."""


class JoinError(RuntimeError):
    """The second file is not the FLAC stream expected (the caller encodes the session in one piece instead)."""


@functools.cache
def _crc_table(width: int, polynomial: int) -> tuple[int, ...]:
    """What each byte does to a ``width``-bit CRC register (MSB first, as FLAC's CRCs run)."""
    top, mask = 1 << (width - 1), (1 << width) - 1
    table = []
    for byte in range(256):
        crc = byte << (width - 8)
        for _ in range(8):
            crc = ((crc << 1) ^ polynomial) & mask if crc & top else (crc << 1) & mask
        table.append(crc)
    return tuple(table)


def crc8(data: bytes) -> int:
    """FLAC's frame-header CRC-8 (polynomial x^8 + x^2 + x + 1, initial 0)."""
    table, crc = _crc_table(8, 0x07), 0
    for byte in data:
        crc = table[crc ^ byte]
    return crc


def crc16(data: bytes) -> int:
    """FLAC's frame CRC-16 (polynomial x^16 + x^15 + x^2 + 1, initial 0), byte by byte (for short spans)."""
    table, crc = _crc_table(16, 0x8005), 0
    for byte in data:
        crc = (crc << 8) & 0xFFFF ^ table[crc >> 8 ^ byte]
    return crc


@functools.cache
def _shifts() -> tuple[np.ndarray, ...]:
    """For each k, what 2^k zero bytes more turn each CRC-16 value into (a table of all 65536 values)."""
    table = np.asarray(_crc_table(16, 0x8005), dtype=np.uint16)
    value = np.arange(1 << 16, dtype=np.uint32)
    one = ((value << 8) & 0xFFFF ^ table[value >> 8]).astype(np.uint16)  # a zero byte through the register
    shifts = [one]
    for _ in range(31):
        shifts.append(shifts[-1][shifts[-1]])  # twice as many zero bytes: the table applied to itself
    return tuple(shifts)


def crc16_after_zeros(crcs: np.ndarray, zeros: np.ndarray) -> np.ndarray:
    """The CRC-16 each of ``crcs`` becomes once ``zeros`` zero bytes more go through it (vectorized)."""
    out = crcs.astype(np.uint16)
    for k, shift in enumerate(_shifts()):
        move = (zeros >> k) & 1 == 1
        if not move.any() and not (zeros >> k).any():
            break
        out[move] = shift[out[move]]
    return out


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


def _metadata_end(data: bytes) -> int:
    """Where the frames of a FLAC file begin (after "fLaC" and its metadata blocks)."""
    if data[:4] != b"fLaC":
        raise JoinError("not a FLAC file")
    at = 4
    while True:
        if at + 4 > len(data):
            raise JoinError("the metadata runs past the end of the file")
        last, length = data[at] & 0x80, int.from_bytes(data[at + 1 : at + 4], "big")
        at += 4 + length
        if last:
            return at


def frames(data: bytes, samples: int, block: int) -> list[tuple[int, int, int, int]]:
    """(start, end, number's byte count, header length) of each frame of a FLAC file holding ``samples``
    samples in frames of ``block``.

    A frame's length is not written anywhere: the next frame begins at the next sync code that opens a valid
    header (its CRC-8) with the next number and, but for the last frame, the same block size and rate byte as
    the first frame. A false one would have to pass all three (about one chance in 2^32 for each sync code
    that turns up in the encoded audio).
    """
    count = -(-samples // block)
    at = _metadata_end(data)
    found = _header(data, at)
    if found is None or found[0] != 0:
        raise JoinError("the first frame is not where the metadata ends")
    shape = data[at + 2]
    out = []
    for number in range(count):
        _, digits, length = found
        end = len(data)
        if number + 1 < count:
            search = at + length
            while True:
                end = data.find(b"\xff\xf8", search)
                if end < 0:
                    raise JoinError(f"frame {number + 1} of {count} is missing")
                following = _header(data, end)
                if following is not None and following[0] == number + 1:
                    if number + 2 == count or data[end + 2] == shape:
                        break
                search = end + 1
            found = following
        out.append((at, end, digits, length))
        at = end
    return out


@dataclass(frozen=True)
class Continuation:
    """The second file's frames, renumbered to follow ``first_samples`` samples, ready to append."""

    streaminfo: bytes
    """The second file's STREAMINFO body (34 bytes)."""
    frames: bytes
    sizes: tuple[int, ...]
    """Bytes of each frame."""
    samples: int


def renumbered(second: Path, first_samples: int, second_samples: int) -> Continuation:
    """The frames of the FLAC file ``second`` numbered on from a first part of ``first_samples`` samples (done
    while the first part is still being encoded). JoinError when it is not the stream expected."""
    data = second.read_bytes()
    if data[:4] != b"fLaC" or data[4] & 0x7F:
        raise JoinError("the second half is not a FLAC file")
    info = data[STREAMINFO_AT : STREAMINFO_AT + 34]
    block = int.from_bytes(info[0:2], "big")
    if not block or block != int.from_bytes(info[2:4], "big") or first_samples % block:
        raise JoinError(f"the first half does not end on a whole frame of {block} samples")
    spans = frames(data, second_samples, block)
    # A CRC with initial value 0 is linear: CRC(header + body) = CRC(header, then |body| zero bytes) XOR
    # CRC(body). So a frame's new CRC-16 is its old one XOR the old and new headers' CRCs, each carried on
    # through |body| zero bytes: no pass over the 4 MB of the frames' bodies.
    pieces, changes, bodies, olds = [], [], [], []
    for number, (start, end, digits, length) in enumerate(spans, start=first_samples // block):
        old = data[start : start + length]
        header = bytearray(old[:4]) + coded_number(number) + old[4 + digits : length - 1]
        header.append(crc8(header))
        pieces.append(header)
        changes.append(crc16(old) ^ crc16(header))
        bodies.append(end - 2 - start - length)
        olds.append(data[end - 2 : end])
    patch = crc16_after_zeros(np.asarray(changes, dtype=np.uint16), np.asarray(bodies, dtype=np.int64))
    crcs = (np.frombuffer(b"".join(olds), dtype=">u2") ^ patch).astype(">u2").tobytes()
    framed = []
    for index, (start, end, _, length) in enumerate(spans):
        framed += (pieces[index], data[start + length : end - 2], crcs[2 * index : 2 * index + 2])
    sizes = tuple(len(header) + body + 2 for header, body in zip(pieces, bodies, strict=True))
    return Continuation(bytes(info), b"".join(framed), sizes, second_samples)


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
    low = min(low or min(rest.sizes), *rest.sizes)  # 0 is "not known"
    high = max(high, *rest.sizes)
    info[4:7], info[7:10] = low.to_bytes(3, "big"), high.to_bytes(3, "big")
    total = first_samples + rest.samples
    info[13] = info[13] & 0xF0 | (total >> 32) & 0x0F
    info[14:18] = (total & 0xFFFFFFFF).to_bytes(4, "big")
    info[18:34] = bytes(16)  # the MD5 is not known (see the module's docstring)
    with first.open("r+b") as out:
        out.seek(STREAMINFO_AT)
        out.write(info)
        out.seek(0, os.SEEK_END)
        out.write(rest.frames)


def join(first: Path, second: Path, first_samples: int, second_samples: int) -> None:
    """Append the frames of ``second`` (which continues ``first``) to ``first``, renumbered; ``first`` then
    holds the whole stream. Raises JoinError when either file is not what libsndfile's encoder writes."""
    append(first, first_samples, renumbered(second, first_samples, second_samples))

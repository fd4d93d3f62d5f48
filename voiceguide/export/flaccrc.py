"""FLAC's two frame checksums: the header's CRC-8 and the frame's CRC-16, and how a CRC-16 moves on through
zero bytes (what lets flacjoin.py renumber a frame without reading its body again)."""

from __future__ import annotations

import functools

import numpy as np


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

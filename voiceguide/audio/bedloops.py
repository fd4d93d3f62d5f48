"""Generated sound beds (brown, pink, rain, drone) as seamless, deterministic loops, and what every bed source shares.

A generated bed is built in the frequency domain (or from whole cycles) over exactly one loop, so
the loop is periodic by construction: its end runs into its start with no seam to hide.
"""

from __future__ import annotations

import math
import os
import zlib
from collections.abc import Callable
from functools import lru_cache
from typing import Final, Protocol

import numpy as np

from .loudness import HOP_SECONDS, TARGET_LUFS, gated, k_impulse, k_weighted
from .types import Audio

BED_LUFS: Final = TARGET_LUFS
"""Every source's samples are levelled to this loudness; the track then sets the bed under the voice."""
LOOP_SECONDS: Final = 40.0
"""Length of a generated loop: long enough that its repetition is not noticed, ~3.5 MB at 22050 Hz."""
GENERATED: Final = ("brown", "pink", "rain", "drone")
VERSION: Final = "bed-v2"
"""Version of the generators (and of the loudness measure that levels them): part of each loop's cache name
and of the bed key. Change it with them. (v2: K-weighting with a 0.1 s impulse, in float32.)"""
TICKS_PER_HOP: Final = 10


class BedSource(Protocol):
    """Endless mono samples of a bed, levelled to BED_LUFS, for any raw position."""

    name: str
    key: str
    """Names the sound exactly (part of the remembered-gain key)."""
    rate: int
    period: int
    """The samples repeat after this many."""
    peak: float
    """Largest absolute sample that read() returns."""
    tick: int
    tick_energy: np.ndarray
    """K-weighted energy of each tick of the measured samples, in order (the last tick may be shorter)."""
    measured: int
    """Samples from the period's start that tick_energy covers (all of it, unless a long file was cut short)."""
    failure: str | None
    """Why the source stopped giving samples, if it did (a file that became unreadable)."""
    valid_until: int | None
    """With a failure: the first raw position that has no samples."""

    def read(self, pos: int, n: int) -> Audio:
        """Samples [pos, pos + n) of the endless bed (zeros past a failure)."""
        ...


def tick_samples(rate: int) -> int:
    """Samples per energy tick: a tenth of a loudness hop."""
    return max(1, round(HOP_SECONDS * rate) // TICKS_PER_HOP)


def level_scale(tick_energy: np.ndarray, tick: int) -> float:
    """Factor that brings a bed with these tick energies to BED_LUFS (gated like BS.1770)."""
    whole = tick_energy.size // TICKS_PER_HOP * TICKS_PER_HOP
    hops = tick_energy[:whole].reshape(-1, TICKS_PER_HOP).sum(axis=1)
    lufs = gated(hops, tick * TICKS_PER_HOP)
    if not math.isfinite(lufs):
        return 0.0
    return 10 ** ((BED_LUFS - lufs) / 20)


class PeriodicEnergy:
    """K-weighted energy of any raw range of a periodic bed, from its tick energies (vectorized).

    The ticks may cover only the first part of the period (a long file measured as far as a session
    reaches); past them the bed counts at its measured mean.
    """

    def __init__(self, source: BedSource) -> None:
        tick_energy, tick, period = source.tick_energy, source.tick, source.period
        self.energy, self.tick, self.period, self.measured = tick_energy, tick, period, source.measured
        self.cum = np.concatenate(([0.0], np.cumsum(tick_energy)))
        self.widths = np.maximum(1, np.minimum(tick, self.measured - np.arange(tick_energy.size) * tick))
        self.mean = self.cum[-1] / max(1, self.measured)
        self.whole = self.cum[-1] + (period - self.measured) * self.mean

    def upto(self, x: np.ndarray) -> np.ndarray:
        """Energy of raw samples [0, x) for each x."""
        cycles, q = np.divmod(np.asarray(x, dtype=np.int64), self.period)
        inside = np.minimum(q, self.measured)
        i = np.minimum(inside // self.tick, self.energy.size - 1)
        part = (inside - i * self.tick) / self.widths[i]
        within = self.cum[i] + part * self.energy[i] + (q - inside) * self.mean
        return cycles * self.whole + within


def _shaped(rng: np.random.Generator, n: int, rate: int, shape: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Gaussian noise of period n with amplitude spectrum ``shape(f)``, at unit RMS."""
    f = np.arange(n // 2 + 1) * rate / n
    amp = np.zeros(f.size)
    amp[1:] = shape(f[1:])
    spectrum = amp * (rng.standard_normal(f.size) + 1j * rng.standard_normal(f.size))
    noise = np.fft.irfft(spectrum, n)
    return noise / (np.sqrt(np.mean(noise**2)) or 1.0)


def _high(f: np.ndarray, corner: float) -> np.ndarray:
    return (f / corner) ** 2 / (1 + (f / corner) ** 2)


def _low(f: np.ndarray, corner: float) -> np.ndarray:
    return 1 / (1 + (f / corner) ** 2)


def _brown(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    # 1/f amplitude (6 dB per octave down), nothing under ~35 Hz (unheard, yet it would eat headroom).
    return _shaped(rng, n, rate, lambda f: _high(f, 35) * _low(f, 2500) / f)


def _pink(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    return _shaped(rng, n, rate, lambda f: _high(f, 25) * _low(f, 4000) / np.sqrt(f))


def _rain(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    # Soft rain: a hiss band, a little rumble, many small drops, slow swells; kept mellow (little energy
    # above 2 kHz) so that at bed level no sample steps further than a click would.
    hiss = _shaped(rng, n, rate, lambda f: _high(f, 300) * _low(f, 1500) / np.sqrt(f))
    rumble = _shaped(rng, n, rate, lambda f: _high(f, 40) * _low(f, 400) / f)
    # Drops: sparse impulses (placed modulo the loop) through a short, decaying ring.
    count = round(100 * n / rate)
    train = np.zeros(n)
    np.add.at(train, rng.integers(0, n, count), rng.uniform(0.5, 1.0, count) * rng.choice([-1.0, 1.0], count))
    t = np.arange(round(0.015 * rate)) / rate
    ring = np.sin(2 * np.pi * 1000 * t) * np.exp(-t / 0.003) * (1 - np.exp(-t / 0.0005))
    drops = np.fft.irfft(np.fft.rfft(train) * np.fft.rfft(ring, n), n)
    drops /= np.sqrt(np.mean(drops**2)) or 1.0
    # Swells: a slow random level (under 0.2 Hz), 1.5 dB either way (one standard deviation).
    slow = _shaped(rng, n, rate, lambda f: (f < 0.2).astype(float))
    return (hiss + 0.5 * rumble + 0.2 * drops) * 10 ** (1.5 * slow / 20)


_CHORD: Final = ((98.0, 1.0), (146.83, 0.7), (196.0, 0.5), (246.94, 0.35))
"""G2, D3, G3, B3 with their levels: a soft, open major chord."""


def _drone(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    # Every partial and every slow swell completes whole cycles in the loop, so the loop is seamless.
    spectrum = np.zeros(n // 2 + 1, dtype=complex)
    seconds = n / rate
    for root, level in _CHORD:
        lfo = int(rng.integers(1, 4))  # 1 to 3 swells per loop: 13 to 40 s each
        for detune in (0.0, 0.1):  # two voices 0.1 Hz apart beat slowly
            for harmonic in range(1, 5):
                k = round((root * harmonic + detune) * seconds)
                a = level / harmonic**2 * np.exp(1j * (rng.uniform(0, 2 * np.pi) - np.pi / 2))
                # a·(1 + d·sin(mθ + ψ)) at bin k: the carrier plus two side bins m away.
                depth, psi = 0.35, rng.uniform(0, 2 * np.pi)
                spectrum[k] += a
                spectrum[k + lfo] += a * depth / 2j * np.exp(1j * psi)
                spectrum[k - lfo] -= a * depth / 2j * np.exp(-1j * psi)
    return np.fft.irfft(spectrum * n / 2, n)


_MAKERS: Final = {"brown": _brown, "pink": _pink, "rain": _rain, "drone": _drone}


class LoopBed:
    """A generated bed: one precomputed seamless loop, read at any position."""

    def __init__(self, name: str, loop: np.ndarray, tick_energy: np.ndarray, rate: int) -> None:
        self.name, self.rate, self.period = name, rate, loop.size
        self.key = f"{name}/{VERSION}/{rate}"
        self.tick, self.tick_energy, self.measured = tick_samples(rate), tick_energy, loop.size
        self.loop = loop
        self.loop.setflags(write=False)
        self.peak = float(np.max(np.abs(loop)))
        self.failure: str | None = None
        self.valid_until: int | None = None

    def read(self, pos: int, n: int) -> Audio:
        """Samples [pos, pos + n) of the endless loop."""
        start = pos % self.period
        if start + n <= self.period:
            return self.loop[start : start + n]
        index = (start + np.arange(n)) % self.period
        return self.loop[index]


def _fft_size(n: int) -> int:
    """The smallest 2^a 3^b 5^c >= n (fast FFTs: building a loop takes a fraction of the time)."""
    best = 1 << (n - 1).bit_length()
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            p2 = p35 << max(0, (-(-n // p35) - 1).bit_length())
            best = min(best, p2)
            p35 *= 3
        p5 *= 5
    return best


def build_loop(name: str, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """(loop levelled to BED_LUFS as float32, its K-weighted energy per tick) of a generated bed, from scratch."""
    n = _fft_size(round(LOOP_SECONDS * rate))
    loop = _MAKERS[name](np.random.default_rng(zlib.crc32(name.encode())), n, rate)
    # K-weighted circularly: the loop's own end is what comes before its start.
    tail = k_impulse(rate).size - 1
    weighted = k_weighted(np.concatenate([loop[loop.size - tail :], loop]).astype(np.float32), rate)
    squared = np.square(weighted[tail : tail + loop.size], dtype=np.float64)
    energy = np.add.reduceat(squared, np.arange(0, loop.size, tick_samples(rate)))
    scale = level_scale(energy, tick_samples(rate))
    return (loop * scale).astype(np.float32), energy * scale**2


@lru_cache(maxsize=4)
def generated(name: str, rate: int) -> LoopBed:
    """The named generated bed at ``rate``; the same samples every time (seeded by the name).

    Kept in the cache folder beside the clips: building a loop takes a few hundred ms and ~50 MB at
    its peak, reading it back a few ms and its 3.5 MB.
    """
    from ..paths import cache_dir as default_cache_dir

    path = default_cache_dir() / "beds" / f"{name}-{VERSION}-{rate}.npz"
    try:
        with np.load(path) as stored:
            loop, energy = stored["loop"], stored["energy"]
        if loop.dtype == np.float32 and np.isfinite(loop).all() and energy.size == -(-loop.size // tick_samples(rate)):
            return LoopBed(name, loop, energy, rate)
    except (OSError, ValueError, KeyError):
        pass
    loop, energy = build_loop(name, rate)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(part, "wb") as out:
            np.savez(out, loop=loop, energy=energy)
        os.replace(part, path)
    except OSError:
        pass  # only a speed-up
    return LoopBed(name, loop, energy, rate)

"""The sound bed under a session: a bed source set ``level_db`` under the voice, ducked under every spoken cue,
faded in at the start and out with the end bell. Random access for the renderer, an idle bed for the live mixer.

We know every cue's sample in advance, so each dip starts RAMP before the cue and is complete when the
voice begins; tones are not ducked (they are short). The bed's loudness per 100 ms hop is known from
its source's tick energies and the envelope, so the session gain accounts for it without rendering.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

import numpy as np

from ..plan.timeline import Kind, Timeline
from .bedloops import BED_LUFS, GENERATED, BedSource, PeriodicEnergy, generated
from .loudness import HOP_SECONDS, TARGET_LUFS, gain_to, gated, session_energy
from .types import Audio

BEDS: Final = ("none", *GENERATED)
"""The bed names; anything else is a sound file."""
DEFAULT_LEVEL: Final = 20.0
"""dB under the speech between cues."""
DUCK_DB: Final = 8.0
"""Further dB down under every spoken cue (and while paused or interjecting, live)."""
RAMP: Final = 0.25
"""Seconds of each dip and rise: raised-cosine, ending as the cue begins and starting as it ends."""
FADE_IN: Final = 5.0
"""Seconds of the bed's raised-cosine fade-in (under the start bell)."""
FAIL_FADE: Final = 0.3
"""Seconds over which the bed fades out when its file stops being readable."""
IDLE_RAMP: Final = 0.04
"""Seconds for the idle bed to come and go: the live mixer's fade, so the two cross exactly."""
MAX_LIFT_DB: Final = 1.0
"""A bed never lifts the voice by more than this to reach the loudness target (see gain_with_bed)."""


def open_bed(name: str, rate: int, *, measure_limit: int | None = None) -> BedSource | None:
    """The named generated bed, a file's bed (raises BedError naming the file), or None for "none"."""
    if name == "none":
        return None
    if name in GENERATED:
        return generated(name, rate)
    from .bedfile import FileBed

    return FileBed(name, rate, measure_limit=measure_limit)


def speech_level(timeline: Timeline, profile_for: Callable[[str], np.ndarray]) -> float:
    """The voice's own integrated loudness in the session (its cues alone, gated like BS.1770), before the gain.

    Clips are levelled towards TARGET_LUFS, but their limiter leaves them about a dB under it, so the
    bed is placed under what the voice really measures. ``profile_for``: a text's clip's energy profile
    (ClipStore.profile).
    """
    cues = [e for e in timeline.events if e.kind is Kind.SPEECH and e.text]
    if not cues:
        return TARGET_LUFS
    rate = timeline.sample_rate
    # The cues back to back, as if nothing came between them: the voice's level, not the session's.
    starts = np.concatenate(([0], np.cumsum([e.duration for e in cues])))
    placed = [(int(at), e.text) for at, e in zip(starts, cues, strict=False)]
    energy = session_energy(int(starts[-1]), rate, placed, profile_for)
    level = gated(energy, round(HOP_SECONDS * rate))
    return level if math.isfinite(level) else TARGET_LUFS


def _rise(x: np.ndarray) -> np.ndarray:
    """Raised cosine from 0 to 1 as x goes from 0 to 1 (clipped outside)."""
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0.0, 1.0))


class BedTrack:
    """The bed of one timeline, already placed, ducked and faded: ``block(start, n)`` for any start."""

    def __init__(
        self,
        timeline: Timeline,
        source: BedSource,
        level_db: float = DEFAULT_LEVEL,
        *,
        speech_lufs: float = TARGET_LUFS,
        fade_in_from: int = 0,
    ) -> None:
        self.source, self.level_db = source, level_db
        self.gain = 10 ** ((speech_lufs - level_db - BED_LUFS) / 20)
        """Bed gain between cues; speech_lufs is the voice's level before the session gain (see speech_level)."""
        self.duck = 10 ** (-DUCK_DB / 20)
        self.offset = 0
        """Raw bed sample = timeline sample + offset (0 in an export; the live mixer moves it after a hold)."""
        self._idle_on, self._idle_level, self._cursor = False, 0.0, 0
        self._fade_from = fade_in_from
        self.retime(timeline)

    def retime(self, timeline: Timeline) -> None:
        """Follow a new timeline (live: the full plan replacing the pre-roll), keeping the bed's own clock."""
        self.timeline = timeline
        rate = timeline.sample_rate
        self.ramp, self.fade_in = round(RAMP * rate), round(FADE_IN * rate)
        speech = [e for e in timeline.events if e.kind is Kind.SPEECH]
        self._starts = np.array([e.start for e in speech], dtype=np.int64)
        self._ends = np.array([e.end for e in speech], dtype=np.int64)
        reach = np.maximum.accumulate(self._ends) if speech else self._ends
        # Where each dip begins, and how far the dips reach so far (sorted, for searchsorted).
        self._dips, self._reach = self._starts - self.ramp, reach + self.ramp
        bells = [e.start for e in timeline.events if e.kind is Kind.TONE and e.tone == "end"]
        self._fade_out = bells[-1] if bells else None

    @property
    def key(self) -> str:
        """Names the bed's sound in the session (for the remembered gain)."""
        return f"{self.source.key}/{self.level_db:g}/{DUCK_DB:g}/{RAMP:g}/{FADE_IN:g}"

    @property
    def peak(self) -> float:
        """Largest sample of the bed between cues (before the session gain)."""
        return self.source.peak * self.gain

    @property
    def failure(self) -> str | None:
        """Why the bed stopped early (its file became unreadable), for the end-of-session line."""
        return self.source.failure

    # The envelope: level x fades x dips, at sorted timeline samples.
    def _envelope(self, t: np.ndarray) -> np.ndarray:
        g = np.full(t.size, self.gain)
        # Only the stretches that move are computed: cosines over whole blocks would cost more than the rest.
        i0, i1 = np.searchsorted(t, [self._fade_from, self._fade_from + self.fade_in])
        g[:i0] = 0.0
        g[i0:i1] *= _rise((t[i0:i1] - self._fade_from) / self.fade_in)
        if self._fade_out is not None and t[-1] >= self._fade_out:
            i0 = int(np.searchsorted(t, self._fade_out))
            g[i0:] *= 1 - _rise((t[i0:] - self._fade_out + 1) / (self.timeline.length - self._fade_out))
        lo, hi = self._near(int(t[0]), int(t[-1]) + 1)
        if hi > lo:
            depth = np.zeros(t.size)
            r = self.ramp
            for a, b in zip(self._starts[lo:hi], self._ends[lo:hi], strict=True):
                down, full, up, done = np.searchsorted(t, [a - r, a, b, b + r])
                np.maximum(depth[down:full], _rise((t[down:full] - a + r) / r), out=depth[down:full])
                depth[full:up] = 1.0
                np.maximum(depth[up:done], 1 - _rise((t[up:done] - b) / r), out=depth[up:done])
            g *= 1 - (1 - self.duck) * depth
        return g

    def _near(self, start: int, stop: int) -> tuple[int, int]:
        """Index range of the cues whose dips reach into [start, stop)."""
        hi = int(np.searchsorted(self._dips, stop, side="left"))
        lo = int(np.searchsorted(self._reach, start, side="right"))
        return lo, max(lo, hi)

    def _plain(self, start: int, stop: int) -> bool:
        """Whether [start, stop) is all at the between-cues level (no fade, no dip)."""
        if start < self._fade_from + self.fade_in or (self._fade_out is not None and stop > self._fade_out):
            return False
        lo, hi = self._near(start, stop)
        return hi <= lo

    def _failing(self, raw: int, n: int) -> np.ndarray | None:
        until = self.source.valid_until
        if until is None:
            return None
        fade = round(FAIL_FADE * self.timeline.sample_rate)
        return np.clip((until - (raw + np.arange(n))) / fade, 0.0, 1.0).astype(np.float32)

    def block(self, start: int, n: int) -> Audio:
        """Bed samples for timeline samples [start, start + n), ducked and faded (before the session gain)."""
        if n <= 0:
            return np.zeros(0, dtype=np.float32)
        raw = self.source.read(start + self.offset, n)
        if self._plain(start, start + n):
            out = raw * np.float32(self.gain)
        else:
            out = raw * self._envelope(np.arange(start, start + n)).astype(np.float32)
        fail = self._failing(start + self.offset, n)
        return out if fail is None else out * fail

    def idle(self, n: int, active: bool, position: int) -> Audio:
        """Bed samples for the live mixer to add to every output block: the bed at the ducked level while the
        timeline holds (``active``: paused, interjecting, seeking, waiting), silent otherwise.

        ``position`` is the timeline sample the mixer is at before this block. Call it before rendering the
        block: when a hold begins, the idle bed starts on the very samples the (fading) timeline bed plays;
        when it ends, the timeline bed takes up the idle bed's samples. Either way the two cross on one
        waveform, so the bed never jumps, even across seeks.
        """
        if active and not self._idle_on:
            self._cursor = position + self.offset
        elif self._idle_on and not active:
            self.offset = self._cursor - position
        self._idle_on = active
        target = self.gain * self.duck if active else 0.0
        if target == 0.0 and self._idle_level == 0.0:
            return np.zeros(n, dtype=np.float32)
        step = self.gain * self.duck / max(1, round(IDLE_RAMP * self.timeline.sample_rate))
        direction = 1.0 if target > self._idle_level else -1.0
        levels = np.clip(self._idle_level + direction * step * np.arange(1, n + 1), 0.0, self.gain * self.duck)
        levels = np.minimum(levels, target) if direction > 0 else np.maximum(levels, target)
        self._idle_level = float(levels[-1])
        out = self.source.read(self._cursor, n) * levels.astype(np.float32)
        fail = self._failing(self._cursor, n)
        self._cursor += n
        return out if fail is None else out * fail

    # Loudness, for the session gain.
    def hop_energy(self, hop: int, total: int) -> np.ndarray:
        """K-weighted energy of the bed (offset 0) in each of the session's first ``total`` hops of ``hop`` samples."""
        energy = PeriodicEnergy(self.source)
        out = np.empty(total)
        points = 16  # the envelope moves over >= RAMP, so 16 samples of it per 100 ms hop follow it closely
        for first in range(0, total, 4096):  # a few thousand hops at a time: memory stays flat
            h = np.arange(first, min(total, first + 4096), dtype=np.int64)
            raw = energy.upto((h + 1) * hop) - energy.upto(h * hop)
            at = (h[:, None] * hop + ((np.arange(points) + 0.5) * hop / points).astype(np.int64)).ravel()
            env = self._envelope(at).reshape(-1, points)
            out[first : first + h.size] = raw * np.mean(env**2, axis=1)
        return out


def gain_with_bed(track: BedTrack, energy: np.ndarray, hop: int, peak: float, tone_peak: float) -> float:
    """The session gain with the bed: -16 LUFS integrated with the bed counted, no sample over -1 dBFS.

    ``energy`` is the session's K-weighted energy per hop without the bed, ``peak`` its largest clip
    sample, ``tone_peak`` its largest tone sample. The bed counts in the integrated loudness only where
    BS.1770's relative gate keeps it: with sparse speech (a long session, mostly quiet) a bed 20 dB
    under the voice is kept and pulls the integrated loudness down by ~10 dB. Lifting the voice that
    far would make it far louder than the same session without a bed (and clip), so the lift is
    capped at MAX_LIFT_DB: then the file comes out under -16 LUFS instead.
    """
    plain = gain_to(TARGET_LUFS, gated(energy, hop), peak)
    lufs = gated(energy + track.hop_energy(hop, energy.size), hop)
    # Under speech the bed is fully ducked; under tones it is not.
    bound = max(peak + track.peak * track.duck, tone_peak + track.peak, track.peak)
    return min(gain_to(TARGET_LUFS, lufs, bound), plain * 10 ** (MAX_LIFT_DB / 20))

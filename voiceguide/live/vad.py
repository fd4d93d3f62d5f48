"""Voice-activity segmentation: cuts a 16 kHz stream into utterances by energy over an adaptive noise floor."""

from __future__ import annotations

import collections
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

VAD_RATE: Final = 16000
"""Samples per second of everything the recognizer handles."""
FRAME: Final = 160
"""10 ms frames: the decoder's own frame rate."""
SMOOTH: Final = 3
"""Frames averaged for the level."""
FALL: Final = 0.3
"""Per-frame weight of a quieter frame in the noise floor inside an utterance."""
QUIET_FRAMES: Final = 100
"""Frames of quiet (the last second before the utterance) whose median level is the noise floor between
utterances. A floor that sank to the quietest frames (as it did before issue 23) sat 10-15 dB below the peaks of
rumbling phone and laptop noise, which then opened an utterance that never ended and swallowed the command."""
FLOOR_LIMIT: Final = -90.0
"""The floor never goes below this (dBFS): digital silence between clips must not make it slow to recover."""


@dataclass(frozen=True)
class Segment:
    """One utterance: int16 samples with some quiet before and after, and where its voice begins and ends."""

    audio: npt.NDArray[np.int16]
    start: float
    """Seconds since the stream began, at the first voiced frame."""
    end: float
    """Seconds since the stream began, after the last voiced frame."""
    closed: float
    """Seconds since the stream began when the segment was closed (end plus the hangover)."""
    previous: tuple[float, float] | None
    """Where the voice of the utterance before it began and ended (even one too long to keep; not a click)."""
    final: bool = True
    """False for an early look: the quiet after it has lasted ``early`` seconds, not yet the hangover."""

    @property
    def quiet_before(self) -> float:
        """Seconds of quiet before this utterance."""
        return self.start - self.previous[1] if self.previous else self.start


@dataclass(frozen=True)
class VadSettings:
    """Thresholds of the segmenter; the defaults fit spoken commands from about 30 cm to a few metres."""

    onset_db: float = 10.0
    """A frame is voiced when this far above the noise floor..."""
    offset_db: float = 6.0
    """...and an utterance goes on while frames stay this far above it."""
    min_level_db: float = -60.0
    """...and never below this level (dBFS), so a dead-quiet input does not turn hiss into speech."""
    onset_frames: int = 3
    """Voiced frames in a row that start an utterance (a click is shorter)."""
    hangover: float = 0.30
    """Seconds of quiet that end an utterance: longer than the gap in "next point", short for a fast reaction."""
    early: float = 0.24
    """Seconds of quiet after which the utterance is offered for an early look (decoded while the hangover runs
    out, so the decision does not wait for the decoder): the same utterance follows when the hangover ends.
    At 0.18 s the decoder still lacked the trailing quiet it needs for the last sound of some phrases."""
    preroll: float = 0.25
    """Seconds kept before the first voiced frame (soft onsets such as "f" and "s" are below the threshold)."""
    min_length: float = 0.10
    """Shorter utterances are clicks and knocks (a quick "stop" has only about 0.15 s of loud voice)."""
    max_length: float = 2.5
    """Longer utterances are sentences, not commands: dropped without decoding."""
    floor_rise: float = 1.5
    """dB per second the noise floor may rise, so it follows a fan switched on but not a voice."""


class Segmenter:
    """Feeds on int16 samples in any block size; returns each finished utterance once."""

    def __init__(self, settings: VadSettings | None = None) -> None:
        self.s = settings or VadSettings()
        self.samples = 0
        """Samples consumed so far (the stream's clock)."""
        self.floor: float | None = None
        """The noise floor in dBFS; None until the first frame."""
        self.level = -120.0
        """Level of the last frame in dBFS (for a level meter)."""
        self._pending = np.zeros(0, dtype=np.int16)
        self._quiet_levels: collections.deque[float] = collections.deque(maxlen=QUIET_FRAMES)
        self._recent = np.zeros(SMOOTH - 1)  # power of the last frames, for the smoothed level
        self._history: list[npt.NDArray[np.int16]] = []  # frames before an onset (the preroll)
        self._frames: list[npt.NDArray[np.int16]] = []  # frames of the current utterance
        self._run = 0  # voiced frames in a row before an onset
        self._quiet = 0  # quiet frames in a row inside an utterance
        self._voiced_end = 0  # frames of the utterance up to its last voiced frame
        self._start = 0  # stream frame index of the first voiced frame
        self._too_long = False
        self._in_speech = False
        self._previous: tuple[float, float] | None = None  # voice of the previous utterance, in seconds

    def feed(self, samples: npt.NDArray[np.int16]) -> list[Segment]:
        """Consume samples; return the utterances that ended in them."""
        data = np.concatenate([self._pending, np.asarray(samples, dtype=np.int16).reshape(-1)])
        whole = data.size // FRAME * FRAME
        self._pending = data[whole:]
        done: list[Segment] = []
        if whole == 0:
            return done
        frames = data[:whole].reshape(-1, FRAME)
        power = np.mean(frames.astype(np.float64) ** 2, axis=1) / 32768.0**2
        # Level over the last 30 ms: 10 ms frames of noise swing by several dB, which would hold utterances open.
        padded = np.concatenate([self._recent, power])
        self._recent = padded[-(SMOOTH - 1) :]
        smooth = np.convolve(padded, np.full(SMOOTH, 1 / SMOOTH), mode="valid")[-power.size :]
        for frame, db in zip(frames, 10 * np.log10(smooth + 1e-12), strict=True):
            segment = self._step(frame, float(db))
            if segment is not None:
                done.append(segment)
        return done

    def _step(self, frame: npt.NDArray[np.int16], db: float) -> Segment | None:
        s = self.s
        index = self.samples // FRAME
        self.samples += FRAME
        self.level = db
        if self.floor is None:
            self.floor = db
        # Between utterances the floor is the median of the last second of quiet: the middle of the noise's
        # swings, not their bottom. Inside an utterance it falls fast to a quieter frame and may only creep up
        # (a voice is not noise), unless the utterance outlasts any command: then the noise itself got louder
        # and the floor catches up faster.
        if not self._in_speech:
            self._quiet_levels.append(db)
            self.floor = float(np.median(self._quiet_levels))
        elif db < self.floor:
            self.floor += FALL * (db - self.floor)
        else:
            self.floor = min(db, self.floor + s.floor_rise * (10 if self._too_long else 1) * FRAME / VAD_RATE)
        self.floor = max(FLOOR_LIMIT, self.floor)
        voiced = db > max(self.floor + s.onset_db, s.min_level_db)
        if not self._in_speech:
            self._history.append(frame)
            keep = round(s.preroll * VAD_RATE / FRAME) + s.onset_frames
            del self._history[:-keep]
            self._run = self._run + 1 if voiced else 0
            if self._run >= s.onset_frames:
                self._in_speech, self._too_long = True, False
                self._frames = list(self._history)
                self._start = index - s.onset_frames + 1
                self._voiced_end, self._quiet = len(self._frames), 0
                self._history = []
            return None
        self._frames.append(frame)
        going_on = db > max(self.floor + s.offset_db, s.min_level_db)
        if going_on:
            self._voiced_end, self._quiet = len(self._frames), 0
        else:
            self._quiet += 1
        if len(self._frames) * FRAME > (s.max_length + s.preroll + s.hangover) * VAD_RATE:
            self._too_long = True
            self._frames = self._frames[-1:]  # nothing of a sentence is kept
            self._voiced_end = 1
        if self._quiet * FRAME < s.hangover * VAD_RATE:
            if self._quiet == round(s.early * VAD_RATE / FRAME) and not self._too_long:
                voiced_frames = index - self._quiet - self._start + 1
                if voiced_frames * FRAME >= s.min_length * VAD_RATE:
                    start, end = self._start * FRAME / VAD_RATE, (self._start + voiced_frames) * FRAME / VAD_RATE
                    return Segment(
                        np.concatenate(self._frames), start, end, self.samples / VAD_RATE, self._previous, False
                    )
            return None
        self._in_speech, self._run = False, 0
        frames, self._frames = self._frames, []
        voiced_frames = index - self._quiet - self._start + 1
        span = (self._start * FRAME / VAD_RATE, (self._start + voiced_frames) * FRAME / VAD_RATE)
        click = not self._too_long and voiced_frames * FRAME < s.min_length * VAD_RATE
        previous = self._previous
        if not click:
            # A click or a knock is not talk: a command right after one still follows quiet.
            self._previous = span
        if self._too_long or click:
            return None
        return Segment(np.concatenate(frames), span[0], span[1], self.samples / VAD_RATE, previous)

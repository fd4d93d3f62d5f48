"""Live playback: the Player mixes the session block by block (pause, seek, interjections, volume,
fades; no I/O), and open_output connects it to a sounddevice callback stream."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Final

import numpy as np

from ..audio.render import ClipFor, render
from ..audio.types import Audio
from ..plan.timeline import Kind, Timeline
from .dropouts import Dropouts
from .watchdog import CallbackWatch

if TYPE_CHECKING:
    from ..audio.bed import BedTrack

CALLBACK_BLOCK: Final = 1024
"""Samples per callback (46 ms at 22050 Hz): cheap callbacks, and controls that answer at once."""
FADE: Final = 0.04
"""Seconds of fade for pause, resume, skips and interjections: no clicks."""
STOP_FADE: Final = 0.12
"""Seconds of fade when stopping (under the 200 ms a stop may take)."""
VOLUME_STEP: Final = 10 ** (3 / 20)
"""+ and - change the volume by 3 dB."""
MIN_VOLUME: Final = 10 ** (-30 / 20)
MAX_VOLUME: Final = 10 ** (9 / 20)
"""Volume up goes as far as +9 dB: a session is made to peak at -1 dBFS, so the live output's look-ahead
limiter (live/output.py) turns its loudest peaks down rather than let them clip."""


class Player:
    """Turns a timeline into output blocks on demand; every control takes effect at a block boundary."""

    def __init__(
        self,
        speech: ClipFor,
        rate: int,
        timeline: Timeline,
        *,
        gain: float = 1.0,
        final: bool = True,
        start: int = 0,
        block: int = CALLBACK_BLOCK,
        bed: BedTrack | None = None,
    ) -> None:
        self.speech, self.rate, self.block = speech, rate, block
        self.bed = bed
        """The sound bed: in the rendered blocks while the timeline runs, and mixed in quietly while it holds."""
        self._lock = threading.Lock()
        self.timeline = timeline
        self.final = final
        self.gain = gain
        self.position = start
        self._speech_spans = _speech_spans(timeline)
        self._source: Iterator[Audio] = self._render(start)
        self._level = 0.0 if start else 1.0  # a resumed session fades in
        self._slope = 1.0 / max(1, round(FADE * rate))
        self.volume = 1.0
        self._applied_volume = 1.0
        self.paused = False
        self.waiting = False
        """Held at one of the timeline's waits until the listener goes on."""
        self._waited: set[int] = set()
        self.played = 0
        """Samples of the timeline played (pauses, waits, interjections and skipped parts left out)."""
        self.paused_samples = 0
        """Samples of output during which the timeline stood still (pauses, interjections, waiting)."""
        self._seek: int | None = None
        self._interjections: deque[Audio] = deque()
        self._speaking: Audio | None = None
        self._stopping = False
        self.stopped = threading.Event()
        self.finished = threading.Event()
        self.output_latency = 0.0
        """Seconds from a block leaving fill() to it being heard (set once the stream is open)."""
        self.heard_speaking: deque[tuple[float, float]] = deque(maxlen=256)
        """(from, to) ``time.monotonic()`` spans when the program's own voice was coming out: a microphone
        must not take it for a command."""
        self.calls = 0
        """Blocks handed to the device so far: a count that stops moving means the device is gone."""
        self.underruns = 0
        """Callbacks PortAudio flagged as late (for the playback figures: not all of them were heard)."""
        self.loudest = 0.0
        """The loudest sample handed to the device so far (after the output's limiter)."""
        self.dropouts = Dropouts()
        """Gaps the listener could hear (measured by the output stream's callback)."""
        self.samples = 0
        """Samples handed out by fill, at the player's rate (the playback figures compare it with the wall clock)."""
        self.watch = CallbackWatch()
        self.starved = 0
        """Samples of output spent holding at the end of a timeline that was not final (waiting for the plan)."""

    # Controls (any thread).
    def toggle_pause(self) -> bool:
        """Pause or resume (and go on from a wait); returns True if now paused."""
        with self._lock:
            self.paused = not self.paused
            if not self.paused and self.waiting:
                # The next step begins right at the wait: start it at full level, not with a fade.
                self.waiting, self._level = False, 1.0
            return self.paused

    def seek(self, sample: int) -> None:
        """Jump to a timeline sample (fade out, jump, fade in)."""
        with self._lock:
            self._seek = max(0, min(sample, self.timeline.length))

    def interject(self, clip: Audio) -> None:
        """Say a clip while the timeline waits (e.g. the point's location again)."""
        with self._lock:
            self._interjections.append(clip)

    def change_volume(self, up: bool) -> tuple[float, bool]:
        """Raise or lower the volume by 3 dB, from MIN_VOLUME to MAX_VOLUME; returns the new factor and whether
        it stopped at a limit."""
        with self._lock:
            wanted = self.volume * (VOLUME_STEP if up else 1 / VOLUME_STEP)
            self.volume = float(np.clip(wanted, MIN_VOLUME, MAX_VOLUME))
            return self.volume, abs(self.volume - wanted) > 1e-6

    def stop(self) -> None:
        """Fade out and stop; `stopped` is set once the fade is done."""
        with self._lock:
            self._stopping = True
            self._slope = max(self._slope, 1.0 / max(1, round(STOP_FADE * self.rate)))

    def set_timeline(self, timeline: Timeline, gain: float, *, final: bool = True) -> None:
        """Swap in a timeline that begins like the current one (the full plan after the pre-roll, or a longer
        part of it), continuing at the current sample; ``final``: nothing will follow it."""
        with self._lock:
            busy = self.paused or self._stopping or self._seek is not None or self._speaking is not None
            if self._starving() and not (busy or self._interjections):
                # It held only for the plan, at a silent sample (see live/progressive.py): go on at full level.
                self._level = 1.0
            self.timeline, self.gain, self.final = timeline, gain, final
            if self.bed is not None:
                self.bed.retime(timeline)
            self._speech_spans = _speech_spans(timeline)
            self._source = self._render(self.position)

    # The audio side.
    def _render(self, start: int) -> Iterator[Audio]:
        return render(self.timeline, self.speech, start=start, block=self.block, gain=self.gain, bed=self.bed)

    def _starving(self) -> bool:
        # At the end of a timeline that is not the whole session yet.
        return not self.final and self.position >= self.timeline.length

    def _held(self) -> bool:
        waiting = self._starving()
        return (
            self.paused
            or self._stopping
            or self._seek is not None
            or bool(self._interjections)
            or self._speaking is not None
            or waiting
        )

    def _take(self, n: int) -> Audio:
        out = np.zeros(n, dtype=np.float32)
        filled = 0
        while filled < n and self.position < self.timeline.length:
            wait = next((w for w in self.timeline.waits if self.position <= w < self.position + n - filled), None)
            if wait == self.position and wait not in self._waited:
                # Hold here until the listener is ready (space, or "continue"), exactly at the wait.
                self._waited.add(wait)
                self.paused = self.waiting = True
                self._level = 0.0
                break
            block = next(self._source, None)
            if block is None:
                break
            if wait is not None and wait not in self._waited and self.position + block.size > wait:
                block = block[: wait - self.position]
                self._source = self._render(wait)
            out[filled : filled + block.size] = block[: n - filled]
            filled += block.size
            self.position += block.size
            self.played += block.size
        return out

    def fill(self, n: int) -> Audio:
        """The next ``n`` output samples (called from the audio callback)."""
        with self._lock:
            self.calls += 1
            self.samples += n
            if self.stopped.is_set():
                return np.zeros(n, dtype=np.float32)
            held = self._held()
            self.starved += n if self._starving() and not self.paused else 0
            target = 0.0 if held else 1.0
            # The bed goes on quietly while the timeline holds (a paused session is not a dead one).
            idle = self.bed.idle(n, held and not self._stopping, self.position) if self.bed is not None else None
            if held and self._level == 0.0:
                out = np.zeros(n, dtype=np.float32)
                self.paused_samples += n
                self._between_blocks(out)
            else:
                ramp = self._level + (np.arange(1, n + 1) * self._slope * (1 if target > self._level else -1))
                ramp = np.clip(ramp, min(self._level, target), max(self._level, target)).astype(np.float32)
                out = self._take(n) * ramp
                # Reaching a wait holds at once: the timeline is silent there, so no fade is needed.
                self._level = 0.0 if self.waiting and self.paused else float(ramp[-1])
                if held and self._level == 0.0 and not self._stopping and self._seek is None and not out.any():
                    # The fade ends in this block and nothing sounds in it (the usual moment for a spoken command:
                    # the guide is silent then), so an answer ("Paused.") need not wait for the next block: it
                    # begins now. Over sound it waits: the two together would be twice as loud as either.
                    self._speak_into(out)
            if self.final and self.position >= self.timeline.length and not self._speaking:
                self.finished.set()
            if idle is not None:
                out += idle * np.float32(self.gain)
            self._note_speech(n, held)
            volume = np.linspace(self._applied_volume, self.volume, n, dtype=np.float32)
            self._applied_volume = self.volume
            out *= volume  # may pass full scale at +9 dB: the output's limiter brings its peaks down
            return out

    def _note_speech(self, n: int, held: bool) -> None:
        # Whether this block carries the voice (a timeline cue or an interjection), as wall-clock time.
        speaking = self._speaking is not None or (not held and self._speech_in(self.position - n, self.position))
        if not speaking:
            return
        start = time.monotonic() + self.output_latency
        end = start + n / self.rate
        if self.heard_speaking and start - self.heard_speaking[-1][1] < 0.05:
            self.heard_speaking[-1] = (self.heard_speaking[-1][0], end)
        else:
            self.heard_speaking.append((start, end))

    def _speech_in(self, start: int, end: int) -> bool:
        starts, ends = self._speech_spans
        i = int(np.searchsorted(starts, end))  # cues that begin before the block ends
        return bool(i and np.max(ends[:i], initial=0) > start)

    def speaking_between(self, t0: float, t1: float) -> bool:
        """Whether the program's voice was heard at any moment between two ``time.monotonic()`` times."""
        return any(a < t1 and t0 < b for a, b in list(self.heard_speaking))

    def _between_blocks(self, out: Audio) -> None:
        # The timeline is silent here: do what was waiting for the fade-out.
        if self._stopping:
            self.stopped.set()
            return
        if self._seek is not None:
            self.position = self._seek
            self._source = self._render(self.position)
            self._seek = None
            return
        self._speak_into(out)

    def _speak_into(self, out: Audio) -> None:
        # Interjections are said even while paused ("Paused." itself is one), into a silent ``out``.
        if self._speaking is None and self._interjections:
            self._speaking = self._interjections.popleft() * np.float32(self.gain)
        if self._speaking is not None:
            take = min(out.size, self._speaking.size)
            out[:take] = self._speaking[:take]
            self._speaking = self._speaking[take:] if take < self._speaking.size else None


def _speech_spans(timeline: Timeline) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the timeline's spoken cues, sorted by start."""
    speech = [e for e in timeline.events if e.kind is Kind.SPEECH]
    return np.array([e.start for e in speech], dtype=np.int64), np.array([e.end for e in speech], dtype=np.int64)

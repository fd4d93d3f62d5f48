"""Tells a lost audio device from a late one, and writes the session's playback figures to
``$VOICEGUIDE_STATS`` (for scripts/soak.py).

Measured on PulseAudio through ALSA (scripts/vsink.sh; tests/test_watchdog.py): a sound server that
dies ends the PortAudio stream at once (``stream.active`` turns False). A server that hangs, or this
process being starved or frozen, leaves the stream active: its callbacks come late, flagged as an
output underflow, and playback goes on. So an ended stream is a lost device; an active one is waited for.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Final

LATE: Final = 0.5
"""A gap between callbacks longer than this (seconds) is logged as a pause."""
SLOW_FILL: Final = 0.02
"""A callback taking longer than this (seconds; a block lasts 46 ms) is logged."""
MAX_PAUSES: Final = 200
MARK_AT: Final = 20
"""The block from which drift is measured (after the start-up burst that fills the device's queue)."""
QUIET: Final = 0.5
"""Seconds without a callback before PortAudio is asked whether the stream is still running."""
HUNG_SECONDS: Final = 60.0
"""An active stream with no callback for this long (while this process was awake to see it) counts as
lost: a sound server hung for a minute is not coming back by itself."""
AWAKE_STEP: Final = 0.5
"""At most this much of one gap between two checks counts as silence: when the session's loop itself
ran late, the whole process was starved or frozen, and that time says nothing about the device."""


class CallbackWatch:
    """Counts and times the audio callbacks (tick, filled: audio thread) and judges silences (check: the
    session's loop, every fraction of a second)."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self.calls = 0
        self.frames = 0
        """Frames handed to the device, at its rate (set by the stream's opener)."""
        self.rate: int | None = None
        self.first: float | None = None
        self.last: float | None = None
        self.mark: tuple[float, int] | None = None
        """(when heard, frames before) for the MARK_AT-th block: the base for drift."""
        self.heard_at: tuple[float, int] = (0.0, 0)
        """The same for the latest block."""
        self.longest_gap = 0.0
        self.pauses: list[tuple[float, float]] = []
        """(seconds after the first callback, length) of every gap over LATE, for the log."""
        self.longest_fill = 0.0
        """Seconds the slowest callback took to fill its block (time the device waited on us)."""
        self.slow_fills: list[tuple[float, float]] = []
        """(seconds after the first callback, duration) of every fill over SLOW_FILL."""
        self.lag_range = (float("inf"), float("-inf"))
        self.longest_loop_gap = 0.0
        self.loop_pauses: list[tuple[float, float]] = []
        self.silent = 0.0
        """Seconds without a callback that the session's loop saw while awake (reset by every callback)."""
        self.verdict: str | None = None
        self._seen_calls = -1
        self._seen_at: float | None = None

    def tick(self, frames: int, dac_time: float = 0.0, called_at: float | None = None) -> None:
        """One callback (only ever from the one audio thread, so no lock): cheap. dac_time: when PortAudio
        says this block's first frame will be heard; called_at: when PortAudio called back (its clock)."""
        now = self._clock()
        if called_at is not None:
            # Python runs the callback only once it holds the GIL: the spread of this lag is time spent
            # waiting for it (or for this thread to be scheduled), after PortAudio had called.
            lag = now - called_at
            self.lag_range = (min(self.lag_range[0], lag), max(self.lag_range[1], lag))
        if self.last is None:
            self.first = now
        else:
            gap = now - self.last
            self.longest_gap = max(self.longest_gap, gap)
            if gap > LATE and len(self.pauses) < MAX_PAUSES:
                self.pauses.append((round(self.last - (self.first or now), 3), round(gap, 3)))
        self.last = now
        self.calls += 1
        if self.calls == MARK_AT:
            self.mark = (dac_time, self.frames)
        self.heard_at = (dac_time, self.frames)
        self.frames += frames

    def filled(self) -> None:
        """The callback that last ticked has filled its block (audio thread)."""
        took = self._clock() - (self.last or 0.0)
        self.longest_fill = max(self.longest_fill, took)
        if took > SLOW_FILL and len(self.slow_fills) < MAX_PAUSES:
            self.slow_fills.append((round((self.last or 0.0) - (self.first or 0.0), 3), round(took, 4)))

    def check(self, stream: Any) -> str | None:
        """None while the device is there, or may be; why it is gone once it is (also kept in verdict)."""
        now = self._clock()
        gap = 0.0 if self._seen_at is None else now - self._seen_at
        if gap > LATE and len(self.loop_pauses) < MAX_PAUSES:
            self.loop_pauses.append((round((self._seen_at or now) - (self.first or now), 3), round(gap, 3)))
        self.longest_loop_gap = max(self.longest_loop_gap, gap)
        self._seen_at = now
        if self.calls != self._seen_calls:
            self._seen_calls, self.silent = self.calls, 0.0
            return None
        self.silent += min(gap, AWAKE_STEP)
        if self.silent < QUIET:
            return None
        if not _alive(stream):
            self.verdict = "the audio stream ended"
        elif self.silent >= HUNG_SECONDS:
            self.verdict = f"no audio callback for {self.silent:.0f} s"
        return self.verdict


def _alive(stream: Any) -> bool:
    """PortAudio's word: False once the stream's callback thread has ended (device or server gone)."""
    try:
        return bool(stream.active) and not stream.closed
    except Exception:  # a stream that cannot even say whether it is active is not playing
        return False


def drift_ms(watch: CallbackWatch) -> float | None:
    """Milliseconds of audio handed over between the MARK_AT-th block and the latest one, minus the time
    between their playing (PortAudio's DAC times): negative when the device played silence in between
    (underruns), so the session's position fell behind the clock."""
    if watch.mark is None or not watch.rate:
        return None
    (then, before), (now, frames) = watch.mark, watch.heard_at
    return round(1000 * ((frames - before) / watch.rate - (now - then)), 2)


def write_stats(player: Any, reason: str) -> None:
    """Write the playback figures to $VOICEGUIDE_STATS, if set (a JSON object; see scripts/soak.py)."""
    path = os.environ.get("VOICEGUIDE_STATS")
    if not path:
        return
    watch: CallbackWatch = player.watch
    figures = {
        "reason": reason,
        "device_verdict": watch.verdict,
        "underruns": player.underruns,
        "loudest_sample": round(player.loudest, 6),
        "gaps_heard": [round(g, 4) for g in player.dropouts.heard()],
        "callbacks": watch.calls,
        "frames": watch.frames,
        "device_rate": watch.rate or player.rate,
        "sample_rate": player.rate,
        "player_samples": player.samples,
        "position": player.position,
        "paused_samples": player.paused_samples,
        "longest_gap": round(watch.longest_gap, 4),
        "pauses": watch.pauses,
        "longest_fill": round(watch.longest_fill, 4),
        "slow_fills": watch.slow_fills,
        "longest_python_lag": round(watch.lag_range[1] - watch.lag_range[0], 4) if watch.calls else None,
        "longest_loop_gap": round(watch.longest_loop_gap, 4),
        "loop_pauses": watch.loop_pauses,
        "callback_seconds": round((watch.last or 0) - (watch.first or 0), 4),
        "drift_ms": drift_ms(watch),
        "wall_seconds": round(time.monotonic() - (watch.first or time.monotonic()), 4),
        # What was played, so a soak can refuse to compare it with a reference made for another plan.
        "timeline": {
            "samples": player.timeline.length,
            "events": [[e.start, e.kind.value, e.text or e.tone] for e in player.timeline.events],
        },
    }
    Path(path).write_text(json.dumps(figures, indent=1), encoding="utf-8")

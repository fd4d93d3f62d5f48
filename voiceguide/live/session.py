"""A live session: player + output stream + controls + signals, with the position saved when it stops."""

from __future__ import annotations

import math
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from .. import cues
from ..errors import AudioDeviceError
from ..pacing import Pacing, pacing_texts
from ..routine import Routine
from ..session import build_timeline, open_store, plan_key, remembered_gain, session_gain
from ..speech.clips import ClipStore
from ..timeline import TONE_SECONDS, Event, Kind, Phase, Timeline
from . import state
from .display import Status
from .mixer import Player
from .output import open_output

DEFAULT_GAIN: Final = 10 ** (2.5 / 20)
"""Gain for the opening bell when this session was never measured (a typical session needs about +2.5 dB)."""
RESTART_WINDOW: Final = 3.0
"""Within this many seconds of a step's start, `p` goes to the previous step instead of restarting this one."""
STALL_SECONDS: Final = 5.0
"""No audio callback for this long while playing means the device is gone (long enough that a
busy machine stalling the sound server for a moment does not end the session)."""


@dataclass(frozen=True)
class Outcome:
    """How a live session ended."""

    finished: bool
    reason: str
    """finished, quit, interrupted, terminated, hangup, device."""
    position: int
    saved: state.SavedSession | None
    timeline: Timeline | None
    underruns: int


def preroll(rate: int) -> Timeline:
    """What every session begins with: the start bell. Played while the rest is being prepared."""
    length = round(TONE_SECONDS["start"] * rate)
    return Timeline(rate, length, (Event(0, length, Kind.TONE, tone="start", cue="start"),), (), ())


class LiveSession:
    """Plays a routine on the speakers until it ends or is stopped; controls come in as command words."""

    def __init__(
        self,
        routine: Routine,
        routine_ref: str,
        pacing: Pacing,
        *,
        device: str | int | None = None,
        resume: state.SavedSession | None = None,
        store: ClipStore | None = None,
    ) -> None:
        self.routine, self.routine_ref, self.pacing, self.device = routine, routine_ref, pacing, device
        self.resume = resume
        self.store = store or open_store(pacing)
        self.commands: queue.Queue[str] = queue.Queue()
        self.player: Player | None = None
        self.timeline: Timeline | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._stop_reason: str | None = None
        self._gain = DEFAULT_GAIN

    # Preparation.
    def _prepare(self) -> None:
        try:
            timeline = build_timeline(self.routine, self.pacing, self.store)
            gain = session_gain(self.routine, self.pacing, timeline, self.store)
            self.timeline = timeline
            if self.player is not None:
                self.player.set_timeline(timeline, gain)
            self._gain = gain
        except BaseException as exc:  # reported by the main thread
            self._failure = exc
        finally:
            self._ready.set()

    def _start_player(self) -> Player:
        rate = self.store.sample_rate
        if self.resume is None:
            guess = remembered_gain(plan_key(self.routine, self.pacing, self.store), self.store) or DEFAULT_GAIN
            player = Player(self.store.get, rate, preroll(rate), gain=guess, final=False)
            self.player = player
            threading.Thread(target=self._prepare, name="voiceguide-prepare", daemon=True).start()
            return player
        self._prepare()
        self._raise_failure()
        assert self.timeline is not None
        start = state.resume_point(self.timeline, self.resume)
        player = Player(self.store.get, rate, self.timeline, gain=self._gain, start=start)
        player.interject(self.store.get(cues.RESUMING))
        self.player = player
        return player

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    # Controls.
    def _current_step(self, position: int) -> Any:
        steps = self.timeline.steps if self.timeline else ()
        return next((s for s in reversed(steps) if s.start <= position), None)

    def _handle(self, command: str, player: Player) -> str | None:
        """Apply one command; returns a message for the listener's screen, if any."""
        timeline = self.timeline
        if command == "pause":
            return "Paused. Press space to go on." if player.toggle_pause() else "Resumed."
        if command in ("louder", "softer"):
            return f"Volume {20 * math.log10(player.change_volume(command == 'louder')):+.0f} dB"
        if command == "quit":
            self._stop_reason = "quit"
            return None
        if timeline is None:
            return "Still preparing the session…"
        step = self._current_step(player.position)
        if command == "next":
            later = [s for s in timeline.steps if s.start > player.position]
            player.seek(later[0].start if later else (timeline.steps[-1].end if timeline.steps else timeline.length))
            return f"Next: {later[0].name}" if later else "Skipping to the close."
        if command == "previous":
            if step is None:
                player.seek(0)
                return "Back to the start."
            if (player.position - step.start) / timeline.sample_rate > RESTART_WINDOW or step.index == 0:
                player.seek(step.start)
                return f"Restarting {step.name}"
            previous = timeline.steps[step.index - 1]
            player.seek(previous.start)
            return f"Back to {previous.name}"
        if command == "repeat":
            if step is None:
                return None
            texts = [
                e.text for e in timeline.events if e.step == step.index and e.cue in ("name", "location") and e.text
            ]
            pause = np.zeros(round(0.4 * timeline.sample_rate), dtype=np.float32)
            player.interject(np.concatenate([np.concatenate([self.store.get(t), pause]) for t in texts]))
            return f"Repeating where {step.name} is."
        return None

    def status(self, player: Player) -> Status:
        """Where the session is, for the display."""
        timeline = self.timeline or player.timeline
        rate = timeline.sample_rate
        pos = player.position
        step = self._current_step(pos)
        span = next((s for s in timeline.spans if s.start <= pos < s.end), None)
        phase = span.phase.value if span else ("starting" if not self._ready.is_set() else "speaking")
        if span is not None and span.phase is Phase.INTRO:
            phase = "listen"
        length = timeline.length if self._ready.is_set() else 0
        in_step = step is not None and pos < step.end
        return Status(
            step=step.index if in_step else None,
            steps=len(timeline.steps),
            name=step.name if in_step else ("closing" if step else "opening"),
            side=span.side if span and span.side != "together" else None,
            phase=phase,
            step_left=(step.end - pos) / rate if in_step else 0.0,
            session_left=max(0, length - pos) / rate,
            position=pos / rate,
            length=length / rate,
            paused=player.paused,
            volume_db=20 * math.log10(player.volume),
        )

    # The run.
    def run(
        self,
        on_status: Callable[[Status], None],
        on_message: Callable[[str], None],
        keys: queue.Queue[str] | None = None,
    ) -> Outcome:
        """Play until the end, `q`, Ctrl-C, SIGTERM, SIGHUP or a device failure; save the position unless finished."""
        player = self._start_player()
        stream = open_output(player, self.device)
        handlers = self._install_signals()
        reason = "finished"
        try:
            last_calls, last_change = -1, time.monotonic()
            while not player.finished.is_set():
                if self._failure is not None:
                    raise self._failure
                if self._stop_reason:
                    reason = self._stop_reason
                    break
                source = keys if keys is not None else self.commands
                try:
                    command = source.get(timeout=0.2)
                except queue.Empty:
                    command = None
                if command is not None:
                    message = self._handle(command, player)
                    if message:
                        on_message(message)
                    continue
                on_status(self.status(player))
                if player.calls != last_calls:
                    last_calls, last_change = player.calls, time.monotonic()
                elif time.monotonic() - last_change > STALL_SECONDS:
                    reason = "device"
                    break
        except KeyboardInterrupt:
            reason = "interrupted"
        finally:
            self._restore_signals(handlers)
            player.stop()
            player.stopped.wait(0.3)
            try:
                stream.stop()
                stream.close()
            except Exception:  # a stream whose device vanished may fail to close; nothing to save there
                pass
        saved = None
        if reason != "finished" and self.timeline is not None:
            saved = self._save(player.position)
        elif reason == "finished":
            state.clear()
        if reason == "device":
            hint = f"; position saved, resume with: voiceguide play {self.routine_ref} --resume" if saved else ""
            raise AudioDeviceError(f"the audio device stopped responding{hint}")
        return Outcome(reason == "finished", reason, player.position, saved, self.timeline, player.underruns)

    def _save(self, position: int) -> state.SavedSession:
        assert self.timeline is not None
        step, side, offset = state.where(self.timeline, position)
        saved = state.SavedSession(
            routine=self.routine_ref,
            routine_hash=self.routine.digest,
            pacing=pacing_texts(self.pacing),
            step=step,
            side=side,
            offset=offset,
            position=position,
            sample_rate=self.timeline.sample_rate,
            saved_at=time.time(),
        )
        state.save(saved)
        return saved

    def _install_signals(self) -> dict[int, Any]:
        handlers: dict[int, Any] = {}
        if threading.current_thread() is not threading.main_thread():
            return handlers
        for signum, reason in ((signal.SIGTERM, "terminated"), (getattr(signal, "SIGHUP", None), "hangup")):
            if signum is None:
                continue

            def stop(_signum: int, _frame: Any, reason: str = reason) -> None:
                self._stop_reason = reason

            handlers[signum] = signal.signal(signum, stop)
        return handlers

    @staticmethod
    def _restore_signals(handlers: dict[int, Any]) -> None:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)


def check_resume(saved: state.SavedSession, routine: Routine) -> str | None:
    """A warning if the routine changed since the session was saved (None if unchanged)."""
    if saved.routine_hash != routine.digest:
        return (
            f"note: {saved.routine} has changed since this session was saved; "
            "resuming at the same point number, which may now be a different point"
        )
    return None


def say_aloud(clip: np.ndarray, rate: int, device: str | int | None = None) -> None:
    """Play one clip on the speakers and return when it has been heard."""
    event = Event(0, clip.size, Kind.SPEECH, text="say", cue="say")
    tail = round(0.3 * rate)  # let the device drain before the stream closes
    timeline = Timeline(rate, clip.size + tail, (event,), (), ())
    player = Player(lambda _text: clip, rate, timeline)
    stream = open_output(player, device)
    try:
        player.finished.wait(clip.size / rate + 5)
    finally:
        stream.stop()
        stream.close()

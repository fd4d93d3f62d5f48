"""A live session: player + output stream + controls + signals, with the position saved when it stops."""

from __future__ import annotations

import queue
import threading
import time
import warnings
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from ..errors import AudioDeviceError
from ..locks import why
from ..paths import command, state_dir
from ..plan.pacing import Pacing, pacing_texts
from ..plan.steps import session_steps
from ..plan.timeline import Timeline
from ..prepare import (
    bed_track,
    build_timeline,
    open_bed_source,
    open_store,
    plan_key,
    preroll,
    remembered_figure,
    session_gain,
)
from ..routine.library import Routine
from ..speech.clips import ClipStore
from ..tuning import steady_heap
from ..words import catalogue
from . import signals, state
from .controls import Controls
from .display import Status, status_at
from .logbook import Logbook, end_entry
from .mixer import Player
from .output import close_output, open_output
from .progressive import Progressive, cold, when_silent
from .release import release_when_made
from .watchdog import write_stats

if TYPE_CHECKING:
    from ..audio.bed import BedTrack

DEFAULT_GAIN: Final = 10 ** (2.5 / 20)
"""Gain for the opening bell when this session was never measured (a typical session needs about +2.5 dB)."""


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
        mic: str | None = None,
    ) -> None:
        self.routine, self.routine_ref, self.pacing, self.device = routine, routine_ref, pacing, device
        self.resume = resume
        self.store = store or open_store(pacing, pronounce=routine.pronounce, language=routine.language)
        self.store.background = True  # clips are made at a lower priority than the audio callback
        self.commands: queue.Queue[str] = queue.Queue()
        self.player: Player | None = None
        self.timeline: Timeline | None = None
        self.progressive: Progressive | None = None
        """What fed the player a cold session part by part (None when every clip was at hand)."""
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._stop_reason: str | None = None
        self._gain = DEFAULT_GAIN
        self.words = catalogue(routine.language)
        self.controls = Controls(self.store.get, routine.steps, self.words)
        self.mic = mic
        self.lock: Any = None
        """The one-session-at-a-time lock, released by close()."""
        self.listen_lost: str | None = None
        """Why and when listening stopped early, for the end line."""
        self.logbook: Logbook | None = None
        """The session's entry in the practice log (None: not recorded)."""
        # A bad bed file is one clear line before anything plays.
        self._bed_source = open_bed_source(routine, pacing, self.store)
        self.bed: BedTrack | None = None

    # Preparation.
    def _prepare(self) -> None:
        try:
            # A cold cache: play each part of the session as soon as its clips are made (live/progressive.py).
            feed = self.player is not None and cold(self.routine, self.pacing, self.store)
            if feed:
                assert self.player is not None
                self.progressive = Progressive(self.routine, self.pacing, self.store, self.player)
                timeline = self.progressive.run()
            else:
                timeline = build_timeline(self.routine, self.pacing, self.store, live=True)
            bed = self._bed_for(timeline)
            gain = session_gain(self.routine, self.pacing, timeline, self.store, bed)
            self.store.prefetch(self.controls.texts())
            self.timeline = timeline
            if self.player is not None:
                hand = partial(self.player.set_timeline, timeline, gain)
                if feed:  # the gain changes from its guess: where nothing sounds, not in the middle of a word
                    when_silent(self.player, timeline, hand)
                else:
                    hand()
            self._gain = gain
        except BaseException as exc:  # reported by the main thread
            self._failure = exc
        finally:
            self._ready.set()
        if self._failure is None and self.timeline is not None and self.progressive is not None:  # a cold session:
            answers = [*self.controls.texts(self.timeline), self.words.say("resuming")]
            release_when_made(self.store, self.timeline, answers)  # the model goes when every clip is made

    def _start_player(self) -> Player:
        rate = self.store.sample_rate
        if self.resume is None:
            guess = remembered_figure(plan_key(self.routine, self.pacing, self.store), self.store) or DEFAULT_GAIN
            first = preroll(rate)
            if self._bed_source is not None:
                from ..audio.bed import BedTrack

                self.bed = BedTrack(first, self._bed_source, self.pacing.bed_level)  # leveled when the plan is ready
            player = Player(self.store.get, rate, first, gain=guess, final=False, bed=self.bed)
            self.player = player
            threading.Thread(target=self._prepare, name="voiceguide-prepare", daemon=True).start()
            return player
        self._prepare()
        self._raise_failure()
        assert self.timeline is not None
        start = state.resume_point(self.timeline, self.resume)
        if self.bed is not None:
            self.bed = bed_track(self._bed_source, self.pacing, self.timeline, self.store, fade_in_from=start)
        player = Player(self.store.get, rate, self.timeline, gain=self._gain, start=start, bed=self.bed)
        player.interject(self.store.get(self.words.say("resuming")))
        self.player = player
        return player

    def close(self) -> None:
        """Release what the session holds: the clip store (and its engine), the play lock, and the practice log."""
        self.store.close()
        if self.logbook is not None:
            self.logbook.abandon()  # ended already unless the session never played
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def _bed_for(self, timeline: Timeline) -> BedTrack | None:
        # The bed at its level under this timeline's voice; a bed already playing keeps its own clock.
        if self._bed_source is None:
            return None
        track = bed_track(self._bed_source, self.pacing, timeline, self.store)
        if self.bed is None:
            self.bed = track
        else:
            self.bed.gain = track.gain  # the mixer retimes it when it takes the timeline
        return self.bed

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def status(self, player: Player) -> Status:
        """Where the session is, for the display."""
        timeline = self.timeline or player.timeline
        return status_at(
            timeline,
            player.position,
            ready=self._ready.is_set(),
            paused=player.paused,
            volume=player.volume,
            waiting=player.waiting,
            made=self.progressive.made if self.progressive is not None else None,
            steps=len(session_steps(self.routine, self.pacing)),
        )

    # The run.
    def run(
        self,
        on_status: Callable[[Status], None],
        on_message: Callable[[str], None],
        keys: queue.Queue[str] | None = None,
    ) -> state.Outcome:
        """Play until the end, `q`, Ctrl-C, SIGTERM, SIGHUP or a device failure; save the position unless finished."""
        steady_heap()  # before any clip is read: a long session's memory must not grow (tuning.py says why)
        player = self._start_player()
        stream = open_output(player, self.device)
        player.output_latency += float(getattr(stream, "latency", 0.0) or 0.0)
        voice = None
        if self.pacing.listen:
            from .voice import VoiceCommands  # pocketsphinx only for sessions that listen

            # Spoken commands go into the queue the loop waits on, so one wakes it at once (no polling delay).
            voice = VoiceCommands.start(self.mic, player, on_message, keys if keys is not None else self.commands)
            self.controls.listening = voice is not None
        handlers = signals.install(self._stop)
        reason = "finished"
        try:
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
                if command == "quit":
                    self._stop_reason = "quit"  # the stop's fade-out is its answer
                    continue
                if command is not None:
                    reply = self.controls.handle(command, player, self.timeline)
                    if reply is not None:
                        on_message(reply.message)
                    continue
                on_status(self.status(player))
                if self.logbook is not None:
                    self.logbook.follow(player, self.timeline or player.timeline)
                if player.watch.check(stream) is not None:  # the device is gone, not merely late
                    reason = "device"
                    break
        except KeyboardInterrupt:
            reason = "interrupted"
        except BaseException:
            # Whatever failed (a terminal that went away, a bug), the position is saved on the way out.
            self._finish("error" if reason == "finished" else reason, player)
            raise
        finally:
            if voice is not None:
                self.listen_lost = voice.stop()
            signals.restore(handlers)
            player.stop()
            player.stopped.wait(1.0)  # the fade-out is 0.12 s of audio; a busy machine may take longer to make it
            close_output(stream, drain=reason != "device")
        write_stats(player, reason)
        return self._finish(reason, player)

    def _finish(self, reason: str, player: Player) -> state.Outcome:
        log_note, saved = end_entry(self.logbook, reason, player, self.timeline), None
        # Stopped while a cold session is still being made: the part played so far is the session's start.
        played = self.timeline or (player.timeline if self.progressive and self.progressive.handed else None)
        if reason != "finished" and played is not None:
            # Saved where the listener was: the samples still queued for the card were never heard.
            heard = max(0, player.position - round(player.output_latency * player.rate))
            saved = self._save(heard, played)
        elif reason == "finished":
            state.clear()
        if reason == "device":
            hint = f"; position saved, resume with: {command('play', self.routine_ref, '--resume')}" if saved else ""
            raise AudioDeviceError(f"the audio device stopped responding{hint}")
        bed_failure = self.bed.failure if self.bed is not None else None
        return state.Outcome(
            reason == "finished",
            reason,
            player.position,
            saved,
            self.timeline,
            player.dropouts.heard(),
            bed_failure,
            self.listen_lost,
            log_note,
        )

    def _save(self, position: int, timeline: Timeline) -> state.SavedSession | None:
        step, side, offset = state.where(timeline, position)
        saved = state.SavedSession(
            routine=self.routine_ref,
            routine_hash=self.routine.digest,
            pacing=pacing_texts(self.pacing),
            step=step,
            side=side,
            offset=offset,
            position=position,
            sample_rate=timeline.sample_rate,
            saved_at=time.time(),
            log_entry=self.logbook.entry if self.logbook is not None else None,
        )
        try:
            state.save(saved)
        except OSError as exc:  # a read-only or full state folder: say so, and end the session cleanly
            folder = state_dir()
            warnings.warn(f"could not save the position in {folder}: {why(exc, folder)}", stacklevel=2)
            return None
        return saved

    def _stop(self, reason: str) -> None:
        self._stop_reason = reason

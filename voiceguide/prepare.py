"""What play and export both prepare: the clip store, the timeline with real clip lengths, the loudness gain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .plan.events import TONE_SECONDS, Event, Kind
from .plan.pacing import Pacing, pacing_texts
from .plan.timeline import Timeline, estimate_samples, schedule
from .routine.library import Routine

if TYPE_CHECKING:
    from .audio.bed import BedTrack
    from .audio.bedloops import BedSource
    from .audio.render import ClipFor
    from .audio.types import Audio
    from .speech.clips import ClipStore


def open_store(
    pacing: Pacing,
    *,
    cache: bool = True,
    pronounce: Mapping[str, str] | None = None,
    keep_made: bool = True,
    language: str = "en",
) -> ClipStore:
    """A clip store for the pacing's engine, voice and rate (the engine starts only when a clip is missing);
    ``pronounce``: a routine's own respellings, laid over the built-in table of its ``language``;
    ``keep_made``: ClipStore's."""
    from .speech.cache import ClipCache
    from .speech.clips import ClipStore
    from .speech.engine import SESSION_RATE
    from .speech.pronounce import merged
    from .speech.registry import decide

    chosen = decide(pacing.engine, pacing.voice)
    spec = chosen.spec
    voice = spec.canonical(chosen.voice)
    return ClipStore(
        lambda: spec.start(voice),
        spec.identity(voice),
        SESSION_RATE,
        voice=voice,
        rate=pacing.rate,
        cache=ClipCache() if cache else None,
        pronounce=merged(pronounce or {}, language),
        keep_made=keep_made,
    )


def build_timeline(routine: Routine, pacing: Pacing, store: ClipStore, *, live: bool = False) -> Timeline:
    """Schedule with real clip lengths; every clip the plan may need is synthesized ahead, in order, and
    the session's tones are loaded (or drawn) while they are.

    ``live``: the live player's timeline, which waits for a key at ``Timeline.waits`` instead of a fixed gap."""
    wanted: list[str] = []

    def guess(text: str) -> int:
        wanted.append(text)
        return estimate_samples(text, pacing.rate, store.sample_rate)

    guessed = schedule(routine, pacing, guess, store.sample_rate, live=live)
    store.prefetch(wanted)
    load_tones(guessed, store)  # the same tones as the final timeline's (tones do not depend on clip lengths)
    return schedule(routine, pacing, store.measure, store.sample_rate, live=live)


def load_tones(timeline: Timeline, store: ClipStore) -> None:
    """The session's tones from the clip cache, stored there the first time: drawing and levelling them
    anew cost ~20 ms of every run. Keyed by a digest of the code that draws them (audio/tones.py)."""
    if store.cache is None:
        return
    from .audio.tones import keep_tone, tone, tone_code

    rate = timeline.sample_rate
    for name in sorted({e.tone for e in timeline.events if e.kind is Kind.TONE and e.tone}):
        key = hashlib.sha256(f"tone/{name}/{rate}/{tone_code()}".encode()).hexdigest()
        kept = store.cache.get(key, rate)
        if kept is not None:
            keep_tone(name, rate, kept)
        else:
            store.cache.put(key, rate, tone(name, rate))


class Measures:
    """What measuring a session needs of each of its sounds: its energy profile and its peak.

    Spoken clips from the clip store when there is one (it keeps them: a clip it makes is measured as it is
    made, in its worker thread); other sounds worked out from the samples, once each and only what is asked.
    """

    def __init__(self, timeline: Timeline, speech: ClipFor, store: ClipStore | None = None) -> None:
        self.timeline, self.speech, self.store = timeline, speech, store
        self.sounds = {(e.kind, e.text or e.tone): e for e in timeline.events}
        self._profiles: dict[tuple[Kind, str | None], np.ndarray] = {}
        self._peaks: dict[tuple[Kind, str | None], float] = {}

    def _stored(self, key: tuple[Kind, str | None]) -> str | None:
        kind, name = key
        return name if kind is Kind.SPEECH and self.store is not None and name else None

    def _audio(self, key: tuple[Kind, str | None]) -> Audio:
        from .audio.render import event_audio

        return event_audio(self.sounds[key], self.speech, self.timeline.sample_rate)

    def profile(self, key: tuple[Kind, str | None]) -> np.ndarray:
        """The sound's energy profile (audio.loudness.energy_profile)."""
        text = self._stored(key)
        if text:
            return self.store.profile(text)  # type: ignore[union-attr]
        if key not in self._profiles:
            from .audio.loudness import energy_profile

            self._profiles[key] = energy_profile(self._audio(key), self.timeline.sample_rate)
        return self._profiles[key]

    def peak(self, key: tuple[Kind, str | None]) -> float:
        """The sound's loudest sample, before the session gain."""
        text = self._stored(key)
        if text:
            return self.store.peak(text)  # type: ignore[union-attr]
        if key not in self._peaks:
            self._peaks[key] = float(np.max(np.abs(self._audio(key)), initial=0.0))
        return self._peaks[key]


def measure_gain(timeline: Timeline, speech: ClipFor, bed: BedTrack | None = None) -> float:
    """Gain to bring the session to -16 LUFS with no sample over -1 dBFS, measured from its clips (and bed)."""
    return _gain_and_peak(Measures(timeline, speech), bed)[0]


def _gain_and_peak(measures: Measures, bed: BedTrack | None) -> tuple[float, float]:
    # The peak comes with the measures (made with each clip, or from one read of it), and is remembered
    # beside the gain: an export need not read the clips again for it.
    from .audio.loudness import HOP_SECONDS, TARGET_LUFS, gain_to, gated, session_energy

    timeline = measures.timeline
    energy = session_energy(
        timeline.length,
        timeline.sample_rate,
        [(e.start, (e.kind, e.text or e.tone)) for e in timeline.events],
        measures.profile,
    )
    peak = max((measures.peak(key) for key in measures.sounds), default=0.0)
    hop = round(HOP_SECONDS * timeline.sample_rate)
    if bed is None:
        return gain_to(TARGET_LUFS, gated(energy, hop), peak), peak
    from .audio.bed import gain_with_bed

    loudest_tone = max((measures.peak(key) for key in measures.sounds if key[0] is Kind.TONE), default=0.0)
    return gain_with_bed(bed, energy, hop, peak, loudest_tone), peak


def session_peak(timeline: Timeline, speech: ClipFor, store: ClipStore | None = None) -> float:
    """The loudest sample any one sound of the session makes, before the session gain (sounds never overlap)."""
    measures = Measures(timeline, speech, store)
    return max((measures.peak(key) for key in measures.sounds), default=0.0)


def preroll(rate: int) -> Timeline:
    """What every live session begins with: the start bell. Played while the rest is being prepared."""
    length = round(TONE_SECONDS["start"] * rate)
    return Timeline(rate, length, (Event(0, length, Kind.TONE, tone="start", cue="start"),), (), ())


def remembered_peak(timeline: Timeline, store: ClipStore) -> float:
    """session_peak, remembered beside the gain: a warm export then reads each clip once, as it renders it
    (reading them all first cost ~45 ms and ~15 MiB of peak memory)."""
    key = hashlib.sha256(f"{timeline_key(timeline, store)}/peak".encode()).hexdigest()
    peak = remembered_figure(key, store)
    if peak is None:
        peak = session_peak(timeline, store.get, store)
        if store.cache is not None:
            store.cache.put_figure(key, peak)
    return peak


def plan_key(routine: Routine, pacing: Pacing, store: ClipStore) -> str:
    """Names a session's sound before it is scheduled: routine bytes, pacing, voice and engine."""
    blob = json.dumps([routine.digest, pacing_texts(pacing), store.key("")], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def timeline_key(timeline: Timeline, store: ClipStore) -> str:
    """Names a scheduled session's sound exactly: every event's sample and sound, voice, rate and engine."""
    digest = hashlib.sha256(store.key("").encode())
    for e in timeline.events:
        digest.update(f"{e.start}:{e.kind.value}:{e.text or e.tone}\n".encode())
    return digest.hexdigest()


def session_gain(
    routine: Routine, pacing: Pacing, timeline: Timeline, store: ClipStore, bed: BedTrack | None = None
) -> float:
    """The session's loudness gain: remembered from an earlier run of the same timeline (and bed), else measured.

    It is also remembered under the session's plan key, so the next `play` can start its opening
    bell at this level before the timeline exists.
    """
    key = timeline_key(timeline, store)
    if bed is not None:
        key = hashlib.sha256(f"{key}/bed/{bed.key}".encode()).hexdigest()
    gain = remembered_figure(key, store)
    if gain is None:
        gain, peak = _gain_and_peak(Measures(timeline, store.get, store), bed)
        if store.cache is not None:
            store.cache.put_figure(key, gain)
            store.cache.put_figure(hashlib.sha256(f"{timeline_key(timeline, store)}/peak".encode()).hexdigest(), peak)
    if store.cache is not None:
        store.cache.put_figure(plan_key(routine, pacing, store), gain)
    return gain


def remembered_figure(key: str, store: ClipStore) -> float | None:
    """A figure measured for this session before (its gain, peak or voice loudness), if any: playback starts at
    the remembered gain before the session is measured, and a warm export measures nothing."""
    return store.cache.figure(key) if store.cache is not None else None


@dataclass(frozen=True)
class Prepared:
    """A session ready to render: its clips, its timeline and its loudness gain."""

    routine: Routine
    pacing: Pacing
    store: ClipStore
    timeline: Timeline
    gain: float
    bed: BedTrack | None = None
    """The sound bed, if the pacing asks for one (only when measured: `show` does not open it)."""


def open_bed_source(routine: Routine, pacing: Pacing, store: ClipStore) -> BedSource | None:
    """The pacing's bed, opened and checked (a bad file is one BedError naming it), or None for no bed."""
    if pacing.bed == "none":
        return None
    from .audio.bed import open_bed
    from .plan.timeline import estimate

    reach = 2 * estimate(routine, pacing, store.sample_rate).length
    return open_bed(pacing.bed, store.sample_rate, measure_limit=reach)


def bed_track(source: BedSource, pacing: Pacing, timeline: Timeline, store: ClipStore, **kwargs: Any) -> BedTrack:
    """The bed laid under a timeline, at its level under the voice (the voice's level is remembered like gains)."""
    from .audio.bed import BedTrack, speech_level

    key = hashlib.sha256(f"{timeline_key(timeline, store)}/voice".encode()).hexdigest()
    voice = remembered_figure(key, store)
    if voice is None:
        voice = speech_level(timeline, store.profile)
        if store.cache is not None:
            store.cache.put_figure(key, voice)
    return BedTrack(timeline, source, pacing.bed_level, speech_lufs=voice, **kwargs)


@contextmanager
def prepare(routine: Routine, pacing: Pacing, *, measure: bool = True) -> Iterator[Prepared]:
    """Synthesize, schedule and (unless ``measure`` is False) measure a session; closes the store after."""
    store = open_store(
        pacing, pronounce=routine.pronounce, keep_made=False, language=routine.language
    )  # rendered once, start to end
    try:
        source = open_bed_source(routine, pacing, store) if measure else None  # a bad file fails before synthesis
        timeline = build_timeline(routine, pacing, store)
        gain, bed = 1.0, None
        if source is not None:
            bed = bed_track(source, pacing, timeline, store)
        if measure:
            gain = session_gain(routine, pacing, timeline, store, bed)
        yield Prepared(routine, pacing, store, timeline, gain, bed)
    finally:
        store.close()

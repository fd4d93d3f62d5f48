"""What play and export both prepare: the clip store, the timeline with real clip lengths, the loudness gain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .pacing import Pacing, pacing_texts
from .routine import Routine
from .timeline import Timeline, estimate_samples, schedule

if TYPE_CHECKING:
    from .audio.render import ClipFor
    from .speech.clips import ClipStore


def open_store(pacing: Pacing, *, cache: bool = True) -> ClipStore:
    """A clip store for the pacing's engine, voice and rate (the engine starts only when a clip is missing)."""
    from .speech.cache import ClipCache
    from .speech.clips import ClipStore
    from .speech.registry import SESSION_RATE, choose

    spec = choose(pacing.engine, pacing.voice)
    return ClipStore(
        lambda: spec.start(pacing.voice),
        spec.identity(pacing.voice),
        SESSION_RATE,
        voice=pacing.voice,
        rate=pacing.rate,
        cache=ClipCache() if cache else None,
    )


def build_timeline(routine: Routine, pacing: Pacing, store: ClipStore, *, live: bool = False) -> Timeline:
    """Schedule with real clip lengths; every clip the plan may need is synthesized ahead, in order.

    ``live``: the live player's timeline, which waits for a key at ``Timeline.waits`` instead of a fixed gap."""
    wanted: list[str] = []

    def guess(text: str) -> int:
        wanted.append(text)
        return estimate_samples(text, pacing.rate, store.sample_rate)

    schedule(routine, pacing, guess, store.sample_rate, live=live)
    store.prefetch(wanted)
    return schedule(routine, pacing, store.measure, store.sample_rate, live=live)


def measure_gain(timeline: Timeline, speech: ClipFor) -> float:
    """Gain to bring the session to -16 LUFS with no sample over -1 dBFS, measured from its clips."""
    from .audio.loudness import TARGET_LUFS, gain_to, session_loudness
    from .audio.render import event_audio

    sounds = {(e.kind, e.text or e.tone): e for e in timeline.events}
    lufs, peak = session_loudness(
        timeline.length,
        timeline.sample_rate,
        [(e.start, (e.kind, e.text or e.tone)) for e in timeline.events],
        lambda key: event_audio(sounds[key], speech, timeline.sample_rate),
    )
    return gain_to(TARGET_LUFS, lufs, peak)


def session_peak(timeline: Timeline, speech: ClipFor) -> float:
    """The loudest sample any one sound of the session makes, before the session gain (sounds never overlap)."""
    from .audio.render import event_audio

    sounds = {(e.kind, e.text or e.tone): e for e in timeline.events}
    return max(
        (float(np.max(np.abs(event_audio(e, speech, timeline.sample_rate)))) for e in sounds.values()), default=0.0
    )


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


def session_gain(routine: Routine, pacing: Pacing, timeline: Timeline, store: ClipStore) -> float:
    """The session's loudness gain: remembered from an earlier run of the same timeline, else measured.

    It is also remembered under the session's plan key, so the next `play` can start its opening
    bell at this level before the timeline exists.
    """
    key = timeline_key(timeline, store)
    gain = remembered_gain(key, store)
    if gain is None:
        gain = measure_gain(timeline, store.get)
        if store.cache is not None:
            store.cache.put_gain(key, gain)
    if store.cache is not None:
        store.cache.put_gain(plan_key(routine, pacing, store), gain)
    return gain


def remembered_gain(key: str, store: ClipStore) -> float | None:
    """The gain measured for this session before, if any (lets playback start before it is measured)."""
    return store.cache.gain(key) if store.cache is not None else None


@dataclass(frozen=True)
class Prepared:
    """A session ready to render: its clips, its timeline and its loudness gain."""

    routine: Routine
    pacing: Pacing
    store: ClipStore
    timeline: Timeline
    gain: float


@contextmanager
def prepare(routine: Routine, pacing: Pacing, *, measure: bool = True) -> Iterator[Prepared]:
    """Synthesize, schedule and (unless ``measure`` is False) measure a session; closes the store after."""
    store = open_store(pacing)
    try:
        timeline = build_timeline(routine, pacing, store)
        gain = 1.0
        if measure:
            gain = session_gain(routine, pacing, timeline, store)
        yield Prepared(routine, pacing, store, timeline, gain)
    finally:
        store.close()

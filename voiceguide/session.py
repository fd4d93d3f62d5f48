"""From routine and pacing to a timed plan: speech store, timeline, and its JSON and table forms."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .pacing import Pacing, pacing_texts
from .routine import Routine
from .timeline import Kind, Timeline, estimate_samples, schedule

if TYPE_CHECKING:
    from .audio.render import ClipFor
    from .speech.clips import ClipStore


def open_store(pacing: Pacing, *, engine: str | None = None, cache: bool = True) -> ClipStore:
    """A clip store for the pacing's voice and rate, on the real engine unless told otherwise.

    ``engine="standin"`` (or ``VOICEGUIDE_ENGINE=standin``) selects the fast stand-in used by unit tests.
    """
    from .speech.cache import ClipCache
    from .speech.clips import ClipStore

    choice = engine or os.environ.get("VOICEGUIDE_ENGINE", "pyttsx3")
    if choice == "standin":
        from .speech.standin import StandinEngine

        factory, name, rate = StandinEngine, StandinEngine.name, StandinEngine.sample_rate
    else:
        from .speech.pyttsx3_engine import ESPEAK_RATE, Pyttsx3Engine, engine_name

        factory, name, rate = Pyttsx3Engine, engine_name(), ESPEAK_RATE
    return ClipStore(factory, name, rate, voice=pacing.voice, rate=pacing.rate, cache=ClipCache() if cache else None)


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
        remember_gain(key, store, gain)
    remember_gain(plan_key(routine, pacing, store), store, gain)
    return gain


def remembered_gain(key: str, store: ClipStore) -> float | None:
    """The gain measured for this session before, if any (lets playback start before it is measured)."""
    if store.cache is None:
        return None
    try:
        return float((store.cache.folder / "gains" / key).read_text())
    except (OSError, ValueError):
        return None


def remember_gain(key: str, store: ClipStore, gain: float) -> None:
    """Keep a measured gain for the next play of the same session."""
    if store.cache is None:
        return
    folder = store.cache.folder / "gains"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}.tmp"
        tmp.write_text(repr(gain))
        os.replace(tmp, folder / key)
    except OSError:
        pass  # only a speed-up


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


def to_json(routine: Routine, timeline: Timeline, pacing: Pacing | None = None) -> dict[str, Any]:
    """The plan in the shape `voiceguide show --json` prints."""
    rate = timeline.sample_rate

    def sec(samples: int) -> float:
        return round(samples / rate, 6)

    return {
        "routine": routine.name,
        "title": routine.title,
        "sample_rate": rate,
        "duration": sec(timeline.length),
        "samples": timeline.length,
        "waits": [sec(w) for w in timeline.waits],
        "wait_samples": list(timeline.waits),
        **({"speech_rate": pacing.rate, "voice": pacing.voice} if pacing is not None else {}),
        "steps": [
            {
                "index": s.index,
                "point": s.point.code,
                "name": s.name,
                "technique": s.technique.value,
                "sides": s.sides.value,
                "start": sec(s.start),
                "end": sec(s.end),
                "start_sample": s.start,
                "end_sample": s.end,
            }
            for s in timeline.steps
        ],
        "events": [
            {
                "start": sec(e.start),
                "duration": sec(e.duration),
                "kind": e.kind.value,
                **({"text": e.text} if e.kind is Kind.SPEECH else {"tone": e.tone}),
                "step": e.step,
                "side": e.side,
                "cue": e.cue,
                "sample": e.start,
            }
            for e in timeline.events
        ],
    }


def clock(seconds: float) -> str:
    """``h:mm:ss`` or ``m:ss``."""
    whole = int(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def table_rows(timeline: Timeline) -> list[tuple[str, str, str, str]]:
    """(time, step, side, what) for each event, runs of press/release cycles folded into one row."""
    names = {s.index: s.point.code for s in timeline.steps}
    rows: list[tuple[str, str, str, str]] = []
    events = timeline.events
    i = 0
    while i < len(events):
        e = events[i]
        step = names.get(e.step, "") if e.step is not None else ""
        if e.kind is Kind.TONE and e.tone == "press" and i + 1 < len(events) and events[i + 1].tone == "release":
            j, cycles = i, 0
            while (
                j + 1 < len(events)
                and events[j].tone == "press"
                and events[j + 1].tone == "release"
                and events[j].side == e.side
                and events[j].step == e.step
            ):
                cycles += 1
                j += 2
            if cycles > 1:
                press = (events[i + 1].start - e.start) / timeline.sample_rate
                period = (events[i + 2].start - e.start) / timeline.sample_rate
                rows.append(
                    (
                        clock(e.start / timeline.sample_rate),
                        step,
                        e.side or "",
                        f"[{cycles} cycles: press {press:g} s, release {period - press:g} s]",
                    )
                )
                i = j
                continue
        what = f'"{e.text}"' if e.kind is Kind.SPEECH else f"[{e.tone} tone]"
        rows.append((clock(e.start / timeline.sample_rate), step, e.side or "", what))
        i += 1
    return rows

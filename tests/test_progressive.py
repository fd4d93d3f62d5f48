"""Live play from a cold clip cache: the player starts on the part of the session that is ready and gets
the rest as the clips are made (live/prefix.py, live/progressive.py), with a slowed stand-in engine."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import examples
from hypothesis import given, reject, settings
from hypothesis import strategies as st
from strategies import Style, routines, write

from voiceguide.audio.render import render
from voiceguide.errors import PacingError
from voiceguide.live.controls import Controls
from voiceguide.live.mixer import CALLBACK_BLOCK as BLOCK
from voiceguide.live.mixer import Player
from voiceguide.live.prefix import minutes_texts, ready_part, said_minutes
from voiceguide.live.progressive import Progressive, cold, when_silent
from voiceguide.live.session import LiveSession, preroll
from voiceguide.plan.config import effective_pacing
from voiceguide.plan.pacing import Pacing
from voiceguide.plan.timeline import schedule
from voiceguide.prepare import build_timeline
from voiceguide.routine.library import load_routine, parse_routine
from voiceguide.speech.cache import ClipCache
from voiceguide.speech.clips import ClipStore
from voiceguide.speech.standin import StandinEngine

ROUTINES = Path(__file__).parent / "routines"
RATE = 22050


class SlowEngine(StandinEngine):
    """The stand-in engine as slow as a neural voice on a small machine: a model load, then a delay per clip
    (``slower``: longer for some texts); it notes when each clip is done."""

    def __init__(self, load: float, per_clip: float, done: dict[str, float], slower: dict[str, float]) -> None:
        time.sleep(load)
        self.per_clip, self.done, self.slower = per_clip, done, slower

    def synthesize(self, text: str, *, voice: str | None, rate: int, volume: float) -> np.ndarray:
        time.sleep(self.slower.get(text, self.per_clip))
        clip = super().synthesize(text, voice=voice, rate=rate, volume=volume)
        self.done[text] = time.monotonic()
        return clip


def slow_store(
    folder: Path, pacing: Pacing, load: float, per_clip: float, done: dict[str, float], slower: dict | None = None
) -> ClipStore:
    return ClipStore(
        lambda: SlowEngine(load, per_clip, done, slower or {}),
        "standin-1",
        RATE,
        voice=None,
        rate=pacing.rate,
        cache=ClipCache(folder),
    )


def tiny() -> tuple:
    routine = load_routine(str(ROUTINES / "tiny.toml"))
    return routine, effective_pacing(routine, {}, None)[0]


class Listener:
    """Calls the player's fill in real time, as a sound card would, and notes what each block held."""

    def __init__(self, player: Player, seconds: float) -> None:
        self.player, self.seconds = player, seconds
        self.blocks: list[tuple[float, int, int, np.ndarray]] = []  # (time, position before, after, samples)
        self.longest = 0.0
        """Seconds of the slowest fill: a callback that waited for a clip would take as long as making it."""
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Listener:
        self.start = time.monotonic()
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.thread.join()

    def _run(self) -> None:
        count = round(self.seconds * RATE / BLOCK)
        for n in range(count):
            time.sleep(max(0.0, self.start + n * BLOCK / RATE - time.monotonic()))
            before, began = self.player.position, time.monotonic()
            out = self.player.fill(BLOCK)
            self.blocks.append((time.monotonic(), before, self.player.position, out))
            self.longest = max(self.longest, time.monotonic() - began)

    def when(self, sample: int) -> float:
        """Seconds after the start when the playhead passed ``sample``."""
        return next(t - self.start for t, before, after, _ in self.blocks if before <= sample < after)

    def timeline_audio(self) -> np.ndarray:
        """What was played of the timeline, without the silence held while waiting for the plan."""
        for _, before, after, out in self.blocks:
            assert not np.any(out[after - before :]), "a held stretch must be silent"
        return np.concatenate([out[: after - before] for _, before, after, out in self.blocks])


def started(store: ClipStore, routine, pacing) -> tuple[Player, Progressive, threading.Thread]:
    player = Player(store.get, RATE, preroll(RATE), final=False)
    feeder = Progressive(routine, pacing, store, player)
    thread = threading.Thread(target=feeder.run, daemon=True)
    thread.start()
    return player, feeder, thread


def test_the_first_cue_is_made_within_2_5_s_and_plays_on_time_while_later_clips_are_still_made(
    tmp_path: Path,
) -> None:
    routine, pacing = tiny()
    done: dict[str, float] = {}
    store = slow_store(tmp_path, pacing, load=1.1, per_clip=1.0, done=done)  # slower than Piper here (0.3 s a clip)
    assert cold(routine, pacing, store)
    begin = time.monotonic()
    player, feeder, thread = started(store, routine, pacing)
    with Listener(player, 4.5) as listener:
        pass
    thread.join(30)
    final = feeder.handed[-1]
    first = next(e for e in final.events if e.text is not None)
    assert done[first.text] - begin < 2.5
    # The cue is heard where the plan puts it (after the bell), not held back, while clips are still being made.
    assert listener.when(first.start) < first.start / RATE + 0.15
    assert player.starved == 0
    assert listener.longest < 0.05  # the audio callback never waits for the engine (a clip takes 0.5 s here)
    assert sum(1 for t in done.values() if t > begin + first.start / RATE) >= 2
    store.close()


def test_a_slow_clip_makes_the_player_hold_in_silence_only_until_it_is_made(tmp_path: Path) -> None:
    routine, pacing = tiny()
    done: dict[str, float] = {}
    # The second cue (due 5.4 s in) takes 6 s to make: the player must hold there, and only until it is made.
    store = slow_store(tmp_path, pacing, load=0.3, per_clip=0.2, done=done, slower={"Press tone.": 6.0})
    player, _, _ = started(store, routine, pacing)
    with Listener(player, 7.5) as listener:
        pass
    player.stop()
    whole = build_timeline(routine, pacing, store, live=True)  # the clips are made by now
    held = [(at, before) for at, before, after, _ in listener.blocks if before == after]
    assert held and all(before == whole.events[2].start for _, before in held)  # at "Press tone." only
    assert done["Press tone."] - listener.start > held[0][0] - listener.start  # it was missing when the hold began
    assert held[-1][0] - done["Press tone."] < BLOCK / RATE + 0.1  # and it ended as soon as the clip was made
    assert listener.longest < 0.05  # holding is silence handed out at once, not a callback waiting for the engine
    # What was played is the plan itself, sample for sample, with silence only where a clip was missing.
    played = listener.timeline_audio()
    plan = np.concatenate(list(render(whole, store.get)))
    assert played.size > whole.events[2].end and np.array_equal(played, plan[: played.size])
    store.close()


def test_the_last_part_handed_is_the_timeline_show_and_export_lay_out(tmp_path: Path) -> None:
    routine = load_routine(str(ROUTINES / "short.toml"))
    pacing = effective_pacing(routine, {}, None)[0]
    store = slow_store(tmp_path, pacing, load=0.2, per_clip=0.05, done={})
    player, feeder, thread = started(store, routine, pacing)
    thread.join(60)
    assert feeder.exact  # every other clip was made before its length sentence was due
    assert feeder.handed[-1] == build_timeline(routine, pacing, store, live=True)
    assert player.final and player.timeline == feeder.handed[-1]
    lengths = [t.length for t in feeder.handed]
    assert lengths == sorted(lengths) and len(lengths) > 2
    for part in feeder.handed:  # each begins like the whole session
        assert part.events == tuple(e for e in feeder.handed[-1].events if e.start < part.length)
    store.close()


def test_a_warm_cache_plays_as_before_and_never_starts_the_engine(tmp_path: Path) -> None:
    routine, pacing = tiny()
    store = slow_store(tmp_path, pacing, load=0.0, per_clip=0.0, done={})
    expected = build_timeline(routine, pacing, store, live=True)
    for text in Controls(store.get, routine.steps).texts():  # a session played before made the answers too
        store.get(text)
    store.close()
    started_engines: list[int] = []

    def factory() -> StandinEngine:
        started_engines.append(1)
        return StandinEngine()

    warm = ClipStore(factory, "standin-1", RATE, voice=None, rate=pacing.rate, cache=ClipCache(tmp_path))
    assert not cold(routine, pacing, warm)
    live = LiveSession(routine, "tiny", pacing, store=warm)
    player = live._start_player()
    assert live._ready.wait(10)
    assert live.progressive is None and live.timeline == expected and player.timeline == expected
    assert started_engines == []
    warm.close()


@pytest.mark.parametrize(("engine_speed", "bed"), [(0.0, "none"), (0.05, "none"), (0.05, "brown")])
def test_a_cold_live_session_ends_on_the_whole_plan_at_its_measured_gain(
    tmp_path: Path, engine_speed: float, bed: str
) -> None:
    routine, pacing = tiny()
    pacing = replace(pacing, bed=bed)
    store = slow_store(tmp_path, pacing, load=0.0, per_clip=engine_speed, done={})
    live = LiveSession(routine, "tiny", pacing, store=store)
    player = live._start_player()
    end = time.monotonic() + 20
    while not live._ready.is_set() and time.monotonic() < end:  # a sound card faster than time
        player.fill(BLOCK)
        time.sleep(0.002)
    assert live._failure is None
    assert live.progressive is not None and live.progressive.handed[-1] == live.timeline
    assert not live.progressive.exact  # tiny says its length first: the figure comes from guesses (they agree)
    assert live.timeline == build_timeline(routine, pacing, store, live=True)
    assert player.timeline == live.timeline and player.final and player.gain == live._gain
    if bed != "none":
        assert live.bed is not None and live.bed.timeline == live.timeline
    store.close()


def test_the_measured_gain_comes_in_where_nothing_sounds_not_in_the_middle_of_the_bell(tmp_path: Path) -> None:
    routine, pacing = tiny()
    store = slow_store(tmp_path, pacing, load=0.0, per_clip=0.0, done={})
    whole = build_timeline(routine, pacing, store, live=True)
    player = Player(store.get, RATE, whole)
    done = threading.Event()
    waiting = threading.Thread(target=when_silent, args=(player, whole, done.set))
    waiting.start()
    time.sleep(0.2)
    assert not done.is_set()  # the bell is sounding at sample 0
    while player.position < whole.events[0].end + RATE // 20:
        player.fill(BLOCK)
    waiting.join(2)
    assert done.is_set()
    store.close()


# The pure part: whatever clips are made, the ready part is the start of the whole session.
def length_of(text: str) -> int:
    return (len(text) * 397) % 40000 + 3000


@settings(max_examples=examples(60))
@given(doc=routines(), style=st.just(Style("table", False, False, "")), data=st.data())
def test_the_ready_part_is_always_the_start_of_the_whole_session_whichever_clips_are_made(doc, style, data) -> None:
    text, _ = write(doc, style)
    routine = parse_routine(text.encode(), name="drawn", source="drawn.toml")
    try:
        pacing = effective_pacing(routine, {}, None, saved={})[0]
    except PacingError:  # e.g. an `only` that names none of its points: not a session
        reject()
    measured: list[str] = []
    try:
        minutes = said_minutes(routine, pacing, length_of, RATE)
        whole = schedule(
            routine, pacing, lambda t: measured.append(t) or length_of(t), RATE, live=True, minutes=minutes
        )
    except PacingError:  # a [pacing] length the routine cannot be fitted to: one line, not a session
        reject()
    texts = sorted(set(measured) | minutes_texts(routine, pacing, minutes))
    made = data.draw(st.sets(st.sampled_from(texts)) if texts else st.just(set()))
    ready = ready_part(
        routine, pacing, minutes, lambda t: length_of(t) if t in made else None, lambda t: 5000, RATE, live=True
    )
    assert ready.complete == (set(measured) <= made)
    part = ready.timeline
    assert part.events == tuple(e for e in whole.events if e.start < part.length)
    assert all(e.text in made for e in part.events if e.text)
    assert part.waits == tuple(w for w in whole.waits if w < part.length)
    assert not any(e.start < part.length < e.end for e in whole.events)  # a player holding there holds in silence
    if ready.complete:
        assert part == whole
    else:
        assert part.length < whole.length or part.events == whole.events
        assert set(ready.missing) >= set(measured) - made


def test_while_a_cold_session_is_prepared_the_status_shows_what_is_heard_and_counts_the_clips_made(
    tmp_path: Path,
) -> None:
    from voiceguide.live.display import status_line

    routine, pacing = tiny()
    # The closing's clip takes 5 s: the first point plays while it is made.
    store = slow_store(tmp_path, pacing, load=0.2, per_clip=0.15, done={}, slower={"Done.": 5.0})
    live = LiveSession(routine, "tiny", pacing, store=store)
    player = live._start_player()
    seen = []  # (position, status) while preparing
    end = time.monotonic() + 30
    while not live._ready.is_set() and time.monotonic() < end:  # a sound card 4 times faster than time
        player.fill(BLOCK)
        status = live.status(player)
        if status.preparing:
            seen.append((player.position, status))
        time.sleep(BLOCK / RATE / 4)
    assert live._failure is None and live.timeline is not None
    assert any(s.step is not None for _, s in seen), "the preparation ended before the first point: too fast"
    for position, status in seen:
        heard = status_at_ready(live, position)
        assert (status.name, status.phase, status.step, status.side, status.steps) == heard
        line = status_line(status, 80)
        assert "preparing the session" not in line and status.preparing.startswith("preparing")
    counts = [tuple(map(int, s.preparing.split()[1].split("/"))) for _, s in seen if " " in s.preparing]
    assert counts and counts == sorted(counts) and all(made <= needed for made, needed in counts)
    store.close()


def status_at_ready(live: LiveSession, position: int) -> tuple:
    from voiceguide.live.display import status_at

    s = status_at(live.timeline, position, ready=True, paused=False, volume=1.0)
    return (s.name, s.phase, s.step, s.side, s.steps)


def test_a_cold_session_stopped_before_it_is_all_made_saves_the_position_it_reached(tmp_path: Path) -> None:
    from voiceguide.live import state

    routine, pacing = tiny()
    store = slow_store(tmp_path, pacing, load=0.1, per_clip=0.05, done={}, slower={"Done.": 5.0})
    live = LiveSession(routine, "tiny", pacing, store=store)
    player = live._start_player()
    while player.position < 8 * RATE:  # into the tones' introduction, while the closing is still being made
        player.fill(BLOCK)
        time.sleep(0.001)
    assert not live._ready.is_set() and live.progressive is not None and live.progressive.handed
    outcome = live._finish("quit", player)
    assert outcome.saved is not None and outcome.saved.position == player.position
    assert state.load().position == player.position
    live._ready.wait(10)
    store.close()

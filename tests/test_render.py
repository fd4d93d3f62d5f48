"""The renderer, with the stand-in engine: exact placement, any block size, flat memory."""

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from voiceguide.audio.render import event_audio, render
from voiceguide.plan.config import effective_pacing
from voiceguide.prepare import build_timeline, open_store
from voiceguide.routine.library import load_routine

SHORT = str(Path(__file__).parent / "routines" / "short.toml")


@pytest.fixture
def session(short_session):
    _, _, store, timeline = short_session
    return timeline, store


def reference_mix(timeline, store) -> np.ndarray:
    out = np.zeros(timeline.length, dtype=np.float32)
    for e in timeline.events:
        audio = event_audio(e, store.get, timeline.sample_rate)
        out[e.start : e.start + audio.size] += audio
    return out


def test_every_event_lands_on_its_planned_sample(session) -> None:
    timeline, store = session
    rendered = np.concatenate(list(render(timeline, store.get)))
    assert rendered.size == timeline.length
    assert np.array_equal(rendered, reference_mix(timeline, store))


@pytest.mark.parametrize("block", [1, 441, 4096, 100_003])
def test_the_block_size_does_not_change_a_single_sample(session, block: int) -> None:
    timeline, store = session
    if block == 1:  # one sample per block over the first second is enough to prove the point
        head = np.concatenate([b for _, b in zip(range(22050), render(timeline, store.get, block=1), strict=False)])
        assert np.array_equal(head, reference_mix(timeline, store)[:22050])
        return
    assert np.array_equal(
        np.concatenate(list(render(timeline, store.get, block=block))), reference_mix(timeline, store)
    )


def test_rendering_from_a_later_sample_gives_the_tail_of_the_session(session) -> None:
    timeline, store = session
    start = timeline.events[5].start + 1234
    tail = np.concatenate(list(render(timeline, store.get, start=start)))
    assert np.array_equal(tail, reference_mix(timeline, store)[start:])


def test_no_event_starts_or_ends_with_a_jump(session) -> None:
    timeline, store = session
    mix = reference_mix(timeline, store)
    for e in timeline.events:
        assert abs(mix[e.start]) < 0.01, e
        assert abs(mix[min(e.end, mix.size) - 1]) < 0.02, e


def test_render_memory_does_not_grow_with_session_length(standin: None) -> None:
    routine = load_routine(SHORT)
    peaks = []
    for scale in (2, 10):
        pacing, _ = effective_pacing(routine, {"scale": str(scale)}, None)
        store = open_store(pacing, cache=False)
        timeline = build_timeline(routine, pacing, store)
        for e in timeline.events:  # clips in memory before measuring
            event_audio(e, store.get, timeline.sample_rate)
        tracemalloc.start()
        for _ in render(timeline, store.get, block=16384):
            pass
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        store.close()
    assert peaks[1] < peaks[0] * 1.5 + 200_000, peaks

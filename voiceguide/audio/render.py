"""The one renderer: Timeline + clips -> float32 blocks, each event at its exact sample."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Final

import numpy as np

from ..plan.timeline import Event, Kind, Timeline
from .tones import tone
from .types import Audio

if TYPE_CHECKING:
    from .bed import BedTrack

RENDER_BLOCK: Final = 4096

ClipFor = Callable[[str], Audio]
"""Samples of the spoken clip for a text."""


def event_audio(event: Event, speech: ClipFor, rate: int) -> Audio:
    """The samples an event plays."""
    if event.kind is Kind.TONE:
        return tone(event.tone or "", rate)
    return speech(event.text or "")


def render(
    timeline: Timeline,
    speech: ClipFor,
    *,
    start: int = 0,
    block: int = RENDER_BLOCK,
    gain: float = 1.0,
    bed: BedTrack | None = None,
    reuse: bool = False,
) -> Iterator[Audio]:
    """Yield the session from sample ``start`` in blocks of ``block`` samples (the last may be shorter),
    with the sound bed under it if there is one.

    ``reuse``: every block is the same buffer, overwritten by the next (for a consumer that is done
    with a block before it asks for the next and never writes into it, like the exporter): no allocation
    per block, and a silent block after a silent one costs nothing.

    Only the events sounding in the current block are touched, so memory stays flat
    however long the session is.
    """
    events = timeline.events
    rate = timeline.sample_rate
    # Events are sorted by start; the longest event bounds how far back one can still sound.
    longest = max((e.duration for e in events), default=0)
    index = bisect.bisect_left([e.start for e in events], start - longest)
    active: list[tuple[Event, Audio]] = []
    pos = start
    buffer = np.empty(block, dtype=np.float32) if reuse else None
    zeroed = False  # the reused buffer still holds the silence of the last block
    while pos < timeline.length:
        n = min(block, timeline.length - pos)
        if buffer is None:
            out = np.zeros(n, dtype=np.float32)
        else:
            out = buffer[:n]
            if not zeroed:
                out.fill(0.0)
        end = pos + n
        while index < len(events) and events[index].start < end:
            event = events[index]
            index += 1
            if event.end > pos:
                active.append((event, event_audio(event, speech, rate)))
        still = []
        sounding = bed is not None
        for event, audio in active:
            lo, hi = max(pos, event.start), min(end, event.start + audio.size)
            if hi > lo:
                out[lo - pos : hi - pos] += audio[lo - event.start : hi - event.start]
                sounding = True
            if event.start + audio.size > end:
                still.append((event, audio))
        active = still
        if bed is not None:
            out += bed.block(pos, n)
        if sounding:  # most blocks of a session are silence: nothing to scale or clip
            if gain != 1.0:
                out *= np.float32(gain)
            np.clip(out, -1.0, 1.0, out=out)
        zeroed = not sounding
        yield out
        pos = end

"""A live session lets go of its voice model once it has every clip it can say (a neural voice is hundreds of MiB)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable
from concurrent.futures import CancelledError

from ..errors import SpeechError
from ..plan.timeline import Timeline
from ..speech.clips import ClipStore
from ..tuning import give_back_memory, lower_this_thread


def release_when_made(store: ClipStore, timeline: Timeline, answers: Iterable[str]) -> threading.Thread:
    """In a thread of its own (returned, started): once every clip the session can say is made (the timeline's
    and ``answers``: the controls' and the resuming cue), close the store's engine and give its memory back."""
    said = [e.text for e in timeline.events if e.text is not None]
    thread = threading.Thread(target=release, args=(store, [*said, *answers]), name="voiceguide-release", daemon=True)
    thread.start()
    return thread


def release(store: ClipStore, texts: Iterable[str]) -> bool:
    """Wait until the clip of every one of ``texts`` is made (asking for the missing ones), then close the store's
    engine and give the memory back to the system; True if an engine was closed. Nothing is closed if a clip
    failed (it is made again, by the engine, when asked for)."""
    lower_this_thread()  # a clip missing from the workers' queue would be made here
    wanted = list(dict.fromkeys(texts))
    try:
        store.prefetch(wanted)
        for text in wanted:
            store.measure(text)  # waits for the clips being made; reads a cached one's length from its header
    except (SpeechError, CancelledError, RuntimeError):
        return False  # a clip failed (said when asked for), or the session ended and closed the store meanwhile
    if not store.close_engine():
        return False
    gc.collect()  # the model's objects may sit in reference cycles (onnxruntime's Python wrappers)
    give_back_memory()  # glibc keeps freed heap pages unless asked: the resident size falls only then
    return True

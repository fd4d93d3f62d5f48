"""An encoder fed from a thread of its own, so encoding one block overlaps rendering the next."""

from __future__ import annotations

import queue
import threading
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from ..audio.types import Audio
    from .sinks import Sink

DEPTH: Final = 2
"""Blocks waiting for the encoder at most (each about three seconds of the session): enough to keep both
cores busy, little enough that an interrupted export stops at once."""


class Background:
    """A Sink that hands each block to ``sink`` in a worker thread, in order; errors come back on the next
    ``write`` or on ``close``. The encoders release the GIL while they encode (libsndfile through cffi,
    FFmpeg through PyAV), so the renderer and the encoder run on two cores."""

    def __init__(self, sink: Sink) -> None:
        self._sink = sink
        self._blocks: queue.Queue[Audio | None] = queue.Queue(DEPTH)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="voiceguide-encoder", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while (block := self._blocks.get()) is not None:
            if self._error is None:  # after a failure, blocks are only taken off the queue
                try:
                    self._sink.write(block)
                except BaseException as exc:  # handed to the thread that writes, whatever it is
                    self._error = exc

    def write(self, block: Audio) -> None:
        """Queue the next samples (a copy: the renderer reuses its buffers)."""
        if self._error is not None:
            raise self._error
        self._blocks.put(block.copy())

    def close(self) -> None:
        """Encode what is queued and finish the file; the encoder's error, if it had one, is raised here."""
        self._blocks.put(None)
        self._thread.join()
        try:
            self._sink.close()
        finally:
            if self._error is not None:
                raise self._error

"""An encoder fed from a thread of its own, so encoding one block overlaps rendering the next."""

from __future__ import annotations

import queue
import threading
from typing import TYPE_CHECKING, Final

import numpy as np

if TYPE_CHECKING:
    from ..audio.types import Audio
    from .sinks import Pcm16, Sink

DEPTH: Final = 2
"""Blocks waiting for the encoder at most (each about three seconds of the session): enough to keep both
cores busy, little enough that an interrupted export stops at once."""
RING: Final = DEPTH + 2
"""Buffers the blocks are copied into, in turn: DEPTH queued, one being encoded, one being filled."""


class Background:
    """A Sink that hands each block to ``sink`` in a worker thread, in order; errors come back on the next
    ``write`` or on ``close``. The encoders release the GIL while they encode (libsndfile through ctypes,
    FFmpeg through PyAV), so the renderer and the encoder run on two cores.

    With ``pcm16`` the blocks are handed over as 16-bit samples (Pcm16), made on the renderer's side: the
    renderer has time to spare and the encoder none (a FLAC export waited on its encoder for 0.6 s)."""

    def __init__(self, sink: Sink, *, pcm16: Pcm16 | None = None) -> None:
        self._sink = sink
        self._pcm16 = pcm16
        self._ring = [np.empty(0, dtype=np.float32 if pcm16 is None else np.int16) for _ in range(RING)]
        self._turn = 0
        self._blocks: queue.Queue[np.ndarray | None] = queue.Queue(DEPTH)
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
        buffer = self._ring[self._turn]
        if buffer.size < block.size:  # a fresh buffer each time cost page faults (see Pcm16)
            buffer = self._ring[self._turn] = np.empty(block.size, dtype=buffer.dtype)
        self._turn = (self._turn + 1) % RING
        copy = buffer[: block.size]
        if self._pcm16 is None:
            np.copyto(copy, block)
        else:
            self._pcm16(block, out=copy)
        self._blocks.put(copy)

    def close(self) -> None:
        """Encode what is queued and finish the file; the encoder's error, if it had one, is raised here."""
        self._blocks.put(None)
        self._thread.join()
        try:
            self._sink.close()
        finally:
            if self._error is not None:
                raise self._error

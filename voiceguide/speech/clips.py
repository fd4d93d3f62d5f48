"""Clips on demand: cache first, else the engine, post-processed, synthesized ahead in the background."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Final

import numpy as np

from ..audio.loudness import TARGET_LUFS, loudness
from .cache import ClipCache, clip_key
from .engine import Audio, SpeechEngine

SILENCE: Final = 10 ** (-50 / 20)
EDGE_FADE: Final = 0.004
"""Seconds of fade at each end of a clip, so no clip starts or stops with a click."""
CLIP_CEILING: Final = 10 ** (-5 / 20)
"""Peak of a finished clip (-5 dBFS): room for the session gain (pauses and soft tones lower the
session's loudness below its clips', so it is lifted by 2 to 3 dB), which stops at -1 dBFS."""
LIMIT_WINDOW: Final = 0.006
"""Seconds over which the limiter's gain moves: slow enough not to distort, fast enough for a syllable."""


PROCESSING: Final = f"finish-v4/{EDGE_FADE}/{CLIP_CEILING:.5f}/{LIMIT_WINDOW}/{TARGET_LUFS}"
"""Version and settings of finish_clip: part of the cache key, so a change re-synthesizes."""


def running_min(x: np.ndarray, size: int) -> np.ndarray:
    """out[i] = min(x[i:i+size]) for every full window, in O(n) (van Herk / Gil-Werman)."""
    n = x.size
    blocks = -(-n // size)
    padded = np.full(blocks * size, np.inf)
    padded[:n] = x
    # Accumulating down the columns of the transposed blocks runs across all blocks at once.
    columns = np.ascontiguousarray(padded.reshape(blocks, size).T)
    ahead = np.minimum.accumulate(columns, axis=0).T.ravel()
    behind = np.minimum.accumulate(columns[::-1], axis=0)[::-1].T.ravel()
    count = n - size + 1
    return np.minimum(behind[:count], ahead[size - 1 : size - 1 + count])


def _limit(audio: Audio, ceiling: float, rate: int) -> Audio:
    """Smooth peak limiting: a gain that dips under the loudest peaks, so loudness can rise without clipping."""
    w = max(1, round(LIMIT_WINDOW * rate))
    need = np.minimum(np.float32(1.0), np.float32(ceiling) / np.maximum(np.abs(audio), np.float32(1e-9)))
    padded = np.pad(need, (w, w), constant_values=1.0)
    # The minimum over 2w+1 samples, then a w-sample average: the smoothed gain is at most
    # the needed gain at every peak, and it never jumps.
    low = running_min(padded, 2 * w + 1)
    csum = np.concatenate(([0.0], np.cumsum(np.pad(low, (w // 2, w - w // 2 - 1), mode="edge"))))
    smooth = (csum[w:] - csum[:-w]) / w
    return (audio * smooth[: audio.size]).astype(np.float32)


def finish_clip(audio: Audio, rate: int) -> Audio:
    """Trim leading/trailing silence, fade the edges, and level the clip to the target loudness."""
    loud = np.flatnonzero(np.abs(audio) > SILENCE)
    if loud.size:
        audio = audio[loud[0] : loud[-1] + 1]
    audio = audio.astype(np.float32, copy=True)
    fade = min(round(EDGE_FADE * rate), audio.size // 2)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
        audio[:fade] *= ramp
        audio[-fade:] *= ramp[::-1]
    # Level to the target, limit the peaks that now stick out, and again: two rounds get within
    # half a dB, and the session gain (measured on the finished clips) sets the exact level.
    for _ in range(2):
        level = loudness(audio, rate)
        if not np.isfinite(level):
            break
        audio = audio * np.float32(10 ** ((TARGET_LUFS - level) / 20))
        audio = _limit(audio, CLIP_CEILING, rate)
    return audio


MEMORY_BUDGET: Final = 6 * 1024 * 1024
"""Bytes of clips kept in memory; older ones are read back from the disk cache when needed again,
so a long session does not hold all its speech at once."""


class ClipStore:
    """Gives the samples of each spoken text; synthesizes missing ones ahead, in two worker threads."""

    def __init__(
        self,
        engine_factory: Callable[[], SpeechEngine],
        engine_name: str,
        sample_rate: int,
        *,
        voice: str | None,
        rate: int,
        volume: float = 1.0,
        cache: ClipCache | None = None,
    ) -> None:
        self._factory = engine_factory
        self._engine: SpeechEngine | None = None
        self._engine_lock = threading.Lock()
        self.engine_name = engine_name
        self.sample_rate = sample_rate
        self.voice, self.rate, self.volume = voice, rate, volume
        self.cache = cache
        self._clips: OrderedDict[str, Audio] = OrderedDict()
        self._bytes = 0
        self._on_disk: set[str] = set()
        self._lengths: dict[str, int] = {}
        self._pending: dict[str, Future[Audio]] = {}
        # Two workers: while one finishes a clip (numpy), the other has the engine synthesize the next.
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="voiceguide-tts")
        self._lock = threading.Lock()
        self.synthesized = 0

    def engine(self) -> SpeechEngine:
        """The engine, started on first need (a warm cache never starts it)."""
        with self._engine_lock:
            if self._engine is None:
                self._engine = self._factory()
            return self._engine

    def key(self, text: str) -> str:
        """Cache key of ``text`` with this store's voice, rate and volume."""
        return clip_key(text, self.voice, self.rate, self.volume, f"{self.engine_name}/{PROCESSING}")

    def _load(self, text: str) -> Audio:
        key = self.key(text)
        if self.cache is not None:
            cached = self.cache.get(key, self.sample_rate)
            if cached is not None:
                with self._lock:
                    self._on_disk.add(text)
                return cached
        raw = self.engine().synthesize(text, voice=self.voice, rate=self.rate, volume=self.volume)
        clip = finish_clip(raw, self.sample_rate)
        stored = self.cache is not None and self.cache.put(key, self.sample_rate, clip)
        with self._lock:
            self.synthesized += 1
            if stored:
                self._on_disk.add(text)
        return clip

    def _keep(self, text: str, clip: Audio) -> None:
        # Called with the lock held: remember the clip, dropping the least recently used ones
        # that the disk cache can give back.
        self._lengths[text] = clip.size
        if text not in self._clips:
            self._clips[text] = clip
            self._bytes += clip.nbytes
        self._clips.move_to_end(text)
        for old in list(self._clips):
            if self._bytes <= MEMORY_BUDGET or old == text:
                break
            if old in self._on_disk:
                self._bytes -= self._clips.pop(old).nbytes

    def prefetch(self, texts: Iterable[str]) -> None:
        """Start loading or synthesizing these texts in the background, in order."""
        with self._lock:
            for text in texts:
                if text not in self._clips and text not in self._pending:
                    self._pending[text] = self._pool.submit(self._load, text)

    def get(self, text: str) -> Audio:
        """The finished clip for ``text`` (waits for it if it is being made)."""
        with self._lock:
            clip = self._clips.get(text)
            if clip is not None:
                self._clips.move_to_end(text)
                return clip
            future = self._pending.get(text)
        clip = future.result() if future is not None else self._load(text)
        with self._lock:
            self._keep(text, clip)
            self._pending.pop(text, None)
        return clip

    def measure(self, text: str) -> int:
        """Length of the clip for ``text`` in samples."""
        with self._lock:
            if text in self._lengths:
                return self._lengths[text]
        return int(self.get(text).size)

    def close(self) -> None:
        """Stop background synthesis."""
        self._pool.shutdown(wait=True, cancel_futures=True)

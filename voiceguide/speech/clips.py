"""Clips on demand: cache first, else the engine, post-processed, synthesized ahead in the background."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Final

from ..audio.types import Audio, check_clip
from ..errors import SpeechError
from ..tuning import lower_this_thread
from .cache import ClipCache, clip_key
from .engine import SpeechEngine
from .finish import PROCESSING, finish_clip
from .measures import Measures
from .pronounce import respell

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

ASKED_AHEAD: Final = 4
"""Clips asked of an engine that takes requests ahead (the speech pool) beyond the ones being finished:
its processes keep speaking while the threads finish clips, and at most this many raw clips wait."""
MEMORY_BUDGET: Final = 6 * 1024 * 1024
"""Bytes of clips kept in memory; older ones are read back from the disk cache when needed again,
so a long session does not hold all its speech at once."""


class ClipStore(Measures):
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
        pronounce: Mapping[str, str] | None = None,
        keep_made: bool = True,
    ) -> None:
        self.keep_made = keep_made
        """Keep a clip made here in memory (within MEMORY_BUDGET) once its length is measured; False for one
        pass from start to end (an export), which reads each clip back from the disk cache when it renders it,
        so a first export does not hold its clips while the rest are made."""
        self.pronounce = dict(pronounce or {})
        """Respellings applied to the text sent to the engine (never to captions or chapters)."""
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
        Measures.__init__(self)
        self._pending: dict[str, Future[Audio]] = {}
        self._keys: dict[str, str] = {}
        self._order: dict[str, int] = {}  # prefetched texts to make, in the order asked
        self._queue: list[str] = []
        self._asked: dict[str, Future[Audio]] = {}  # engine requests made ahead (SynthesisPool.submit)
        self._next_ask = 0  # index in _queue of the next text to ask the engine for
        self._pool: ThreadPoolExecutor | None = None  # started when a clip must be made (never, warm)
        self._lock = threading.Lock()
        self.synthesized = 0
        self.background = False  # make clips at a lower priority (a live session: its audio callback must win)
        self.engines_started = 0  # a live session that released its engine should start no other

    def engine(self) -> SpeechEngine:
        """The engine, started on first need (a warm cache never starts it)."""
        with self._engine_lock:
            if self._engine is None:
                self._engine = self._factory()
                self.engines_started += 1
            return self._engine

    def spoken(self, text: str) -> str:
        """The text as the engine gets it: respelled where the pronunciation table says."""
        return respell(text, self.pronounce) if self.pronounce else text

    def key(self, text: str) -> str:
        """Cache key of ``text`` as spoken (so a changed respelling is synthesized anew), voice, rate and volume."""
        # Remembered: respelling runs the whole pronunciation table over the text (~0.1 ms), and a
        # session asks for each text's key several times.
        key = self._keys.get(text)
        if key is None:
            spoken = self.spoken(text)
            key = self._keys[text] = clip_key(
                spoken, self.voice, self.rate, self.volume, f"{self.engine_name}/{PROCESSING}"
            )
        return key

    def _load(self, text: str) -> Audio:
        key = self.key(text)
        if self.cache is not None:
            cached = self.cache.get(key, self.sample_rate)
            if cached is not None:
                with self._lock:
                    self._on_disk.add(text)
                return cached
        if self.background:
            lower_this_thread()  # before the engine starts: a neural model load is a second of a core
        engine = self.engine()
        request = self._ask_ahead(engine, text)
        if request is not None:
            raw = request.result()
            del request  # the raw clip goes as soon as it is finished
        else:  # engines that speak one clip per call, and texts asked for without a prefetch
            raw = engine.synthesize(self.spoken(text), voice=self.voice, rate=self.rate, volume=self.volume)
        raw = check_clip(raw, engine.sample_rate, self.sample_rate, text)
        clip = finish_clip(raw, self.sample_rate)
        del raw
        # Measured here, in the worker, while the next clips are being spoken: measuring the session
        # then reads no clip again (it was a tenth of a second of the main thread, after synthesis).
        self._measure(text, clip)
        stored = self.cache is not None and self.cache.put(key, self.sample_rate, clip)
        with self._lock:
            self.synthesized += 1
            self._lengths[text] = clip.size
            if stored:
                self._on_disk.add(text)
        return clip

    def _ask_ahead(self, engine: SpeechEngine, text: str) -> Future[Audio] | None:
        """The engine's request for ``text``, after asking for the prefetched texts up to ASKED_AHEAD past it, in
        order (None if the engine cannot take requests ahead, or ``text`` was not prefetched)."""
        submit = getattr(engine, "submit", None)
        with self._lock:
            at = self._order.get(text)
            if submit is None or at is None:
                return None
            while self._next_ask < min(at + 1 + ASKED_AHEAD, len(self._queue)):
                later = self._queue[self._next_ask]
                self._next_ask += 1
                if later != text and later not in self._pending:
                    continue  # cancelled, or made another way
                try:
                    self._asked[later] = submit(
                        self.spoken(later), voice=self.voice, rate=self.rate, volume=self.volume
                    )
                except SpeechError:
                    if later == text:
                        raise  # another text's problem is raised by its own worker
            return self._asked.pop(text, None)

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
        """Start synthesizing these texts in the background, in order, unless the disk cache has them.

        Cached clips are read when asked for (0.5 ms each): read ahead, they would all sit in memory at once.
        """
        with self._lock:
            for text in texts:
                if text in self._clips or text in self._pending:
                    continue
                length = self.cache.length(self.key(text), self.sample_rate) if self.cache is not None else None
                if length is not None:  # (an entry with a bad header is made again)
                    self._lengths[text] = length
                    continue
                self._order[text] = len(self._queue)
                self._queue.append(text)
                self._pending[text] = self._workers().submit(self._load, text)

    def _workers(self) -> ThreadPoolExecutor:
        # Called with the lock held.
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            # Two workers, each waiting for a clip from the engine and then finishing it (numpy): the
            # machine's two cores are busy either way (a cold export took the same time with four,
            # alternating runs), and fewer clips in flight keep its peak memory ~6 MiB lower.
            self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="voiceguide-tts")
        return self._pool

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

    def at_hand(self, text: str) -> bool:
        """Whether the clip for ``text`` is in memory or in the disk cache (so no engine is needed for it)."""
        with self._lock:
            if text in self._lengths:
                return True
        return self.cache is not None and self.cache.has(self.key(text))

    def ready_length(self, text: str) -> int | None:
        """Length of the clip for ``text`` if it is made already (in memory or in the disk cache), else None
        (never waits, never synthesizes; a synthesis that failed raises its error here)."""
        with self._lock:
            if text in self._lengths:
                return self._lengths[text]
            future = self._pending.get(text)
        if future is None:
            # A clip an earlier run made is made: prefetch() leaves it to the cache, so nothing else would
            # ever report it (a partly warm cache waited for it forever: issue 22).
            return self._cached_length(text)
        if not future.done():
            return None
        return int(self.get(text).size)

    def _cached_length(self, text: str) -> int | None:
        # The sample count in the clip's disk cache entry, remembered (None without a sound entry).
        if self.cache is None:
            return None
        length = self.cache.length(self.key(text), self.sample_rate)
        if length is not None:
            with self._lock:
                self._lengths[text] = length
        return length

    def measure(self, text: str) -> int:
        """Length of the clip for ``text`` in samples (from the cache entry's header when there is one).

        Trusting the header is safe: an entry found corrupt later is made again, and a clip made again is
        the same clip (engines are deterministic: speech/engine.py), so the timeline stays right.
        """
        with self._lock:
            future = self._pending.get(text)
            if future is None and text in self._lengths:
                return self._lengths[text]
        if future is not None:
            clip = future.result()
            with self._lock:
                self._pending.pop(text, None)
                self._lengths[text] = clip.size
                if self.keep_made or text not in self._on_disk:
                    self._keep(text, clip)
            return int(clip.size)
        length = self._cached_length(text)
        return length if length is not None else int(self.get(text).size)

    def close_engine(self) -> bool:
        """Close the engine (``release`` its model if it can); True if one ran. A clip asked later starts another."""
        with self._engine_lock:
            engine, self._engine = self._engine, None
        if engine is None:
            return False
        getattr(engine, "release", engine.close)()
        return True

    def close(self) -> None:
        """Stop background synthesis and release the engine (if one was started)."""
        with self._lock:
            pool = self._pool
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        with self._engine_lock:
            if self._engine is not None:
                self._engine.close()
                self._engine = None

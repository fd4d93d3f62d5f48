import multiprocessing
from pathlib import Path

import numpy as np

from voiceguide.speech.cache import ClipCache, clip_key
from voiceguide.speech.clips import ClipStore
from voiceguide.speech.standin import StandinEngine


def test_a_stored_clip_comes_back_identical(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    clip = np.linspace(-0.5, 0.5, 1000, dtype=np.float32)
    cache.put("ab" * 32, 22050, clip)
    assert np.array_equal(cache.get("ab" * 32, 22050), clip)


def test_the_key_changes_with_text_voice_rate_volume_and_engine() -> None:
    base = clip_key("Ready.", None, 150, 1.0, "e1")
    others = [
        clip_key("Ready!", None, 150, 1.0, "e1"),
        clip_key("Ready.", "en-gb", 150, 1.0, "e1"),
        clip_key("Ready.", None, 151, 1.0, "e1"),
        clip_key("Ready.", None, 150, 0.5, "e1"),
        clip_key("Ready.", None, 150, 1.0, "e2"),
    ]
    assert len({base, *others}) == 6


def test_truncated_or_corrupt_entries_read_as_missing(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    key = "cd" * 32
    cache.put(key, 22050, np.ones(500, dtype=np.float32) * 0.1)
    path = next(tmp_path.rglob("*.clip"))
    data = path.read_bytes()
    path.write_bytes(data[:-100])
    assert cache.get(key, 22050) is None
    flipped = bytearray(data)
    flipped[40] ^= 0xFF
    path.write_bytes(bytes(flipped))
    assert cache.get(key, 22050) is None
    path.write_bytes(data)
    assert cache.get(key, 22050 * 2) is None  # a clip at another rate is not this one


def test_a_store_resynthesizes_a_corrupt_entry_and_repairs_it(tmp_path: Path) -> None:
    store = ClipStore(StandinEngine, "standin-1", 22050, voice=None, rate=150, cache=ClipCache(tmp_path))
    first = store.get("Press now.")
    path = next(tmp_path.rglob("*.clip"))
    path.write_bytes(path.read_bytes()[:50])
    again = ClipStore(StandinEngine, "standin-1", 22050, voice=None, rate=150, cache=ClipCache(tmp_path))
    assert np.array_equal(again.get("Press now."), first)
    assert again.synthesized == 1
    third = ClipStore(StandinEngine, "standin-1", 22050, voice=None, rate=150, cache=ClipCache(tmp_path))
    third.get("Press now.")
    assert third.synthesized == 0


def test_a_cached_clip_is_measured_from_its_header_and_a_corrupt_body_is_made_again(tmp_path: Path) -> None:
    ClipStore(StandinEngine, "standin-1", 22050, voice=None, rate=150, cache=ClipCache(tmp_path)).get("Press now.")
    path = next(tmp_path.rglob("*.clip"))
    data = bytearray(path.read_bytes())
    data[40] ^= 0xFF  # the samples, not the header
    path.write_bytes(bytes(data))
    store = ClipStore(StandinEngine, "standin-1", 22050, voice=None, rate=150, cache=ClipCache(tmp_path))
    length = store.measure("Press now.")
    assert store.synthesized == 0  # the header was enough
    assert store.get("Press now.").size == length
    assert store.synthesized == 1


def _writer(folder: str, seed: int) -> None:
    """Writes the same ten entries over and over, reading each back at once; any failure ends with exit code 1."""
    import warnings

    warnings.simplefilter("error")  # a put that could not write only warns: here it must not happen
    cache = ClipCache(Path(folder))
    for i in range(200):
        key, value = f"{i % 10:02d}" * 32, np.float32((i % 10) / 20)
        assert cache.put(key, 22050, np.full(2000, value, dtype=np.float32))
        clip = cache.get(key, 22050)  # the other process may have replaced it since: whole either way
        assert clip is not None and clip.size == 2000 and np.all(clip == value)


def test_two_processes_writing_the_same_entries_leave_only_whole_clips(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), n)) for n in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]  # each wrote and read back every entry
    cache = ClipCache(tmp_path)
    for i in range(10):
        clip = cache.get(f"{i:02d}" * 32, 22050)
        assert clip is not None and np.all(clip == np.float32(i / 20))
    assert not list(tmp_path.rglob("*.tmp"))


def test_an_unwritable_cache_folder_falls_back_to_a_temporary_one_with_a_warning(tmp_path: Path) -> None:
    import pytest

    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    with pytest.warns(UserWarning, match="not writable"):
        cache = ClipCache(blocked / "clips")
    cache.put("ef" * 32, 22050, np.zeros(10, dtype=np.float32) + 0.1)
    assert cache.get("ef" * 32, 22050) is not None


def test_a_clip_an_earlier_run_cached_counts_as_made_for_whoever_waits_for_it(tmp_path: Path) -> None:
    # Issue 22: prefetch leaves cached clips to the cache, so the cold-start feeder (live/progressive.py), which
    # asks for clips and waits until ready_length says they are made, waited forever for the cached ones.
    def store() -> ClipStore:
        return ClipStore(StandinEngine, "standin-1", 22050, voice=None, rate=150, cache=ClipCache(tmp_path))

    made = store().get("Press now.").size
    warm = store()
    warm.prefetch(["Press now.", "Release now."])
    assert warm.ready_length("Press now.") == made  # read from the header, not made again
    assert warm.get("Release now.").size == warm.ready_length("Release now.")
    warm.close()
    assert warm.synthesized == 1  # only the clip the cache did not have ("Release now.", made meanwhile)


def test_a_prefetched_entry_with_a_broken_header_is_made_again(tmp_path: Path) -> None:
    first = ClipStore(StandinEngine, "standin-1", 22050, voice=None, rate=150, cache=ClipCache(tmp_path))
    size = first.get("Press now.").size
    path = next(tmp_path.rglob("*.clip"))
    path.write_bytes(b"garbage" + path.read_bytes()[7:])  # the entry is there, its header is not a clip's
    again = ClipStore(StandinEngine, "standin-1", 22050, voice=None, rate=150, cache=ClipCache(tmp_path))
    again.prefetch(["Press now."])
    again.close()  # waits for the clip being made
    assert again.synthesized == 1 and again.ready_length("Press now.") == size

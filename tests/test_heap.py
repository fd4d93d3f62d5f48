"""A live session keeps large buffers out of glibc's heaps, so its memory cannot creep up (live/heap.py)."""

from __future__ import annotations

import ctypes
import platform
import sys

import numpy as np
import pytest

from voiceguide.live.heap import steady_heap

GLIBC = sys.platform == "linux" and platform.libc_ver()[0] == "glibc"


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks")
    ] + [("keepcost", ctypes.c_size_t)]


def _mapped_bytes() -> int:
    # Bytes glibc holds in blocks that are mappings of their own (given back to the system when freed).
    mallinfo2 = ctypes.CDLL(None).mallinfo2
    mallinfo2.restype = _MallInfo2
    return int(mallinfo2().hblkhd)


@pytest.mark.skipif(not GLIBC, reason="the mmap threshold is glibc's")
def test_a_clip_sized_buffer_is_its_own_mapping_even_after_a_larger_one_was_freed() -> None:
    assert steady_heap()
    # Freeing an 8 MiB mapping is what makes glibc raise its threshold (to 8 MiB) when it is left to itself;
    # a 1 MiB clip read after that would then come from a heap that keeps the memory once the clip is dropped.
    big = np.ones(2 * 2**20, dtype=np.float32)
    del big
    before = _mapped_bytes()
    clip = np.ones(2**18, dtype=np.float32)  # 1 MiB: about 12 s of speech at 22050 Hz
    assert _mapped_bytes() - before >= clip.nbytes
    del clip
    assert _mapped_bytes() == before


@pytest.mark.skipif(GLIBC, reason="elsewhere there is nothing to set")
def test_steady_heap_is_a_no_op_without_glibc() -> None:
    assert steady_heap() is False

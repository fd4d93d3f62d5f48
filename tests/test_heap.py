"""A live session keeps large buffers out of glibc's heaps, so its memory cannot creep up (live/heap.py)."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import pytest

from voiceguide.live.heap import steady_heap

GLIBC = sys.platform == "linux" and platform.libc_ver()[0] == "glibc"

# In a fresh process (in this one, earlier tests leave free heap space that malloc rightly reuses first): free an
# 8 MiB buffer, which makes glibc left to itself raise its mmap threshold to 8 MiB, then take a 1 MiB one (a long
# clip read back from the disk cache) and say whether it became a mapping of its own (given back when freed).
PROBE = """
import ctypes, sys
import numpy as np
from voiceguide.live.heap import steady_heap

class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]

mallinfo2 = ctypes.CDLL(None).mallinfo2
mallinfo2.restype = MallInfo2
applied = steady_heap() if sys.argv[1] == "steady" else None
big = np.ones(2 * 2**20, dtype=np.float32)
del big
before = mallinfo2().hblkhd
clip = np.ones(2**18, dtype=np.float32)
print(applied, mallinfo2().hblkhd - before >= clip.nbytes)
"""


def _mapped_after_a_larger_one_was_freed(mode: str) -> str:
    root = str(Path(__file__).resolve().parent.parent)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True, env={"PYTHONPATH": root}
    )
    return done.stdout.strip()


@pytest.mark.skipif(not GLIBC, reason="the mmap threshold is glibc's")
def test_a_clip_sized_buffer_is_its_own_mapping_even_after_a_larger_one_was_freed() -> None:
    assert _mapped_after_a_larger_one_was_freed("steady") == "True True"


@pytest.mark.skipif(not GLIBC, reason="the mmap threshold is glibc's")
def test_left_to_itself_glibc_puts_that_buffer_in_a_heap() -> None:
    # What the fix is for: without it, the same buffer would stay in a heap that keeps its memory.
    assert _mapped_after_a_larger_one_was_freed("default") == "None False"


@pytest.mark.skipif(GLIBC, reason="elsewhere there is nothing to set")
def test_steady_heap_is_a_no_op_without_glibc() -> None:
    assert steady_heap() is False

"""A live session keeps large buffers out of glibc's heaps, so its memory cannot creep up (voiceguide/tuning.py)."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import pytest

from voiceguide.tuning import steady_heap

GLIBC = sys.platform == "linux" and platform.libc_ver()[0] == "glibc"

# In a fresh process (in this one, earlier tests leave free heap space that malloc rightly reuses first): free an
# 8 MiB buffer, which makes glibc left to itself raise its mmap threshold to 8 MiB, then take buffers the size of
# a long clip (1 MiB) and of the shortest ("Ready.", 35 KiB) read back from the disk cache, and say whether each
# became a mapping of its own (given back when freed).
PROBE = """
import ctypes, sys
import numpy as np
from voiceguide.tuning import steady_heap

class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]

mallinfo2 = ctypes.CDLL(None).mallinfo2
mallinfo2.restype = MallInfo2
applied = steady_heap() if sys.argv[1] == "steady" else None
big = np.ones(2 * 2**20, dtype=np.float32)
del big
mapped = []
for size, count in ((2**18, 1), (9_000, 256)):
    # 256 short ones (9 MiB): the first may rightly reuse free space (about 1 MiB) left in the heap by imports.
    before = mallinfo2().hblkhd
    clips = [np.ones(size, dtype=np.float32) for _ in range(count)]
    mapped.append(mallinfo2().hblkhd - before >= (count + 1) // 2 * clips[0].nbytes)
print(applied, *mapped)
"""


def _mapped_after_a_larger_one_was_freed(mode: str) -> str:
    root = str(Path(__file__).resolve().parent.parent)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True, env={"PYTHONPATH": root}
    )
    return done.stdout.strip()


@pytest.mark.skipif(not GLIBC, reason="the mmap threshold is glibc's")
def test_a_clip_sized_buffer_is_its_own_mapping_even_after_a_larger_one_was_freed() -> None:
    assert _mapped_after_a_larger_one_was_freed("steady") == "True True True"


@pytest.mark.skipif(not GLIBC, reason="the mmap threshold is glibc's")
def test_left_to_itself_glibc_puts_that_buffer_in_a_heap() -> None:
    # What the fix is for: without it, the same buffer would stay in a heap that keeps its memory.
    assert _mapped_after_a_larger_one_was_freed("default") == "None False False"


@pytest.mark.skipif(GLIBC, reason="elsewhere there is nothing to set")
def test_steady_heap_is_a_no_op_without_glibc() -> None:
    assert steady_heap() is False


# In a fresh process: take a clip-sized buffer (1 MiB) and write it, free it, then take and write another one;
# print the minor page faults the second one cost (every page of a new mapping faults when first written).
BATCH_PROBE = """
import resource, sys
import numpy as np
from voiceguide.tuning import batch_heap

applied = batch_heap() if sys.argv[1] == "batch" else None
first = np.ones(2**18, dtype=np.float32)
del first
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
second = np.ones(2**18, dtype=np.float32)
print(applied, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults_of_a_second_buffer(mode: str) -> tuple[str, int]:
    root = str(Path(__file__).resolve().parent.parent)
    done = subprocess.run(
        [sys.executable, "-c", BATCH_PROBE, mode], capture_output=True, text=True, check=True, env={"PYTHONPATH": root}
    )
    applied, faults = done.stdout.split()
    return applied, int(faults)


@pytest.mark.skipif(not GLIBC, reason="the mmap and trim thresholds are glibc's")
def test_an_export_reuses_a_freed_clip_buffer_without_new_page_faults() -> None:
    applied, faults = _faults_of_a_second_buffer("batch")
    assert applied == "True"
    assert faults < 32  # 256 pages: reused, not mapped and faulted in again


@pytest.mark.skipif(not GLIBC, reason="the mmap and trim thresholds are glibc's")
def test_left_to_itself_glibc_faults_that_buffer_in_again() -> None:
    assert _faults_of_a_second_buffer("default")[1] >= 200

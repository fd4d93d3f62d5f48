"""Process-wide settings made before numpy loads or any thread starts (every command), and one more a live
session makes (a fixed mmap threshold).

Each was measured (scripts/bench.py, docs/speed.md, scripts/mem_probe.py, docs/reliability.md): they cost
nothing voiceguide uses and save CPU time and memory.
"""

from __future__ import annotations

import os
import platform
import sys
from typing import Final

M_ARENA_MAX: Final = -8
"""glibc's mallopt parameter for the number of malloc arenas (malloc.h)."""
M_MMAP_THRESHOLD: Final = -3
"""glibc's mallopt parameter for the mmap threshold (malloc.h)."""
M_TRIM_THRESHOLD: Final = -1
"""glibc's mallopt parameter for the free top of the heap kept rather than given back (malloc.h)."""
BATCH_MMAP_THRESHOLD: Final = 16 * 1024 * 1024
"""Bytes from which a block is its own mapping in an export: above every clip and render buffer."""
BATCH_TRIM_THRESHOLD: Final = 32 * 1024 * 1024
"""Free bytes an export's heap keeps at its top for the next buffers instead of giving them back."""
MMAP_THRESHOLD: Final = 32 * 1024
"""Bytes from which a block is its own mapping in a live session: every spoken clip (0.4 s and longer), no
audio block."""


def _mallopt(parameter: int, value: int) -> bool:
    """glibc's mallopt; False where it does not apply (another system or C library)."""
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return False
    import ctypes

    try:
        return bool(ctypes.CDLL(None).mallopt(parameter, value))
    except (OSError, AttributeError):
        return False


def tune_process() -> None:
    """One OpenBLAS thread and one malloc arena (a user's own environment settings win)."""
    # numpy's OpenBLAS starts a thread per core at import, and they spin for ~50 ms of CPU that a
    # command never gets back: voiceguide does no matrix work (a 1-D dot product needs no thread).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # glibc gives each thread that allocates its own arena (up to 8 per core); the clip store's
    # synthesis threads each left one holding freed clip buffers, ~7 MiB of a cold export's peak.
    # Those threads mostly wait for the speech processes, so sharing one arena costs no time.
    if "MALLOC_ARENA_MAX" not in os.environ:
        _mallopt(M_ARENA_MAX, 1)


def batch_heap() -> bool:
    """Let an export reuse its freed buffers instead of mapping fresh pages for each; True if applied.

    At glibc's defaults each clip (0.1-1.3 MiB) and each render buffer over the current mmap threshold was a
    mapping of its own, and every page of a new mapping is a page fault when first written: a cold espeak-ng
    export of the evening took 21,000-28,000 minor faults in the voiceguide process itself, 10,500-11,000 with
    these thresholds (the same peak RSS, 55 MiB). Faults cost far more under some virtual machines (the
    second machine's cold export: 75,184 faults, 1.31 s of CPU against 0.81 s here), so fewer is steadier.
    """
    trim = _mallopt(M_TRIM_THRESHOLD, BATCH_TRIM_THRESHOLD)
    return _mallopt(M_MMAP_THRESHOLD, BATCH_MMAP_THRESHOLD) and trim


def steady_heap() -> bool:
    """Fix glibc's mmap threshold for the rest of the process, so a long live session's memory stays flat;
    True if applied.

    The cost is a map and an unmap per buffer of 32 KiB or more: a few per clip read, none per audio block.
    (An export does not call it: there a block is 32 KiB or more, and a fixed threshold doubled its CPU time.)

    Why: glibc serves blocks over its mmap threshold (128 KiB at start) as mappings of their own, returned on free,
    but every time such a block is freed it raises the threshold to that block's size (up to 32 MiB). After that,
    spoken clips (up to 1.3 MiB; the clip store keeps 6 MiB of them and reads evicted ones back from the disk cache)
    come from the per-thread heaps instead: the ones read at start by the preparing thread are freed into its heap,
    the ones read back later by the audio callback's thread fill another heap, and neither heap gives the memory
    back. The 48-minute evening grew 7 MiB that way, in steps where new clips were read back (points 2, 3 and 4).
    A fixed threshold (setting it also turns the raising off) of 32 KiB, under the shortest clip ("Ready.", 35 KiB),
    keeps every clip a mapping of its own, so the resident size follows what the session holds; audio blocks
    (4-9 KiB) stay in the heaps and are reused there. At glibc's 128 KiB the short clips still crept into the heaps
    (+1.9 MiB over two hours in scripts/mem_probe.py; -0.1 MiB at 32 KiB).
    """
    return _mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


CLIP_NICENESS: Final = 5
"""How much lower than the audio callback a live session's clip-making threads run (a nice value, Linux): when
both want a core, the scheduler gives the callback ~3/4 of it (weights 1024 against 335); a clip still gets a
fair share against other busy programs, so a cold session does not wait much longer for its voice under load."""


def lower_this_thread(niceness: int = CLIP_NICENESS) -> bool:
    """Run the calling thread (and the threads and processes it starts later) ``niceness`` lower than the main
    thread (calling it again changes nothing; the main thread itself is never lowered); True if done.

    On Linux a nice value belongs to a thread (setpriority with the thread's id), so the audio callback and the
    main thread keep theirs. Elsewhere it would lower the whole process, the callback too: nothing is done.
    """
    if not sys.platform.startswith("linux") or niceness <= 0:
        return False
    import threading

    if threading.current_thread() is threading.main_thread():
        # A clip made on demand in the main thread: it must keep its priority, since the threads it starts later
        # (PortAudio's callback among them) inherit it, and a lowered main thread would lower every later clip too.
        return False
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, os.getpid()) + niceness))
    except OSError:
        return False
    return True


def give_back_memory() -> bool:
    """Return the free memory at the top of glibc's heaps to the system (malloc_trim); True if some was."""
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return False
    import ctypes

    try:
        return bool(ctypes.CDLL(None).malloc_trim(0))
    except (OSError, AttributeError):
        return False

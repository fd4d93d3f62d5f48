"""Keeps a long live session's memory flat: large buffers go back to the system as soon as they are freed.

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

from __future__ import annotations

import platform
import sys
from typing import Final

M_MMAP_THRESHOLD: Final = -3
"""mallopt's parameter number for the mmap threshold (malloc.h)."""
MMAP_THRESHOLD: Final = 32 * 1024
"""Bytes from which a block is its own mapping: every spoken clip (0.4 s and longer), no audio block."""


def steady_heap() -> bool:
    """Fix glibc's mmap threshold for the rest of the process; True if applied (False where it does not apply:
    another C library, another system).

    The cost is a map and an unmap per buffer of 32 KiB or more: a few per clip read, none per audio block."""
    if sys.platform != "linux" or platform.libc_ver()[0] != "glibc":
        return False
    import ctypes

    try:
        return bool(ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    except (OSError, AttributeError):
        return False

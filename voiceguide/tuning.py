"""Process-wide settings the command line makes before numpy loads or any thread starts.

Each was measured (scripts/bench.py, docs/speed.md): they cost nothing voiceguide uses and save CPU
time and peak memory on every command.
"""

from __future__ import annotations

import os
import sys

M_ARENA_MAX = -8
"""glibc's mallopt parameter for the number of malloc arenas."""


def tune_process() -> None:
    """One OpenBLAS thread and one malloc arena (a user's own environment settings win)."""
    # numpy's OpenBLAS starts a thread per core at import, and they spin for ~50 ms of CPU that a
    # command never gets back: voiceguide does no matrix work (a 1-D dot product needs no thread).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # glibc gives each thread that allocates its own arena (up to 8 per core); the clip store's
    # synthesis threads each left one holding freed clip buffers, ~7 MiB of a cold export's peak.
    # Those threads mostly wait for the speech processes, so sharing one arena costs no time.
    if sys.platform.startswith("linux") and "MALLOC_ARENA_MAX" not in os.environ:
        import ctypes

        try:
            ctypes.CDLL(None).mallopt(M_ARENA_MAX, 1)
        except (OSError, AttributeError):  # not glibc (musl has no mallopt arenas)
            pass

#!/usr/bin/env python3
"""Where one `voiceguide export` spends its wall time, phase by phase, in one process (issue 28: the per-phase
breakdown beside the peers'). The same steps as `voiceguide export` with default pacing and no bed.

    VOICEGUIDE_CACHE_DIR=... python scripts/export_phases.py ROUTINE OUT.wav      # prints a JSON object

Not mirrored: the CLI's start of the speech processes during the imports on a first run (registry.start_ahead),
so a cold run's synthesis phase here is ~35 ms longer than inside `voiceguide export`.
Phases: imports, routine (load and pacing), synthesis (open_store + build_timeline: clips made or read, the
timeline laid out), gain (session_gain: measured, or remembered), export (render, encode, rename).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

start = time.perf_counter()
phases: dict[str, float] = {}


def mark(name: str) -> None:
    global start
    now = time.perf_counter()
    phases[name] = now - start
    start = now


def main() -> None:
    from voiceguide.export.writer import export
    from voiceguide.plan.config import effective_pacing
    from voiceguide.prepare import Prepared, build_timeline, open_store, session_gain
    from voiceguide.routine.library import load_routine

    mark("imports")
    routine = load_routine(sys.argv[1])
    pacing = effective_pacing(routine, {}, None)[0]
    mark("routine")
    store = open_store(pacing, pronounce=routine.pronounce, keep_made=False)
    try:
        timeline = build_timeline(routine, pacing, store)
        mark("synthesis")
        gain = session_gain(routine, pacing, timeline, store)
        mark("gain")
        export(Prepared(routine, pacing, store, timeline, gain), Path(sys.argv[2]), "wav", force=True)
        mark("export")
    finally:
        store.close()
    print(json.dumps(phases))


if __name__ == "__main__":
    main()

"""Run by test_vsink_cleanup.py as a pytest run of its own (not collected by the suite: no test_ prefix): holds
the virtual sound card, says which daemon serves it, and waits VSINK_PROBE_WAIT seconds (to be killed)."""

from __future__ import annotations

import os
import time
from pathlib import Path


def test_hold_the_virtual_sound_card(vsink: dict[str, str]) -> None:
    daemon = (Path(vsink["PULSE_RUNTIME_PATH"]) / "pid").read_text().strip()
    Path(os.environ["VSINK_PROBE"]).write_text(daemon)
    time.sleep(float(os.environ.get("VSINK_PROBE_WAIT", "0")))

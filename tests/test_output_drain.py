"""What is queued at the device is heard before the stream closes: the end bell's tail, and the fade of a stop."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from conftest import Recorder

pytestmark = pytest.mark.usefixtures("espeak", "vsink")
TINY = str(Path(__file__).parent / "routines" / "tiny.toml")
RATE = 22050
FRAME = 220  # 10 ms


def record(path: Path, *play: str, stop_after: float | None = None) -> np.ndarray:
    """Play while recording the sink's monitor; with stop_after, SIGTERM that long after the first sound."""
    # A 20 ms parec latency hands over what was heard promptly (the end of the recording is what is judged);
    # 1.5 s of tail: a busy machine may be late delivering the recording's last blocks.
    with Recorder(path, rate=RATE, latency_msec=20, tail=1.5) as recorder:
        proc = subprocess.Popen([sys.executable, "-m", "voiceguide", "play", *play], stdout=subprocess.PIPE, text=True)
        if stop_after is not None:
            end = time.monotonic() + 30
            while time.monotonic() < end and not (np.abs(np.fromfile(path, dtype="<f4")) > 0.01).any():
                time.sleep(0.05)
            time.sleep(stop_after)
            proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=90)
    assert proc.returncode == 0
    return recorder.audio()


def frames_db(audio: np.ndarray) -> np.ndarray:
    usable = audio[: audio.size // FRAME * FRAME].astype(np.float64).reshape(-1, FRAME)
    return 10 * np.log10(np.mean(usable**2, axis=1) + 1e-12)


def _find(recording: np.ndarray, template: np.ndarray) -> int:
    """Where template best matches recording (normalized cross-correlation)."""
    a, b = recording.astype(np.float64), template.astype(np.float64)
    size = 1 << (a.size + b.size).bit_length()
    valid = a.size - b.size + 1
    corr = np.fft.irfft(np.fft.rfft(a, size) * np.conj(np.fft.rfft(b, size)), size)[:valid]
    energy = np.concatenate(([0.0], np.cumsum(a**2)))
    return int(np.argmax(corr / np.sqrt(np.maximum(energy[b.size :] - energy[:valid], 1e-12))))


def test_the_end_bell_is_heard_to_its_last_20_ms(tmp_path: Path) -> None:
    vg = [sys.executable, "-m", "voiceguide"]
    subprocess.run([*vg, "export", TINY, "-o", str(tmp_path / "tiny.wav")], check=True, capture_output=True)
    plan = json.loads(subprocess.run([*vg, "show", TINY, "--json"], check=True, capture_output=True).stdout)
    export, _ = sf.read(str(tmp_path / "tiny.wav"), dtype="float32")
    recording = record(tmp_path / "rec.raw", TINY, "--quiet")
    bell = next(e["sample"] for e in plan["events"] if e.get("tone") == "end")
    heard = _find(recording, export[bell : bell + RATE // 5])  # its attack, in the recording
    planned_length = (np.flatnonzero(frames_db(export[bell:]) > -60)[-1] + 1) * FRAME
    heard_length = (np.flatnonzero(frames_db(recording[heard:]) > -60)[-1] + 1) * FRAME
    assert heard_length >= planned_length - 2 * FRAME, (heard_length - planned_length) / RATE


def test_a_stop_fades_out_instead_of_cutting_the_sound(tmp_path: Path) -> None:
    heard = frames_db(record(tmp_path / "rec.raw", TINY, stop_after=1.2))  # inside the 3 s start bell
    last = np.flatnonzero(heard > -70)[-1]
    before = heard[last - 30 : last - 12]  # 120-300 ms before the end: the session at full level
    assert np.max(before) > -35  # it was sounding when stopped (a tone or a word)
    # and faded out rather than being cut off: a cut ends at the level it was sounding at; the fade's last
    # 10 ms frame is 20 dB or more under it, but a busy recorder may lose that frame, so 12 dB is the line.
    assert heard[last] < np.max(before) - 12

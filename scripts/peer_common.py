"""What both hand-made peers share: the most careful version of a user's own pipeline, so a ratio against it
flatters nobody (issue 28).

- Speech cached by content hash, as a careful user's script does (speak-script and tools of its kind): the key is
  the engine, voice, rate, settings and text; a clip already made is read back, not spoken again.
- Each clip loudness-normalised once, when it is made, to -16 LUFS (pyloudnorm, the ITU-R BS.1770 meter a Python
  user reaches for) and scaled down if a sample would pass -1 dBFS; the cache keeps it normalised, so a warm run
  does no loudness work (and never imports pyloudnorm and SciPy, ~0.4 s on a quiet machine). Tones sit 10 dB under
  (as voiceguide's do). Unlike voiceguide, the peer does not measure the whole session and lift it to -16 LUFS:
  measuring 48 minutes with pyloudnorm needs the whole session in memory (260 MB as float32, twice that as the
  float64 it computes in) and seconds of CPU; a careful user normalises clips and stops there.
- The session laid out in one pass, each sound at its planned sample (cut before the next one), the silence
  written as zeros as it goes: no sox process per gap or per cut, and no 260 MB array.
- Each phase timed; ``--phases FILE`` writes them as JSON (scripts/bench.py prints their medians).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

RATE = 22050
"""The sample rate of both peers' output (voiceguide's session rate; espeak-ng's and joe's own)."""
TONES = {"press": 880.0, "release": 440.0, "switch": 659.25, "done": 783.99, "start": 220.0, "end": 196.0}
"""A plain sine per tone: what a user would reach for."""
TONE_AMPLITUDE = 0.1
"""A sine of this amplitude is about -26 LUFS: 10 dB under the speech."""
TARGET_LUFS = -16.0
PEAK_CEILING = 10 ** (-1 / 20)


class Phases:
    """Wall seconds of each named phase, in order."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start

    def write(self, path: str | None) -> None:
        if path:
            Path(path).write_text(json.dumps(self.seconds))


class SpeechCache:
    """Clips as 16-bit WAV files named by the hash of everything that makes them."""

    def __init__(self, folder: str | None) -> None:
        self.folder = Path(folder).expanduser() if folder else None
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, *parts: Any) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / (hashlib.sha256(json.dumps(parts).encode()).hexdigest() + ".wav")


def read_wav(path: Path) -> np.ndarray:
    import soundfile as sf

    audio, rate = sf.read(str(path), dtype="float32", always_2d=True)
    if rate != RATE:
        raise SystemExit(f"{path} is {rate} Hz, not {RATE}")
    return audio[:, 0]


def tone(name: str, seconds: float) -> np.ndarray:
    """The tone, 10 ms fade in and 40 ms fade out (sox's `synth S sine F fade q 0.01 S 0.04 vol 0.1`)."""
    n = round(seconds * RATE)
    wave = TONE_AMPLITUDE * np.sin(2 * np.pi * TONES[name] * np.arange(n) / RATE)
    rise, fall = round(0.01 * RATE), round(0.04 * RATE)
    wave[:rise] *= np.sin(np.linspace(0, np.pi / 2, rise)) ** 2
    wave[n - fall :] *= np.cos(np.linspace(0, np.pi / 2, fall)) ** 2
    return wave.astype(np.float32)


def key_of(event: dict[str, Any]) -> tuple[str, str]:
    return event["kind"], event.get("text") or event.get("tone")


def lay_out(plan: dict[str, Any], sounds: dict[tuple[str, str], np.ndarray]) -> list[tuple[int, np.ndarray]]:
    """The session as (silence before, sound) pairs: each sound at its planned sample, cut before the next one.
    (One array for the whole evening would be 260 MB of float32, mostly zeros: the silence is written as it goes.)"""
    events = sorted(plan["events"], key=lambda e: e["sample"])
    parts, cursor = [], 0
    for i, event in enumerate(events):
        end = events[i + 1]["sample"] if i + 1 < len(events) else plan["samples"]
        part = sounds[key_of(event)][: end - event["sample"]]
        parts.append((event["sample"] - cursor, part))
        cursor = event["sample"] + part.size
    parts.append((plan["samples"] - cursor, np.zeros(0, np.float32)))
    return parts


def normalised(clip: np.ndarray) -> np.ndarray:
    """The clip at -16 LUFS (pyloudnorm), scaled down if a sample would pass -1 dBFS."""
    import pyloudnorm

    lufs = pyloudnorm.Meter(RATE).integrated_loudness(clip.astype(np.float64))
    peak = float(np.max(np.abs(clip), initial=0.0))
    if not np.isfinite(lufs) or peak == 0:
        return clip
    return clip * np.float32(min(10 ** ((TARGET_LUFS - lufs) / 20), PEAK_CEILING / peak))


def write_session(path: str, parts: list[tuple[int, np.ndarray]]) -> None:
    """One pass: 16-bit mono WAV, the silences written as zeros in large blocks, already 16-bit (libsndfile need
    not convert 60 million zeros from float)."""
    import soundfile as sf

    zeros = np.zeros(1 << 20, np.int16)
    with sf.SoundFile(path, "w", RATE, 1, "PCM_16") as out:
        for silence, part in parts:
            while silence > 0:
                out.write(zeros[: min(silence, zeros.size)])
                silence -= zeros.size
            if part.size:
                out.write(np.rint(np.clip(part, -1.0, 1.0) * 32767).astype(np.int16))


def piper_length_scale(rate: int) -> float:
    """voiceguide's Piper length_scale for a speech rate (words a minute), so both Piper peers speak as fast."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from voiceguide.speech.piper_engine import length_scale

    return length_scale(rate)


def finish(plan: dict[str, Any], sounds: dict[tuple[str, str], np.ndarray], output: str, phases: Phases) -> None:
    """The last phases every peer shares: the plan's tones made, the session laid out and written."""
    with phases("tones"):
        for event in plan["events"]:
            if event["kind"] == "tone" and key_of(event) not in sounds:
                sounds[key_of(event)] = tone(event["tone"], event["duration"])
    with phases("layout"):
        parts = lay_out(plan, sounds)
    with phases("write"):
        write_session(output, parts)

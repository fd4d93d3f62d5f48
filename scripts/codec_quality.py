#!/usr/bin/env python3
"""Decoded quality of lossy exports: PESQ wide band (ITU-T P.862.2) of each file's speech against the WAV export.

    .venv/bin/pip install pesq          # a measuring tool only, not a dependency of voiceguide
    .venv/bin/python scripts/codec_quality.py audio/evening.wav audio/evening.opus audio/evening.mp3 ...

Both are decoded to 16 kHz (ffmpeg; the lossy files honour their pre-skip / gapless header, so they line
up sample for sample) and compared in 8-second windows that hold speech (RMS above 0.02): the median and
the lowest window's score are printed (PESQ runs from 1, bad, to 4.64).
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np

RATE = 16000
WINDOW = 8 * RATE


def decode(path: str) -> np.ndarray:
    """The file as mono float32 at 16 kHz, decoded by ffmpeg."""
    cmd = ["ffmpeg", "-nostdin", "-loglevel", "error", "-i", path, "-f", "f32le", "-ac", "1", "-ar", str(RATE), "-"]
    return np.frombuffer(subprocess.run(cmd, capture_output=True, check=True).stdout, dtype=np.float32)


def speech_windows(reference: np.ndarray, most: int = 40) -> list[int]:
    """Starts of up to ``most`` windows with speech in them, spread over the whole session."""
    starts = range(0, reference.size - WINDOW, WINDOW)
    loud = [i for i in starts if np.sqrt(np.mean(reference[i : i + WINDOW] ** 2)) > 0.02]
    step = max(1, len(loud) // most)
    return loud[::step][:most]


def main() -> None:
    from pesq import PesqError, pesq

    reference = decode(sys.argv[1])
    windows = speech_windows(reference)
    for path in sys.argv[2:]:
        decoded = decode(path)
        scores = [
            pesq(RATE, reference[i : i + WINDOW], decoded[i : i + WINDOW], "wb", on_error=PesqError.RETURN_VALUES)
            for i in windows
        ]
        scores = [s for s in scores if s > 0]  # -1: PESQ found no utterance in the window
        print(
            f"{path}: PESQ-WB median {np.median(scores):.2f}, lowest {min(scores):.2f} ({len(scores)} windows of 8 s)"
        )


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Decoded quality of lossy exports: PESQ wide band (ITU-T P.862.2) of each file's speech against the WAV export.

    .venv/bin/pip install pesq          # a measuring tool only, not a dependency of voiceguide
    .venv/bin/python scripts/codec_quality.py audio/evening.wav audio/evening.opus audio/evening.mp3 ...

Both are decoded to 16 kHz (ffmpeg; the lossy files honour their pre-skip / gapless header, so they line
up sample for sample) and compared in 8-second windows that hold speech (RMS above 0.02): the median and
the lowest window's score are printed (PESQ runs from 1, bad, to 4.64). With a sound bed in the session,
the bed alone is also compared, in the quietest 2-second windows (no voice, no tone): its decoded level and
the largest difference of any octave band (63 Hz to 11 kHz), in dB.

To try another AAC bit rate on a bed: ffmpeg -i evening.wav -c:a aac -b:a 32k -f ipod bed32.m4b
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np

RATE = 16000
WINDOW = 8 * RATE


def decode(path: str, rate: int = RATE) -> np.ndarray:
    """The file as mono float32 at ``rate``, decoded by ffmpeg."""
    cmd = ["ffmpeg", "-nostdin", "-loglevel", "error", "-i", path, "-f", "f32le", "-ac", "1", "-ar", str(rate), "-"]
    return np.frombuffer(subprocess.run(cmd, capture_output=True, check=True).stdout, dtype=np.float32)


def speech_windows(reference: np.ndarray, most: int = 40) -> list[int]:
    """Starts of up to ``most`` windows with speech in them, spread over the whole session."""
    starts = range(0, reference.size - WINDOW, WINDOW)
    loud = [i for i in starts if np.sqrt(np.mean(reference[i : i + WINDOW] ** 2)) > 0.02]
    step = max(1, len(loud) // most)
    return loud[::step][:most]


SESSION_RATE = 22050
OCTAVES = (62.5, 125, 250, 500, 1000, 2000, 4000, 8000)  # the last up to 11 kHz: the session's top


def _bands(piece: np.ndarray) -> np.ndarray:
    spectrum = np.abs(np.fft.rfft(piece * np.hanning(piece.size))) ** 2
    freq = np.fft.rfftfreq(piece.size, 1 / SESSION_RATE)
    return np.array([10 * np.log10(spectrum[(freq >= f) & (freq < 2 * f)].mean() + 1e-20) for f in OCTAVES])


def bed_difference(reference: np.ndarray, decoded: np.ndarray) -> tuple[float, float, float]:
    """(bed level dBFS, decoded level difference dB, largest octave difference dB) over the quietest windows."""
    size = 2 * SESSION_RATE
    starts = np.arange(0, min(reference.size, decoded.size) - size, size)
    levels = np.array([np.sqrt(np.mean(reference[i : i + size] ** 2)) for i in starts])
    order = np.argsort(levels)
    quiet = starts[order[len(order) // 10 : len(order) // 10 + 60]]  # past the fades, silent or bed alone
    ref_level = np.mean([np.sqrt(np.mean(reference[i : i + size] ** 2)) for i in quiet])
    dec_level = np.mean([np.sqrt(np.mean(decoded[i : i + size] ** 2)) for i in quiet])
    octaves = np.mean([_bands(decoded[i : i + size]) - _bands(reference[i : i + size]) for i in quiet], axis=0)
    return (
        20 * np.log10(ref_level + 1e-12),
        20 * np.log10((dec_level + 1e-12) / (ref_level + 1e-12)),
        float(octaves[np.argmax(np.abs(octaves))]),
    )


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
        bed, level, octave = bed_difference(decode(sys.argv[1], SESSION_RATE), decode(path, SESSION_RATE))
        if bed > -80:  # a session with a bed: its quiet windows are not silent
            print(f"  bed alone ({bed:.1f} dBFS): decoded {level:+.2f} dB, largest octave difference {octave:+.1f} dB")


if __name__ == "__main__":
    main()

"""What scripts/soak.py measures in a recording: event onsets against the plan, the latency segments they
fall in, and the longest silence where the reference export has sound."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FRAME = 0.01
"""Seconds per envelope frame for the gap search."""
SOUND_DB = -45.0
"""A reference frame louder than this has sound the listener should hear."""
SILENT_DB = -60.0
"""A recorded frame quieter than this is silence."""
SEARCH = 1.0
"""Seconds either side of the expected place in which an event is looked for."""
TEMPLATE = 0.15
"""Seconds of each event's start (in the reference export) matched against the recording."""
MATCH = 0.6
"""Normalized correlation a match needs (the same audio through the sound server scores above 0.9)."""
WIDE = 6.0
"""Seconds after the expected place searched when an event is not near it (after a long stall)."""
STEP_MS = 2.0
"""A latency change larger than this starts a new segment (a wait or an underrun shifted the output)."""


def _match(window: np.ndarray, template: np.ndarray) -> tuple[int, float]:
    """(offset, normalized correlation) of the best match of template inside window."""
    n = window.size + template.size
    size = 1 << (n - 1).bit_length()
    corr = np.fft.irfft(np.fft.rfft(window, size) * np.conj(np.fft.rfft(template, size)), size)
    valid = window.size - template.size + 1
    corr = corr[:valid]
    energy = np.concatenate(([0.0], np.cumsum(window.astype(np.float64) ** 2)))
    local = np.sqrt(np.maximum(energy[template.size :] - energy[:valid], 1e-12))
    score = corr / (local * np.linalg.norm(template))
    best = int(np.argmax(score))
    return best, float(score[best])


def _earliest(window: np.ndarray, template: np.ndarray) -> tuple[int | None, float]:
    """The earliest strong match (within 0.05 of the best, and at least MATCH): stalls only delay, and a
    wide window may hold the same tone twice."""
    n = window.size + template.size
    size = 1 << (n - 1).bit_length()
    valid = window.size - template.size + 1
    if valid <= 0:
        return None, 0.0
    corr = np.fft.irfft(np.fft.rfft(window, size) * np.conj(np.fft.rfft(template, size)), size)[:valid]
    energy = np.concatenate(([0.0], np.cumsum(window**2)))
    score = corr / (np.sqrt(np.maximum(energy[template.size :] - energy[:valid], 1e-12)) * np.linalg.norm(template))
    best = float(np.max(score))
    if best < MATCH:
        return None, best
    first = int(np.flatnonzero(score >= best - 0.05)[0])
    return first, float(score[first])


def onsets(recording: np.ndarray, reference: np.ndarray, plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Every event of the plan (tone or speech) found in the recording by matching the reference export's
    first TEMPLATE seconds of it: planned sample, recorded sample, match score."""
    rate = plan["sample_rate"]
    size = round(TEMPLATE * rate)
    found: list[dict[str, Any]] = []
    latency: int | None = None
    for event in plan["events"]:
        template = reference[event["sample"] : event["sample"] + size].astype(np.float64)
        if template.size < size or np.sqrt(np.mean(template**2)) < 1e-3:
            continue  # too quiet at its start to place (or cut off by the end)
        what = event.get("tone") or "speech"
        if latency is None:  # the start bell: search the first 20 s
            lo, hi = 0, min(recording.size, 20 * rate)
        else:
            centre = event["sample"] + latency
            lo, hi = max(0, centre - round(SEARCH * rate)), min(recording.size, centre + round(SEARCH * rate))
        if hi - lo <= size:
            found.append({"sample": event["sample"], "what": what, "heard": None, "score": 0.0})
            continue
        offset, score = _match(recording[lo:hi].astype(np.float64), template)
        heard = lo + offset if score >= MATCH else None
        if heard is None and latency is not None:  # a long stall moved it further: look up to WIDE later
            lo, hi = max(0, centre - round(SEARCH * rate)), min(recording.size, centre + round(WIDE * rate))
            heard, score = _earliest(recording[lo:hi].astype(np.float64), template)
            heard = lo + heard if heard is not None else None
        if heard is not None:
            latency = heard - event["sample"]
        found.append({"sample": event["sample"], "what": what, "heard": heard, "score": round(score, 3)})
    return found


def segments(found: list[dict[str, Any]], rate: int) -> list[dict[str, Any]]:
    """Runs of events sharing one latency (within STEP_MS); each with its latency and worst onset error."""
    runs: list[dict[str, Any]] = []
    for item in found:
        if item["heard"] is None:
            continue
        latency = item["heard"] - item["sample"]
        if not runs or abs(latency - runs[-1]["latencies"][-1]) > STEP_MS * rate / 1000:
            runs.append({"from": item["sample"] / rate, "latencies": []})
        runs[-1]["latencies"].append(latency)
    out = []
    for run in runs:
        values = np.array(run["latencies"])
        middle = float(np.median(values))
        out.append(
            {
                "from_s": round(run["from"], 3),
                "events": int(values.size),
                "latency_ms": round(1000 * middle / rate, 2),
                "worst_error_ms": round(1000 * float(np.max(np.abs(values - middle))) / rate, 3),
            }
        )
    return out


def _envelope_db(audio: np.ndarray, frame: int) -> np.ndarray:
    usable = audio[: audio.size // frame * frame].astype(np.float64).reshape(-1, frame)
    return 10 * np.log10(np.mean(usable**2, axis=1) + 1e-12)


def largest_gap(recording: np.ndarray, reference: np.ndarray, found: list[dict[str, Any]], rate: int) -> dict:
    """The longest run of recorded silence where the reference has sound, in recording time; each
    recorded frame is compared with the reference at the latency of the last event heard before it."""
    frame = round(FRAME * rate)
    rec = _envelope_db(recording, frame)
    ref = _envelope_db(reference, frame)
    heard = [(f["heard"], f["heard"] - f["sample"]) for f in found if f["heard"] is not None]
    if not heard:
        return {"largest_gap_ms": None, "gap_at_s": None, "silent_frames": None}
    starts = np.array([h for h, _ in heard])
    lats = np.array([lat for _, lat in heard])
    centres = np.arange(rec.size) * frame
    index = np.clip(np.searchsorted(starts, centres, side="right") - 1, 0, len(lats) - 1)
    ref_frame = np.round((centres - lats[index]) / frame).astype(int)
    inside = (ref_frame >= 0) & (ref_frame < ref.size) & (centres >= starts[0])
    expected = np.zeros(rec.size, dtype=bool)
    expected[inside] = ref[ref_frame[inside]] > SOUND_DB
    missing = expected & (rec < SILENT_DB)
    longest, at, run = 0, None, 0
    for i, flag in enumerate(missing):
        run = run + 1 if flag else 0
        if run > longest:
            longest, at = run, i - run + 1
    return {
        "largest_gap_ms": round(longest * frame / rate * 1000, 1),
        "gap_at_s": round(at * frame / rate, 2) if at is not None else None,
        "silent_frames": int(missing.sum()),
    }

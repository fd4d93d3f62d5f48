"""The plan as people and programs read it: `voiceguide show`'s table and JSON, and clock times."""

from __future__ import annotations

from typing import Any

from ..routine.library import Routine
from .pacing import Pacing
from .timeline import Kind, Timeline


def to_json(routine: Routine, timeline: Timeline, pacing: Pacing | None = None) -> dict[str, Any]:
    """The plan in the shape `voiceguide show --json` prints."""
    rate = timeline.sample_rate
    played = dict(enumerate(timeline.minutes))
    written = _written_minutes(routine, pacing) if pacing is not None else {}

    def sec(samples: int) -> float:
        return round(samples / rate, 6)

    return {
        "routine": routine.name,
        "title": routine.title,
        "sample_rate": rate,
        "duration": sec(timeline.length),
        "samples": timeline.length,
        "waits": [sec(w) for w in timeline.waits],
        "wait_samples": list(timeline.waits),
        **({"speech_rate": pacing.rate, "voice": pacing.voice} if pacing is not None else {}),
        **({"bed": {"name": pacing.bed, "level_db": pacing.bed_level}} if pacing is not None else {}),
        "steps": [
            {
                "index": s.index,
                "point": s.point.code,
                "name": s.name,
                "technique": s.technique.value,
                "sides": s.sides.value,
                "start": sec(s.start),
                "end": sec(s.end),
                "start_sample": s.start,
                "end_sample": s.end,
                **({"minutes": round(played[s.index], 4)} if s.index in played else {}),
                **({"routine_minutes": written[s.index]} if s.index in written else {}),
            }
            for s in timeline.steps
        ],
        "events": [
            {
                "start": sec(e.start),
                "duration": sec(e.duration),
                "kind": e.kind.value,
                **({"text": e.text} if e.kind is Kind.SPEECH else {"tone": e.tone}),
                "step": e.step,
                "side": e.side,
                "cue": e.cue,
                "sample": e.start,
            }
            for e in timeline.events
        ],
    }


def _written_minutes(routine: Routine, pacing: Pacing) -> dict[int, float]:
    from .steps import session_steps

    return {i: step.minutes for i, step in enumerate(session_steps(routine, pacing))}


def minutes_rows(routine: Routine, pacing: Pacing, timeline: Timeline) -> list[tuple[str, str, str, str, str]]:
    """(point, name, technique, minutes as played, the routine's minutes) per step: what a fit to --length
    (or --scale, --minutes) made of each. Cycles' minutes are per foot, as in the routine."""
    written = _written_minutes(routine, pacing)
    return [
        (s.point.code, s.name, s.technique.value, f"{minutes:.1f}", f"{written[s.index]:g}")
        for s, minutes in zip(timeline.steps, timeline.minutes, strict=True)
    ]


def clock(seconds: float) -> str:
    """``h:mm:ss`` or ``m:ss``."""
    whole = int(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def table_rows(timeline: Timeline) -> list[tuple[str, str, str, str]]:
    """(time, step, side, what) for each event, runs of press/release cycles folded into one row."""
    names = {s.index: s.point.code for s in timeline.steps}
    rows: list[tuple[str, str, str, str]] = []
    events = timeline.events
    i = 0
    while i < len(events):
        e = events[i]
        step = names.get(e.step, "") if e.step is not None else ""
        if e.kind is Kind.TONE and e.tone == "press" and i + 1 < len(events) and events[i + 1].tone == "release":
            j, cycles = i, 0
            while (
                j + 1 < len(events)
                and events[j].tone == "press"
                and events[j + 1].tone == "release"
                and events[j].side == e.side
                and events[j].step == e.step
            ):
                cycles += 1
                j += 2
            if cycles > 1:
                press = (events[i + 1].start - e.start) / timeline.sample_rate
                period = (events[i + 2].start - e.start) / timeline.sample_rate
                rows.append(
                    (
                        clock(e.start / timeline.sample_rate),
                        step,
                        e.side or "",
                        f"[{cycles} cycles: press {press:g} s, release {period - press:g} s]",
                    )
                )
                i = j
                continue
        what = f'"{e.text}"' if e.kind is Kind.SPEECH else f"[{e.tone} tone]"
        rows.append((clock(e.start / timeline.sample_rate), step, e.side or "", what))
        i += 1
    return rows

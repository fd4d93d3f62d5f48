"""Where an interrupted session stopped: saved in the user's state dir, and the point to resume from."""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

from ..errors import SessionError
from ..paths import atomic_write, state_dir
from ..plan.timeline import Phase, Timeline
from ..routine.model import Routine

HOLD_BACKUP: Final = 5.0
"""Seconds a resumed hold or warmth backs up, so the listener can settle in again."""


@dataclass(frozen=True)
class SavedSession:
    """Enough to pick a session up where it stopped."""

    routine: str
    """The routine as it was given: a built-in name or an absolute path."""
    routine_hash: str
    """SHA-256 of the routine's text, to notice a routine that changed since."""
    pacing: dict[str, str]
    """The effective pacing, as values `pacing.parse_layer` reads back."""
    step: int | None
    side: str | None
    offset: int
    """Samples since the start of that step (or of the session when step is None)."""
    position: int
    """Absolute sample where it stopped."""
    sample_rate: int
    saved_at: float
    log_entry: int | None = None
    """The session's entry in the practice log, which a resume continues."""


def where(timeline: Timeline, position: int) -> tuple[int | None, str | None, int]:
    """(step index, side, samples since step start) at a position."""
    step = next((s for s in timeline.steps if s.start <= position < s.end), None)
    if step is None:
        following = [s for s in timeline.steps if s.start > position]
        if following and following[0].index > 0:
            # Between steps (moving) counts as the next step, from its start.
            return following[0].index, None, 0
        return None, None, position  # in the opening or the closing
    sides = [e.side for e in timeline.events if e.step == step.index and e.start <= position and e.side]
    return step.index, sides[-1] if sides else None, position - step.start


def resume_point(timeline: Timeline, saved: SavedSession) -> int:
    """The sample to resume from: the start of the interrupted press cycle, a few seconds back in a hold,
    or the start of the step when it stopped during the talking."""
    # Saved at another sample rate (another engine or voice): the same time, in this timeline's samples.
    offset = round(saved.offset * timeline.sample_rate / saved.sample_rate)
    if saved.step is None:
        # Stopped in the opening: hear it again; in the closing: hear the closing again.
        first = timeline.steps[0].start if timeline.steps else timeline.length
        return 0 if offset < first else timeline.steps[-1].end
    steps = {s.index: s for s in timeline.steps}
    step = steps.get(saved.step)
    if step is None:
        return timeline.steps[-1].start if timeline.steps else 0
    target = min(step.start + offset, step.end - 1)
    index, span = next(
        ((i, s) for i, s in enumerate(timeline.spans) if s.step == step.index and s.start <= target < s.end), (-1, None)
    )
    if span is None:
        return step.start
    if span.phase is Phase.PRESS:
        return span.start
    if span.phase is Phase.RELEASE:
        presses = [s for s in timeline.spans[:index] if s.phase is Phase.PRESS and s.step == span.step]
        return presses[-1].start if presses else span.start
    if span.phase in (Phase.HOLD, Phase.WARMTH):
        return max(span.start, target - round(HOLD_BACKUP * timeline.sample_rate))
    return step.start


def _path() -> Path:
    return state_dir() / "session.json"


def save(session: SavedSession) -> Path:
    """Write the saved session atomically."""
    return atomic_write(_path(), json.dumps(asdict(session), indent=1))


_FIELDS: Final = {
    "routine": (str,),
    "routine_hash": (str,),
    "pacing": (dict,),
    "step": (int, type(None)),
    "side": (str, type(None)),
    "offset": (int,),
    "position": (int,),
    "sample_rate": (int,),
    "saved_at": (int, float),
    "log_entry": (int, type(None)),
}
_OPTIONAL: Final = {"side": None, "position": 0, "saved_at": 0.0, "log_entry": None}
"""Fields a file from another version may lack without making the resume a guess."""


def _checked(data: Any) -> SavedSession:
    """The session in a parsed file: unknown fields (a newer or older version's) are ignored, missing
    ones filled where that is safe; ValueError naming the field otherwise."""
    if not isinstance(data, dict):
        raise ValueError("not a saved session")
    fields = {**_OPTIONAL, **{k: v for k, v in data.items() if k in _FIELDS}}
    for name, kinds in _FIELDS.items():
        if name not in fields:
            raise ValueError(f"{name} is missing")
        value = fields[name]
        if isinstance(value, bool) or not isinstance(value, kinds):
            raise ValueError(f"{name} has the wrong type")
    if fields["offset"] < 0 or fields["sample_rate"] <= 0 or (fields["step"] is not None and fields["step"] < 0):
        raise ValueError("offset, step or sample_rate is out of range")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in fields["pacing"].items()):
        raise ValueError("pacing has the wrong type")
    return SavedSession(**fields)


def load() -> SavedSession:
    """The saved session; SessionError if there is none or it cannot be read (a damaged file is moved
    aside to session.json.bad, so it is reported once and kept for a look)."""
    path = _path()
    try:
        return _checked(json.loads(path.read_bytes().decode("utf-8")))
    except FileNotFoundError:
        raise SessionError(
            "there is no interrupted session to resume; start one with: voiceguide play ROUTINE"
        ) from None
    except OSError as exc:  # unreadable (permissions, a folder in its place): left as it is
        raise SessionError(
            f"the saved session in {path} cannot be read ({exc.strerror or exc}); start again without --resume"
        ) from None
    except ValueError as exc:  # truncated, garbage or another shape
        aside = path.with_name(path.name + ".bad")
        try:
            os.replace(path, aside)
            kept = f"; it was moved to {aside}"
        except OSError:
            kept = ""
        raise SessionError(
            f"the saved session in {path} is damaged ({exc}){kept}; start again without --resume"
        ) from None


def clear() -> None:
    """Forget the saved session (a finished session leaves nothing to resume)."""
    try:
        _path().unlink(missing_ok=True)
    except OSError as exc:  # a read-only state folder: the session itself went well
        warnings.warn(f"could not remove the saved position {_path()}: {exc.strerror or exc}", stacklevel=2)


@dataclass(frozen=True)
class Outcome:
    """How a live session ended."""

    finished: bool
    reason: str
    """finished, quit, interrupted, terminated, hangup, device."""
    position: int
    saved: SavedSession | None
    timeline: Timeline | None
    dropouts: tuple[float, ...]
    """Seconds of each gap in the sound a listener could hear (live/dropouts.py)."""
    bed_failure: str | None = None
    """Why the sound bed stopped early, if it did."""
    listen_lost: str | None = None
    """When and why listening for spoken commands stopped early, if it did."""
    log_note: str | None = None
    """Why the session could not be written to the practice log, if it could not."""


def check_resume(saved: SavedSession, routine: Routine) -> str | None:
    """A warning if the routine changed since the session was saved (None if unchanged)."""
    if saved.routine_hash != routine.digest:
        return (
            f"note: {saved.routine} has changed since this session was saved; "
            "resuming at the same point number, which may now be a different point"
        )
    return None

"""Export a session to a file: loudness pass, streamed encode to a temporary file, tags, atomic rename."""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from ..errors import ExportError
from ..plan import Prepared
from ..render import render
from ..routine import Routine
from .chapters import captions, cue_sheet, write_tags

FORMATS: Final[dict[str, tuple[str, str | None]]] = {
    "wav": ("WAV", "PCM_16"),
    "flac": ("FLAC", "PCM_16"),
    "ogg": ("OGG", "VORBIS"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
}
EXPORT_BLOCK: Final = 65536
"""Samples per block: large enough to keep Python overhead low, small enough to keep memory flat."""
_PART: Final = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.voiceguide-part$")

Progress = Callable[[int], None]
"""Called with the number of samples just written."""


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    path: Path
    seconds: float
    size: int
    gain_db: float
    side_files: tuple[Path, ...]


def choose_format(path: Path | None, fmt: str | None) -> str:
    """The format from ``--format``, else from the file's suffix, else WAV."""
    if fmt:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        return fmt
    if path is not None and path.suffix:
        suffix = path.suffix.lower().lstrip(".")
        if suffix not in FORMATS:
            raise ExportError(f"cannot tell the format from {path.name!r}; use .wav, .flac, .ogg or .mp3, or --format")
        return suffix
    return "wav"


def default_path(routine: Routine, fmt: str) -> Path:
    """``audio/<routine>.<format>`` under the current folder."""
    return Path("audio") / f"{routine.name}.{fmt}"


def remove_stale_parts(folder: Path) -> None:
    """Delete temporary files that an export killed earlier (its process is gone) left behind."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        match = _PART.match(entry.name)
        if match and not _alive(int(match.group("pid"))):
            entry.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def export(
    session: Prepared,
    dest: Path,
    fmt: str,
    *,
    force: bool = False,
    with_captions: bool = False,
    with_cue_sheet: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """Render a prepared session into ``dest``; nothing appears there unless the whole file was written."""
    import soundfile as sf

    routine, timeline, speech, gain = session.routine, session.timeline, session.store.get, session.gain
    side_paths = [
        p for p, on in ((dest.with_suffix(".vtt"), with_captions), (dest.with_suffix(".cue"), with_cue_sheet)) if on
    ]
    if not force:
        for path in (dest, *side_paths):
            if path.exists():
                raise ExportError(f"{path} already exists; use --force to overwrite it")
    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.is_dir():
        if dest.parent == Path("audio"):
            folder.mkdir(parents=True, exist_ok=True)
        else:
            raise ExportError(f"the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise ExportError(f"cannot write in {folder}: permission denied")
    remove_stale_parts(folder)

    major, subtype = FORMATS[fmt]
    part = folder / f".{dest.name}.{os.getpid()}.voiceguide-part"
    try:
        with sf.SoundFile(
            str(part), "w", samplerate=timeline.sample_rate, channels=1, format=major, subtype=subtype
        ) as out:
            # Blocks, never one big write: libsndfile's Vorbis encoder crashes on long buffers.
            silence = np.zeros(EXPORT_BLOCK, dtype=np.int16 if subtype == "PCM_16" else np.float32)
            for block in render(timeline, speech, block=EXPORT_BLOCK, gain=gain):
                if not block.any():  # most of a session is quiet: skip the conversion
                    out.write(silence[: block.size])
                elif subtype == "PCM_16":  # int16 made here, so WAV and FLAC hold the very same samples
                    out.write(np.round(block * 32767).astype(np.int16))
                else:
                    out.write(block)
                if progress is not None:
                    progress(block.size)
        write_tags(part, fmt, routine, timeline)
        side_parts = []
        for path in side_paths:
            text = captions(timeline) if path.suffix == ".vtt" else cue_sheet(routine, timeline, dest.name, fmt)
            side_part = folder / f".{path.name}.{os.getpid()}.voiceguide-part"
            side_part.write_text(text, encoding="utf-8")
            side_parts.append((side_part, path))
        size = part.stat().st_size
        os.replace(part, dest)
        for side_part, path in side_parts:
            os.replace(side_part, path)
    except OSError as exc:
        raise ExportError(f"could not write {dest}: {exc.strerror or exc}; nothing was left at {dest}") from None
    except (sf.LibsndfileError, RuntimeError) as exc:
        free = shutil.disk_usage(folder).free
        hint = " (the disk is full)" if free < 1_000_000 else " (is the disk full, or the file too large?)"
        raise ExportError(f"could not write {dest}: {exc}{hint}; nothing was left at {dest}") from None
    finally:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
        for path in side_paths:
            with contextlib.suppress(OSError):
                (folder / f".{path.name}.{os.getpid()}.voiceguide-part").unlink(missing_ok=True)
    return ExportResult(dest, timeline.duration, size, 20 * math.log10(gain) if gain > 0 else 0.0, tuple(side_paths))

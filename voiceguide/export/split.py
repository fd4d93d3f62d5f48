"""`export --split`: one file per chapter, ``NN-name.ext`` in a folder named after the routine, all or nothing.

The session is rendered once and cut at the chapter marks, so the parts of a WAV or FLAC export,
put end to end, are the single-file export sample for sample.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from dataclasses import replace
from pathlib import Path

from ..errors import ExportError
from ..prepare import Prepared
from ..words import catalogue
from .chapters import Chapter, Tags, chapters, write_tags
from .formats import gain_db
from .pictures import Drawing
from .sinks import open_sink
from .writer import ExportResult, Progress, encode, export_gain, reported, temporary, writable_folder


def split_folder(dest: Path) -> Path:
    """The folder a split export fills: ``-o phone/evening.m4b`` gives ``phone/evening/``."""
    return dest.with_suffix("")


def part_names(marks: list[Chapter], fmt: str) -> list[str]:
    """``01-introduction.m4b``, ``02-liver-3.m4b``, …: numbered so they sort, named so they read."""
    width = max(2, len(str(len(marks))))
    names = []
    for n, mark in enumerate(marks, start=1):
        slug = re.sub(r"[^\w]+", "-", mark.title.lower()).strip("-_") or "part"
        names.append(f"{n:0{width}d}-{slug}.{fmt}")
    return names


def export_split(
    session: Prepared, dest: Path, fmt: str, *, force: bool = False, progress: Progress | None = None
) -> ExportResult:
    """Write one file per chapter into ``split_folder(dest)``; it appears only once every part is complete."""
    routine, timeline = session.routine, session.timeline
    final = split_folder(dest)
    if final.exists() and not final.is_dir():
        raise ExportError(f"{final} exists and is not a folder")
    parent = writable_folder(final, force)
    words = catalogue(routine.language)
    marks = chapters(timeline, words)
    if not marks:
        raise ExportError("the session has no chapters to split at")
    names = part_names(marks, fmt)
    total = len(marks)
    tags = [
        Tags(mark.title, routine.title, timeline.sample_rate, track=(n, total), language=(words.tag, words.iso639_2))
        for n, mark in enumerate(marks, start=1)
    ]
    drawing = Drawing(fmt, routine, session.pacing, marks, timeline)  # the pictures, drawn while it encodes
    cuts = [m.start for m in marks] + [timeline.length]
    building = temporary(final)
    old = temporary(final, "old")
    try:
        with reported(final, parent):
            building.mkdir()
            gain = export_gain(session, fmt)
            encode(
                session,
                gain,
                cuts,
                lambda i: open_sink(fmt, building / names[i], timeline.sample_rate, tags[i]),
                progress,
            )
            pictures = drawing.result()
            per_part = pictures.chapters or (b"",) * len(names)
            for name, tag, picture in zip(names, tags, per_part, strict=True):
                write_tags(building / name, fmt, replace(tag, cover=picture or pictures.cover))
            size = sum((building / name).stat().st_size for name in names)
            if final.exists():  # --force: the old folder steps aside only once the new one is whole
                os.replace(final, old)
                try:
                    os.replace(building, final)
                except OSError:
                    os.replace(old, final)
                    raise
            else:
                os.replace(building, final)
    finally:
        for leftover in (building, old):
            with contextlib.suppress(OSError):
                shutil.rmtree(leftover)
    return ExportResult(final, timeline.duration, size, gain_db(gain), (), tuple(final / name for name in names))

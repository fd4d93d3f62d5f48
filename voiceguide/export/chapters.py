"""Chapters, tags and side files for exports: ID3 CHAP/CTOC, Vorbis CHAPTERxx, WAV cue points, VTT, CUE."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from ..routine import Routine
from ..timeline import Kind, Timeline

ARTIST = "voiceguide"


@dataclass(frozen=True)
class Chapter:
    """One chapter: a step of the session, from its first sample to the next step's."""

    title: str
    start: int
    end: int


def chapters(timeline: Timeline) -> list[Chapter]:
    """One chapter per step; the first starts at 0 (with the opening), the last ends with the file."""
    steps = timeline.steps
    out = []
    for i, step in enumerate(steps):
        start = 0 if i == 0 else step.start
        end = steps[i + 1].start if i + 1 < len(steps) else timeline.length
        out.append(Chapter(step.name, start, end))
    return out


def _stamp(samples: int, rate: int, sep: str = ".") -> str:
    ms = round(samples * 1000 / rate)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def write_tags(path: Path, fmt: str, routine: Routine, timeline: Timeline) -> None:
    """Embed title/artist/album and one chapter per step in the file at ``path``."""
    marks = chapters(timeline)
    if fmt == "mp3":
        _id3(path, routine, timeline, marks)
    elif fmt in ("flac", "ogg"):
        _vorbis(path, fmt, routine, timeline, marks)
        if fmt == "ogg":
            fix_ogg_serial(path)
    elif fmt == "wav":
        _wav(path, routine, marks)


def _id3(path: Path, routine: Routine, timeline: Timeline, marks: list[Chapter]) -> None:
    from mutagen.id3 import CHAP, CTOC, ID3, TALB, TIT2, TIT3, TPE1, CTOCFlags

    tags = ID3()
    tags.add(TIT2(encoding=3, text=routine.title))
    tags.add(TPE1(encoding=3, text=ARTIST))
    tags.add(TALB(encoding=3, text=routine.title))
    ids = [f"ch{i:03d}" for i in range(len(marks))]
    tags.add(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=3, text=routine.title)],
        )
    )
    # mutagen writes frames by size, then key; players such as ffmpeg read chapters in file
    # order. A subtitle padded to one common length makes every CHAP frame the same size,
    # so they are written in the order of their ids, which is time order.
    subtitles = [f"{step.point.code}, {step.technique.value}" for step in timeline.steps]
    width = max(len(m.title.encode()) + len(t.encode()) for m, t in zip(marks, subtitles, strict=True))
    for cid, mark, subtitle in zip(ids, marks, subtitles, strict=True):
        padded = subtitle + " " * (width - len(mark.title.encode()) - len(subtitle.encode()))
        tags.add(
            CHAP(
                element_id=cid,
                start_time=round(mark.start * 1000 / timeline.sample_rate),
                end_time=round(mark.end * 1000 / timeline.sample_rate),
                sub_frames=[TIT2(encoding=3, text=mark.title), TIT3(encoding=3, text=padded)],
            )
        )
    tags.save(str(path), v2_version=3)


def _vorbis(path: Path, fmt: str, routine: Routine, timeline: Timeline, marks: list[Chapter]) -> None:
    if fmt == "flac":
        from mutagen.flac import FLAC as Tagged
    else:
        from mutagen.oggvorbis import OggVorbis as Tagged
    audio = Tagged(str(path))
    if audio.tags is None:
        audio.add_tags()
    audio["TITLE"] = routine.title
    audio["ARTIST"] = ARTIST
    audio["ALBUM"] = routine.title
    for i, mark in enumerate(marks, start=1):
        audio[f"CHAPTER{i:03d}"] = _stamp(mark.start, timeline.sample_rate)
        audio[f"CHAPTER{i:03d}NAME"] = mark.title
    audio.save()


OGG_SERIAL = 0x76676964  # "vgid": a fixed stream serial, so the same session gives the same bytes


def fix_ogg_serial(path: Path) -> None:
    """Give every page of an Ogg file one fixed serial (libsndfile picks a random one each time)."""
    from mutagen.ogg import OggPage

    fixed = path.with_name(path.name + ".serial")
    try:
        with path.open("rb") as source, fixed.open("wb") as out:
            while True:
                try:
                    page = OggPage(source)
                except EOFError:
                    break
                page.serial = OGG_SERIAL
                out.write(page.write())
        fixed.replace(path)
    finally:
        fixed.unlink(missing_ok=True)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("<I", len(body)) + body + (b"\0" if len(body) % 2 else b"")


def _wav(path: Path, routine: Routine, marks: list[Chapter]) -> None:
    # RIFF 'cue ' points with 'LIST'/'adtl' labels (what audio editors read as markers),
    # plus 'LIST'/'INFO' tags; appended after the data chunk, RIFF size updated.
    points = b"".join(struct.pack("<II4sIII", i + 1, m.start, b"data", 0, 0, m.start) for i, m in enumerate(marks))
    cue = _chunk(b"cue ", struct.pack("<I", len(marks)) + points)
    labels = b"".join(_chunk(b"labl", struct.pack("<I", i + 1) + m.title.encode() + b"\0") for i, m in enumerate(marks))
    adtl = _chunk(b"LIST", b"adtl" + labels)
    info = _chunk(
        b"LIST",
        b"INFO"
        + b"".join(
            _chunk(k, v.encode() + b"\0")
            for k, v in ((b"INAM", routine.title), (b"IART", ARTIST), (b"IPRD", routine.title))
        ),
    )
    with path.open("r+b") as f:
        head = f.read(12)
        if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            raise ValueError(f"{path} is not a RIFF WAVE file")
        f.seek(0, 2)
        if f.tell() % 2:
            f.write(b"\0")
        f.write(cue + adtl + info)
        size = f.tell() - 8
        f.seek(4)
        f.write(struct.pack("<I", size))


def captions(timeline: Timeline) -> str:
    """WebVTT with every spoken cue at its exact time."""
    rate = timeline.sample_rate
    lines = ["WEBVTT", ""]
    for n, event in enumerate((e for e in timeline.events if e.kind is Kind.SPEECH), start=1):
        lines += [str(n), f"{_stamp(event.start, rate)} --> {_stamp(event.end, rate)}", event.text or "", ""]
    return "\n".join(lines)


def cue_sheet(routine: Routine, timeline: Timeline, audio_name: str, fmt: str) -> str:
    """A CUE sheet with one track per step."""
    kind = {"wav": "WAVE", "mp3": "MP3"}.get(fmt, "WAVE")
    rate = timeline.sample_rate
    lines = [f'PERFORMER "{ARTIST}"', f'TITLE "{_quote(routine.title)}"', f'FILE "{_quote(audio_name)}" {kind}']
    for i, mark in enumerate(chapters(timeline), start=1):
        frames = mark.start * 75 // rate  # CUE time is minutes:seconds:frames, 75 frames a second
        m, rest = divmod(frames, 75 * 60)
        s, f = divmod(rest, 75)
        lines += [
            f"  TRACK {i:02d} AUDIO",
            f'    TITLE "{_quote(mark.title)}"',
            f"    INDEX 01 {m:02d}:{s:02d}:{f:02d}",
        ]
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return text.replace('"', "'")

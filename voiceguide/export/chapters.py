"""Chapters, tags and side files for exports: ID3 CHAP/CTOC, Vorbis CHAPTERxx, WAV cue points, VTT, CUE."""

from __future__ import annotations

import errno
import struct
from dataclasses import dataclass
from pathlib import Path

from ..plan.timeline import Kind, Timeline
from ..routine.library import Routine
from ..words import SOURCE, Words, catalogue
from . import artwork

ARTIST = "voiceguide"
EDGE_SECONDS = 3.0
"""The opening and the closing get chapters of their own when longer than this (they always are,
with their bells: the start bell alone is 3 s); shorter ones join the first or last point."""


@dataclass(frozen=True)
class Chapter:
    """One chapter, from its first sample to the next chapter's: the opening, a step, or the closing."""

    title: str
    start: int
    end: int
    subtitle: str = ""
    """What a player may show under the title: the point's code and technique."""


@dataclass(frozen=True)
class Tags:
    """What a file says about itself: names, track number, chapters (times in samples at ``rate``)."""

    title: str
    album: str
    rate: int
    chapters: tuple[Chapter, ...] = ()
    track: tuple[int, int] | None = None
    """(number, total) when the file is one part of a split export."""
    artist: str = ARTIST
    cover: bytes = b""
    """The file's picture (PNG), or none."""
    pictures: tuple[bytes, ...] = ()
    """A PNG per chapter (MP3 only); an empty one leaves that chapter to the cover."""
    language: tuple[str, str] = (SOURCE, "eng")
    """The language spoken: its BCP 47 tag (Vorbis comments) and ISO 639-2 code (MP4, ID3)."""


def chapters(timeline: Timeline, words: Words | None = None) -> list[Chapter]:
    """Introduction, one chapter per step, Closing (titled in the session's language); together they cover
    the file without a gap."""
    words = words or catalogue(SOURCE)
    steps = timeline.steps
    if not steps:
        return []
    edge = round(EDGE_SECONDS * timeline.sample_rate)
    first = steps[0].start if steps[0].start > edge else 0
    last = steps[-1].end if timeline.length - steps[-1].end > edge else timeline.length
    out = [Chapter(words.label("chapter_introduction"), 0, first, words.label("subtitle_opening"))] if first else []
    for i, step in enumerate(steps):
        start = first if i == 0 else step.start
        end = steps[i + 1].start if i + 1 < len(steps) else last
        technique = words.label(f"technique_{step.technique.value}")
        out.append(Chapter(step.name, start, end, f"{step.point.code}, {technique}"))
    if last < timeline.length:
        out.append(Chapter(words.label("chapter_closing"), last, timeline.length, words.label("subtitle_closing")))
    return out


def session_tags(routine: Routine, timeline: Timeline) -> Tags:
    """The tags of a whole-session file: the routine's title, a chapter per part of the session."""
    words = catalogue(routine.language)
    marks = tuple(chapters(timeline, words))
    return Tags(routine.title, routine.title, timeline.sample_rate, marks, language=(words.tag, words.iso639_2))


def _stamp(samples: int, rate: int, sep: str = ".") -> str:
    ms = round(samples * 1000 / rate)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def write_tags(path: Path, fmt: str, tags: Tags) -> None:
    """Embed names, track number and chapters in the file at ``path`` (M4B/M4A get theirs while encoding)."""
    if fmt == "mp3":
        _id3(path, tags)
    elif fmt in ("m4b", "m4a") and tags.cover:
        artwork.mp4_cover(path, tags.cover)
    elif fmt in ("flac", "ogg", "opus"):
        _vorbis(path, fmt, tags)
        if fmt != "flac":
            fix_ogg_serial(path)
    elif fmt == "wav":
        _wav(path, tags)


def _id3(path: Path, tags: Tags) -> None:
    from mutagen.id3 import CHAP, CTOC, ID3, PRIV, TALB, TIT2, TIT3, TLAN, TPE1, TRCK, CTOCFlags

    id3 = ID3()
    id3.add(TIT2(encoding=3, text=tags.title))
    id3.add(TLAN(encoding=3, text=tags.language[1]))
    id3.add(TPE1(encoding=3, text=tags.artist))
    id3.add(TALB(encoding=3, text=tags.album))
    if tags.track:
        id3.add(TRCK(encoding=3, text=f"{tags.track[0]}/{tags.track[1]}"))
    if tags.cover:
        id3.add(artwork.apic(tags.cover))
    marks = tags.chapters
    pictures = tags.pictures or (b"",) * len(marks)
    if not marks:
        id3.save(str(path), v2_version=3)
        return
    ids = [f"ch{i:03d}" for i in range(len(marks))]
    id3.add(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=3, text=tags.title)],
        )
    )

    # mutagen writes frames by size, then key; players such as ffmpeg read chapters in file
    # order. A hidden PRIV sub-frame padded to one common length makes every CHAP frame the same
    # size, so they are written in the order of their ids, which is time order (the titles and
    # subtitles a player shows stay exactly as they are).
    # (ID3v2.3 stores the texts as UTF-16, so their sizes are measured that way.) A chapter's picture counts
    # too; only points have one, and theirs differ by a few kB, so the padding stays small.
    def size(mark: Chapter, picture: bytes) -> int:
        pic = artwork.apic_size(picture) if picture else 0
        return len(mark.title.encode("utf-16")) + len(mark.subtitle.encode("utf-16")) + pic

    width = max(size(m, p) for m, p in zip(marks, pictures, strict=True))
    for cid, mark, picture in zip(ids, marks, pictures, strict=True):
        pad = b"\0" * (1 + width - size(mark, picture))
        id3.add(
            CHAP(
                element_id=cid,
                start_time=round(mark.start * 1000 / tags.rate),
                end_time=round(mark.end * 1000 / tags.rate),
                sub_frames=[
                    TIT2(encoding=3, text=mark.title),
                    TIT3(encoding=3, text=mark.subtitle),
                    *([artwork.apic(picture)] if picture else []),
                    PRIV(owner="voiceguide", data=pad),
                ],
            )
        )
    id3.save(str(path), v2_version=3)


def _vorbis(path: Path, fmt: str, tags: Tags) -> None:
    if fmt == "flac":
        from mutagen.flac import FLAC as Tagged
    elif fmt == "opus":
        from mutagen.oggopus import OggOpus as Tagged
    else:
        from mutagen.oggvorbis import OggVorbis as Tagged
    audio = Tagged(str(path))
    if audio.tags is None:
        audio.add_tags()
    audio["TITLE"] = tags.title
    audio["ARTIST"] = tags.artist
    audio["ALBUM"] = tags.album
    audio["LANGUAGE"] = tags.language[0]
    if tags.track:
        audio["TRACKNUMBER"] = str(tags.track[0])
        audio["TRACKTOTAL"] = str(tags.track[1])
    for i, mark in enumerate(tags.chapters, start=1):
        audio[f"CHAPTER{i:03d}"] = _stamp(mark.start, tags.rate)
        audio[f"CHAPTER{i:03d}NAME"] = mark.title
    if tags.cover and fmt == "flac":
        audio.clear_pictures()
        audio.add_picture(artwork.flac_picture(tags.cover))
    elif tags.cover:
        audio["METADATA_BLOCK_PICTURE"] = artwork.vorbis_picture(tags.cover)
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


def _wav(path: Path, tags: Tags) -> None:
    # RIFF 'cue ' points with 'LIST'/'adtl' labels (what audio editors read as markers),
    # plus 'LIST'/'INFO' tags; appended after the data chunk, RIFF size updated.
    marks = tags.chapters
    points = b"".join(struct.pack("<II4sIII", i + 1, m.start, b"data", 0, 0, m.start) for i, m in enumerate(marks))
    cue = _chunk(b"cue ", struct.pack("<I", len(marks)) + points) if marks else b""
    labels = b"".join(_chunk(b"labl", struct.pack("<I", i + 1) + m.title.encode() + b"\0") for i, m in enumerate(marks))
    adtl = _chunk(b"LIST", b"adtl" + labels) if marks else b""
    info_tags = [(b"INAM", tags.title), (b"IART", tags.artist), (b"IPRD", tags.album), (b"ILNG", tags.language[0])]
    if tags.track:
        info_tags.append((b"ITRK", str(tags.track[0])))
    info = _chunk(b"LIST", b"INFO" + b"".join(_chunk(k, v.encode() + b"\0") for k, v in info_tags))
    with path.open("r+b") as f:
        head = f.read(12)
        if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            raise ValueError(f"{path} is not a RIFF WAVE file")
        f.seek(0, 2)
        if f.tell() % 2:
            f.write(b"\0")
        f.write(cue + adtl + info)
        size = f.tell() - 8
        if size > 0xFFFFFFFF:
            raise OSError(errno.EFBIG, "the session is too long for a WAV file (4 GB); export it as FLAC")
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
    """A CUE sheet with a track per chapter: Introduction, each point, Closing."""
    kind = {"wav": "WAVE", "mp3": "MP3"}.get(fmt, "WAVE")
    rate = timeline.sample_rate
    lines = [f'PERFORMER "{ARTIST}"', f'TITLE "{_quote(routine.title)}"', f'FILE "{_quote(audio_name)}" {kind}']
    for i, mark in enumerate(chapters(timeline, catalogue(routine.language)), start=1):
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

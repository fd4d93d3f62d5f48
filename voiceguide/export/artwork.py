"""Pictures into tags: MP4 ``covr``, ID3 ``APIC`` (also inside a chapter), FLAC and Ogg picture blocks."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

DESCRIPTION = "Where to press"


def mp4_cover(path: Path, png: bytes) -> None:
    """Add ``covr`` to an MP4 file written without it (PyAV writes the chapters and tags; mutagen adds this)."""
    from mutagen.mp4 import MP4, MP4Cover

    mp4 = MP4(str(path))
    if mp4.tags is None:
        mp4.add_tags()
    mp4.tags["covr"] = [MP4Cover(png, imageformat=MP4Cover.FORMAT_PNG)]  # type: ignore[index]
    mp4.save()


def apic(png: bytes, description: str = DESCRIPTION) -> Any:
    """An ID3 front-cover picture frame (also valid as a sub-frame of a chapter)."""
    from mutagen.id3 import APIC, PictureType

    return APIC(encoding=3, mime="image/png", type=PictureType.COVER_FRONT, desc=description, data=png)


def apic_size(png: bytes) -> int:
    """Bytes an ``apic(png)`` frame takes in ID3v2.3: header 10, encoding 1, MIME and its NUL, type 1,
    the description as UTF-16 with BOM and a 2-byte NUL, then the data."""
    return 10 + 1 + len("image/png") + 1 + 1 + 2 + 2 * len(DESCRIPTION) + 2 + len(png)


def flac_picture(png: bytes) -> Any:
    """A FLAC picture block: the front cover."""
    from mutagen.flac import Picture

    picture = Picture()
    picture.type = 3  # front cover
    picture.mime = "image/png"
    picture.desc = DESCRIPTION
    picture.width, picture.height = png_size(png)
    picture.depth = 32
    picture.data = png
    return picture


def vorbis_picture(png: bytes) -> str:
    """The ``METADATA_BLOCK_PICTURE`` comment Ogg Vorbis and Opus players read a cover from."""
    return base64.b64encode(flac_picture(png).write()).decode("ascii")


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")

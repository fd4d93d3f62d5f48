"""The export formats: which exist, how a file name picks one, and the headroom each lossy codec needs."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ..errors import ExportError

if TYPE_CHECKING:
    from ..routine.library import Routine


@dataclass(frozen=True)
class Format:
    """One export format; its name is also its file suffix."""

    name: str
    what: str
    ceiling_db: float
    """Highest sample fed to the encoder, dBFS. Lossy codecs overshoot the peaks they are given
    (measured on the evening routine, decoded with ffmpeg: MP3 +0.6 dB, AAC +1.3, Vorbis +1.8,
    Opus +2.2 with libsndfile's encoder, +1.0 with FFmpeg's libopus now used), so each gets room for its
    overshoot plus about 0.7 dB; the decoded file then stays at or under -1 dBFS."""

    @property
    def lossy(self) -> bool:
        """Whether decoding gives back other samples than were written."""
        return self.ceiling_db < -1.0


FORMATS: Final[dict[str, Format]] = {
    f.name: f
    for f in (
        Format("m4b", "AAC audiobook with chapters (Apple Books, audiobook apps)", -3.0),
        Format("m4a", "AAC with chapters, as music/podcast", -3.0),
        Format("mp3", "MP3, plays anywhere; ID3 chapters", -2.0),
        Format("opus", "Ogg Opus, the smallest for speech", -4.0),
        Format("ogg", "Ogg Vorbis", -3.5),
        Format("flac", "lossless, same samples as WAV", -1.0),
        Format("wav", "uncompressed PCM with cue points", -1.0),
    )
}
DEFAULT_FORMAT: Final = "m4b"
"""Without -o: small (AAC at 64 kbit/s, mostly silence), plays on iPhone and Android, and the
format whose chapters phones' audiobook players show, so "next chapter" skips to the next point."""


def supported() -> str:
    """``.m4b, .m4a, …, .flac or .wav``."""
    names = [f".{name}" for name in FORMATS]
    return ", ".join(names[:-1]) + " or " + names[-1]


def choose_format(path: Path | None, fmt: str | None) -> str:
    """The format a file name asks for; ``--format`` must agree with it. Without a path: ``fmt`` or the default.

    A name without a suffix is an error rather than a guess: the file name is what a phone goes by.
    """
    if fmt is not None:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise ExportError(f"{fmt!r} is not a supported format; use {supported()}")
    if path is None:
        return fmt or DEFAULT_FORMAT
    suffix = path.suffix.lower().lstrip(".")
    if not suffix:
        hint = f"{path.name}.{fmt}" if fmt else f"{path.name}.{DEFAULT_FORMAT}"
        raise ExportError(f"{path.name!r} has no suffix to tell the format; name it like {hint!r} ({supported()})")
    if suffix not in FORMATS:
        raise ExportError(f".{suffix} is not a supported format; use {supported()}")
    if fmt is not None and fmt != suffix:
        raise ExportError(f"--format {fmt} disagrees with the name {path.name!r}; drop --format or rename the file")
    return suffix


def default_path(routine: Routine, fmt: str) -> Path:
    """``audio/<routine>.<format>`` under the current folder (``audio/evening.de.m4b`` in another language than
    English, so the translations do not overwrite each other)."""
    language = "" if routine.language == "en" else f".{routine.language}"
    return Path("audio") / f"{routine.name}{language}.{fmt}"


def format_gain(gain: float, peak: float, fmt: str) -> float:
    """The session's gain, lowered where needed so no sample fed to ``fmt``'s encoder is above its ceiling."""
    if not FORMATS[fmt].lossy:
        return gain  # the loudness gain already keeps PCM at or under -1 dBFS
    ceiling = 10 ** (FORMATS[fmt].ceiling_db / 20)
    if peak <= 0 or gain * peak <= ceiling:
        return gain
    return ceiling / peak


def gain_db(gain: float) -> float:
    """A linear gain in dB."""
    return 20 * math.log10(gain) if gain > 0 else 0.0

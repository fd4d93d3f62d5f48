"""The libsndfile encoders (FLAC, Ogg Vorbis, MP3), through ctypes, from the copy that encodes each fastest.

Two copies are usually at hand: the system's (Debian's libsndfile1, linked to Debian's libmp3lame and libFLAC)
and the one bundled in soundfile's wheel. Measured on the evening routine (the same bytes out):
- MP3 (LAME VBR quality 4): 10.5 s of CPU with the bundled copy (its LAME is built slow), 2.9 s with the
  system's, as fast as FFmpeg's libmp3lame on the same WAV (2.9 s). MP3 and Ogg take the system's copy.
- FLAC (level 5): 0.55 s of CPU with the bundled copy (libsndfile 1.2.2 and its libFLAC), 0.68 s with the
  system's (1.2.0). FLAC takes the bundled copy.
Either falls back to the other. ctypes rather than cffi: cffi parses its declarations with pycparser at run
time, 0.2 s of every FLAC, Ogg or MP3 export; ctypes releases the GIL during each call just the same.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

SFM_WRITE: Final = 0x20
FORMATS: Final[dict[str, int]] = {
    "flac": 0x170000 | 0x0002,  # FLAC, PCM_16
    "ogg": 0x200000 | 0x0060,  # OGG, VORBIS
    "mp3": 0x230000 | 0x0082,  # MPEG, MPEG_LAYER_III
}
BUNDLED_FIRST: Final = frozenset({"flac"})
"""The formats the bundled copy encodes faster than the system's (see above)."""


class _Info(ctypes.Structure):
    _fields_ = [  # ctypes' own way of declaring a struct
        ("frames", ctypes.c_int64),
        ("samplerate", ctypes.c_int),
        ("channels", ctypes.c_int),
        ("format", ctypes.c_int),
        ("sections", ctypes.c_int),
        ("seekable", ctypes.c_int),
    ]


@dataclass(frozen=True)
class Library:
    """One libsndfile, opened."""

    path: str
    handle: ctypes.CDLL

    @property
    def version(self) -> str:
        """e.g. ``libsndfile-1.2.0``."""
        return self.handle.sf_version_string().decode()


def _open(path: str) -> Library:
    lib = ctypes.CDLL(path)
    # The signatures of the few calls an encoder needs (sndfile.h).
    lib.sf_open.restype, lib.sf_open.argtypes = ctypes.c_void_p, [ctypes.c_char_p, ctypes.c_int, ctypes.c_void_p]
    for name in ("sf_writef_float", "sf_writef_short"):
        call = getattr(lib, name)
        call.restype, call.argtypes = ctypes.c_int64, [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
    lib.sf_strerror.restype, lib.sf_strerror.argtypes = ctypes.c_char_p, [ctypes.c_void_p]
    lib.sf_version_string.restype, lib.sf_version_string.argtypes = ctypes.c_char_p, []
    lib.sf_close.restype, lib.sf_close.argtypes = ctypes.c_int, [ctypes.c_void_p]
    return Library(path, lib)


@functools.cache
def library(fmt: str) -> Library:
    """The libsndfile that encodes ``fmt`` (see the module's docstring on which); ImportError without either."""
    order = (_bundled_path, _system_path) if fmt in BUNDLED_FIRST else (_system_path, _bundled_path)
    for path in (find() for find in order):
        if path:
            try:
                return _open(path)
            except OSError:
                continue
    raise ImportError("no libsndfile: install libsndfile1 or the soundfile package")


def _bundled_path() -> str | None:
    """The libsndfile in soundfile's wheel (a folder of its own), found without importing soundfile."""
    spec = importlib.util.find_spec("_soundfile_data")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        for entry in sorted(Path(folder).glob("libsndfile*")):
            return str(entry)
    return None


@functools.cache
def _system_path() -> str | None:
    """The system's libsndfile as a full path: opened by its name (libsndfile.so.1), the loader would hand
    back soundfile's bundled copy once that is loaded, since both carry that name."""
    ldconfig = shutil.which("ldconfig", path=f"/sbin:/usr/sbin:{os.environ.get('PATH', '')}")
    if ldconfig is None:
        return None
    try:
        listing = subprocess.run([ldconfig, "-p"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    machine = os.uname().machine.replace("_", "-")
    candidates = []
    for line in listing.splitlines():
        entry, _, where = line.strip().partition(" => ")
        if entry.startswith("libsndfile.so.") and os.path.isabs(where):
            candidates.append((machine not in entry, where))  # this machine's architecture first
    return min(candidates)[1] if candidates else None


class Encoder:
    """One libsndfile file being written, mono, in the format named."""

    def __init__(self, path: Path, fmt: str, rate: int) -> None:
        self._lib = library(fmt).handle
        info = _Info(0, rate, 1, FORMATS[fmt], 0, 0)
        self._file: int | None = self._lib.sf_open(os.fsencode(path), SFM_WRITE, ctypes.byref(info))
        if not self._file:
            self._file = None
            raise RuntimeError(f"Error opening {str(path)!r}: {self._error()}")

    def _error(self) -> str:
        return (self._lib.sf_strerror(self._file) or b"").decode(errors="replace")

    def write(self, samples: np.ndarray) -> None:
        """Append float32 or int16 samples; a short write (a full disk, a file too large) raises RuntimeError."""
        samples = np.ascontiguousarray(samples, dtype=np.int16 if samples.dtype == np.int16 else np.float32)
        writef = self._lib.sf_writef_short if samples.dtype == np.int16 else self._lib.sf_writef_float
        done = writef(self._file, samples.ctypes.data, samples.size)
        if done != samples.size:
            raise RuntimeError(f"wrote {done} of {samples.size} samples: {self._error()}")

    def close(self) -> None:
        """Finish the file (no fsync: see sinks.py on why an export does not wait for the disk)."""
        if self._file is not None:
            file, self._file = self._file, None
            if self._lib.sf_close(file) != 0:
                raise RuntimeError(f"could not finish the file: {self._error()}")

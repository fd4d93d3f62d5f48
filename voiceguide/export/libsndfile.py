"""The libsndfile encoders (FLAC, Ogg Vorbis, MP3), from the system's libsndfile when there is one.

Why not soundfile's own copy: the libsndfile bundled in soundfile's wheel carries a LAME built slow. Measured
on the evening routine (MP3, LAME VBR quality 4, the same bytes out): 10.5 s of CPU with the bundled copy,
2.9 s with Debian's libsndfile1 (linked to Debian's libmp3lame), as fast as FFmpeg's libmp3lame on the same
WAV (2.9 s). So the system's library is opened here, through the few calls an encoder needs; without one
(another OS) soundfile's bundled copy is used, slower but the same format.
"""

from __future__ import annotations

import ctypes.util
import functools
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Final

import numpy as np

_DECLARATIONS: Final = """
typedef int64_t sf_count_t;
typedef struct SNDFILE_tag SNDFILE;
typedef struct SF_INFO { sf_count_t frames; int samplerate; int channels; int format; int sections; int seekable; } SF_INFO;
SNDFILE* sf_open(const char *path, int mode, SF_INFO *sfinfo);
int sf_command(SNDFILE *sndfile, int command, void *data, int datasize);
sf_count_t sf_writef_float(SNDFILE *sndfile, const float *ptr, sf_count_t frames);
sf_count_t sf_writef_short(SNDFILE *sndfile, const short *ptr, sf_count_t frames);
const char* sf_strerror(SNDFILE *sndfile);
const char* sf_version_string(void);
int sf_close(SNDFILE *sndfile);
"""
SFM_WRITE: Final = 0x20
SFC_SET_COMPRESSION_LEVEL: Final = 0x1301
FORMATS: Final[dict[str, int]] = {
    "flac": 0x170000 | 0x0002,  # FLAC, PCM_16
    "ogg": 0x200000 | 0x0060,  # OGG, VORBIS
    "mp3": 0x230000 | 0x0082,  # MPEG, MPEG_LAYER_III
}


@functools.cache
def library() -> tuple[Any, Any]:
    """(cffi, the libsndfile handle): the system's library if it loads, else the one soundfile bundles."""
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(_DECLARATIONS)
    path = _system_path()
    if path:
        try:
            return ffi, ffi.dlopen(path)
        except OSError:
            pass
    import soundfile

    return ffi, soundfile._snd  # type: ignore[attr-defined]  # the copy soundfile loaded (same calls)


def _system_path() -> str | None:
    """The system's libsndfile as a full path: opened by its name (libsndfile.so.1), the loader would hand
    back soundfile's bundled copy once that is loaded, since both carry that name."""
    name = ctypes.util.find_library("sndfile")
    if not name:
        return None
    if os.path.isabs(name):
        return name
    ldconfig = shutil.which("ldconfig", path=f"/sbin:/usr/sbin:{os.environ.get('PATH', '')}")
    if ldconfig is None:
        return None
    try:
        listing = subprocess.run([ldconfig, "-p"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in listing.splitlines():
        entry, _, where = line.strip().partition(" => ")
        if entry.split(" ")[0] == name and os.path.isabs(where):
            return where
    return None


def version() -> str:
    """The libsndfile in use, e.g. ``libsndfile-1.2.0``."""
    ffi, lib = library()
    return ffi.string(lib.sf_version_string()).decode()


class Encoder:
    """One libsndfile file being written, mono, in the format named."""

    def __init__(self, path: Path, fmt: str, rate: int) -> None:
        self._ffi, self._lib = library()
        info = self._ffi.new("SF_INFO *", {"samplerate": rate, "channels": 1, "format": FORMATS[fmt]})
        self._file = self._lib.sf_open(str(path).encode(), SFM_WRITE, info)
        if self._file == self._ffi.NULL:
            raise RuntimeError(f"Error opening {str(path)!r}: {self._error()}")

    def _error(self) -> str:
        return self._ffi.string(self._lib.sf_strerror(self._file or self._ffi.NULL)).decode(errors="replace")

    def write(self, samples: np.ndarray) -> None:
        """Append float32 or int16 samples; a short write (a full disk, a file too large) raises RuntimeError."""
        kind = "short" if samples.dtype == np.int16 else "float"
        samples = np.ascontiguousarray(samples)
        writef = self._lib.sf_writef_short if kind == "short" else self._lib.sf_writef_float
        done = writef(self._file, self._ffi.from_buffer(f"{kind}[]", samples), samples.size)
        if done != samples.size:
            raise RuntimeError(f"wrote {done} of {samples.size} samples: {self._error()}")

    def close(self) -> None:
        """Finish the file (no fsync: see sinks.py on why an export does not wait for the disk)."""
        if self._file is not None:
            file, self._file = self._file, None
            if self._lib.sf_close(file) != 0:
                raise RuntimeError(f"could not finish the file: {self._error()}")

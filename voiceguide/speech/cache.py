"""Content-addressed clip cache on disk, safe against concurrent writers and half-written entries."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import struct
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ..paths import atomic_write, cache_dir

if TYPE_CHECKING:
    from ..audio.types import Audio

MAGIC: Final = b"VGCLIP1\0"
_HEADER: Final = struct.Struct("<8sII")  # magic, sample rate, sample count
_DIGEST: Final = 32
_MAX_SAMPLES: Final = 1 << 28
"""A header claiming more samples than this (3 hours at 22,050 Hz) is corrupt: nothing is allocated for it."""


def clip_key(text: str, voice: str | None, rate: int, volume: float, engine: str) -> str:
    """The cache key of one clip: a hash of everything that changes its sound."""
    blob = json.dumps([text, voice, rate, round(volume, 4), engine], ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


class ClipCache:
    """Stores clips as ``<key>.clip``: header, float32 samples, SHA-256 of the samples."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or cache_dir()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            probe = tempfile.NamedTemporaryFile(dir=self.folder, prefix=".probe-", delete=True)
            probe.close()
        except OSError as exc:
            fallback = (
                Path(tempfile.gettempdir()) / f"voiceguide-clips-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
            )
            fallback.mkdir(parents=True, exist_ok=True)
            warnings.warn(
                f"cache folder {self.folder} is not writable ({exc.strerror or exc}); using {fallback}", stacklevel=2
            )
            self.folder = fallback

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.clip"

    @staticmethod
    def fresh(folder: Path | None = None) -> bool:
        """Whether the cache in ``folder`` (default: the user's) has never kept a clip and can keep them: a
        first run, when every clip will be spoken. (A folder that cannot be written says nothing: False.)"""
        folder = folder or cache_dir()
        try:
            with os.scandir(folder) as entries:
                if any(len(e.name) == 2 and e.is_dir() for e in entries):
                    return False
        except FileNotFoundError:
            return True
        except OSError:
            return False
        return os.access(folder, os.W_OK)

    def has(self, key: str) -> bool:
        """Whether an entry for ``key`` exists (it may still turn out corrupt when read)."""
        return self._path(key).exists()

    def length(self, key: str, rate: int) -> int | None:
        """The sample count in the entry's header, without reading or checking its samples (None if absent)."""
        try:
            with self._path(key).open("rb") as f:
                head = f.read(_HEADER.size)
        except OSError:
            return None
        if len(head) < _HEADER.size:
            return None
        magic, clip_rate, count = _HEADER.unpack(head)
        return count if magic == MAGIC and clip_rate == rate and count > 0 else None

    def get(self, key: str, rate: int) -> Audio | None:
        """The clip for ``key``, or None if it is missing, truncated or corrupt."""
        # Read straight into the array the clip is returned in: one allocation, not three (the file's
        # bytes, the body sliced out of them, the array copied from that), which kept a long export's
        # heap growing with fragments of freed clips.
        import numpy as np  # (here: the cache is looked at before numpy is needed)

        try:
            with self._path(key).open("rb", buffering=0) as f:
                head = f.read(_HEADER.size)
                if len(head) < _HEADER.size:
                    return None
                magic, clip_rate, count = _HEADER.unpack(head)
                if magic != MAGIC or clip_rate != rate or count <= 0 or count > _MAX_SAMPLES:
                    return None
                audio = np.empty(count, dtype="<f4")
                body = memoryview(audio).cast("B")
                if f.readinto(body) != body.nbytes or f.read(_DIGEST + 1) != hashlib.sha256(body).digest():
                    return None
        except OSError:
            return None
        return audio

    def figure(self, key: str) -> float | None:
        """A measured figure remembered under ``key`` (a session's gain, peak or voice loudness: see prepare.py),
        or None."""
        try:
            return float((self.folder / "gains" / key).read_text())  # the folder's name predates peaks and voices
        except (OSError, ValueError):
            return None

    def put_figure(self, key: str, value: float) -> None:
        """Remember a measured figure (a speed-up only: failures are ignored)."""
        with contextlib.suppress(OSError):
            atomic_write(self.folder / "gains" / key, repr(value))

    def put(self, key: str, rate: int, audio: Audio) -> bool:
        """Store a clip atomically (written under a temporary name, then renamed); False if it could not be."""
        import numpy as np

        body = np.ascontiguousarray(audio, dtype="<f4").tobytes()
        data = _HEADER.pack(MAGIC, rate, audio.size) + body + hashlib.sha256(body).digest()
        path = self._path(key)
        try:
            atomic_write(path, data)
        except OSError as exc:
            # A cache that cannot be written only costs time: the clip is still returned.
            warnings.warn(f"could not cache a clip in {self.folder}: {exc.strerror or exc}", stacklevel=2)
            return False
        return True

"""Fetching a natural voice from Piper's catalogue into the voices folder, checked before it counts.

Each file is downloaded into ``voices/.partial/`` (where no voice is ever looked for), its size and MD5 are
checked against the catalogue, and only when both files of the voice pass are they renamed into place, the
config first: a voice exists when its ``.onnx`` does, so an interrupted or corrupt download never leaves
anything that could be taken for one. A second attempt resumes a partial file (an HTTP range request) or
starts it over when the server cannot resume.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Final

from ..errors import SpeechError
from ..locks import locked, why
from ..paths import voices_dir
from .voice_catalog import (
    CATALOGUE_CAP,
    CATALOGUE_NAME,
    CatalogueFile,
    CatalogueVoice,
    base_url,
    check_key,
    parse_catalogue,
)

Progress = Callable[[int, int], None]
"""Called with (bytes done, bytes in all) as a download goes."""

CHUNK: Final = 256 * 1024
TIMEOUT: Final = 30.0
PARTIAL: Final = ".partial"


def _offline(url: str, reason: object) -> SpeechError:
    folder = voices_dir()
    return SpeechError(
        f"cannot reach the voice catalogue at {url} ({reason}); without a network, copy KEY.onnx and "
        f"KEY.onnx.json of a Piper voice into {folder} by hand"
    )


def _open(url: str, start: int = 0):  # -> http.client.HTTPResponse
    request = urllib.request.Request(url, headers={"User-Agent": "voiceguide"})
    if start:
        request.add_header("Range", f"bytes={start}-")
    try:
        return urllib.request.urlopen(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and start:  # the part we hold is not a prefix the server can continue
            return None
        raise SpeechError(f"the voice server answered {exc.code} {exc.reason} for {url}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise _offline(url, getattr(exc, "reason", exc)) from None


def fetch_catalogue() -> list[CatalogueVoice]:
    """The catalogue's voices (``voices.json`` under the base URL)."""
    url = base_url() + CATALOGUE_NAME
    response = _open(url)
    with response:
        try:
            data = response.read(CATALOGUE_CAP + 1)
        except OSError as exc:
            raise _offline(url, exc) from None
    if len(data) > CATALOGUE_CAP:
        raise SpeechError(f"the voice catalogue at {url} is larger than {CATALOGUE_CAP >> 20} MB: refused")
    return parse_catalogue(data)


def _digest_of(path: Path) -> hashlib._Hash:
    md5 = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            md5.update(block)
    return md5


def _download(file: CatalogueFile, part: Path, done: int, total: int, progress: Progress) -> int:
    """Fetch ``file`` into ``part`` (resuming what it holds); returns bytes done overall. Checks size and MD5."""
    url = base_url() + file.path
    have = part.stat().st_size if part.is_file() else 0
    if have > file.size:
        part.unlink()
        have = 0
    response = _open(url, have) if have < file.size else None
    if response is None and have < file.size:  # the server refused the range: start over
        part.unlink(missing_ok=True)
        have, response = 0, _open(url)
    if response is not None and have and response.status != 206:
        have = 0  # the server sent the whole file again
    md5 = _digest_of(part) if have else hashlib.md5(usedforsecurity=False)
    progress(done + have, total)
    if response is not None:
        with response, part.open("r+b" if have else "wb") as out:
            out.seek(have)
            out.truncate()
            while True:
                try:
                    block = response.read(CHUNK)
                except OSError as exc:
                    raise SpeechError(
                        f"the download of {file.path} broke off after {have} of {file.size} bytes ({exc}); "
                        "run the same command again to resume it"
                    ) from None
                if not block:
                    break
                if have + len(block) > file.size:
                    out.close()
                    part.unlink(missing_ok=True)
                    raise SpeechError(f"{file.path} is larger than the catalogue says ({file.size} bytes): refused")
                out.write(block)
                md5.update(block)
                have += len(block)
                progress(done + have, total)
    if have < file.size:
        raise SpeechError(
            f"the download of {file.path} ended after {have} of {file.size} bytes; run the same command again "
            "to resume it"
        )
    if md5.hexdigest() != file.md5:
        part.unlink(missing_ok=True)
        raise SpeechError(f"{file.path} does not match the catalogue's MD5: deleted, nothing installed")
    return done + have


def get_voice(key: str, progress: Progress = lambda done, total: None) -> Path:
    """Download voice ``key`` from the catalogue into the voices folder; returns its model's path there."""
    check_key(key)
    found = {voice.key: voice for voice in fetch_catalogue()}.get(key)
    if found is None:
        raise SpeechError(f"the voice catalogue has no voice {key!r} (see `voiceguide voices --available`)")
    folder = voices_dir()
    staging = folder / PARTIAL
    try:
        staging.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SpeechError(f"cannot make the voices folder {staging}: {why(exc, staging)}") from None
    # One download of a voice at a time: two would write the same partial file.
    with locked(staging / key):
        done = 0
        parts = []
        for file in (found.config, found.model):
            part = staging / (Path(file.path).name + ".part")
            done = _download(file, part, done, found.size, progress)
            parts.append(part)
        try:
            for file, part in zip((found.config, found.model), parts, strict=True):
                os.replace(part, folder / Path(file.path).name)  # config first: the model makes it a voice
        except OSError as exc:
            raise SpeechError(f"cannot put the voice into {folder}: {why(exc, folder)}") from None
    return folder / Path(found.model.path).name

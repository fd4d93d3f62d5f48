"""Piper's catalogue of natural voices (``voices.json``), read as untrusted input.

The catalogue maps a voice key (``de_DE-thorsten-medium``) to its language, quality and files, each file with
its size and MD5. Only entries whose key matches Piper's pattern, and whose two files sit exactly at
``family/code/name/quality/KEY.onnx(.json)``, are kept: a catalogue can never name a path of its own choosing.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any, Final

from ..errors import SpeechError

DEFAULT_URL: Final = "https://huggingface.co/rhasspy/piper-voices/resolve/main/"
"""Piper's voices repository; ``$VOICEGUIDE_VOICES_URL`` replaces it (a mirror, an offline copy, tests)."""
CATALOGUE_NAME: Final = "voices.json"
CATALOGUE_CAP: Final = 16 * 1024 * 1024
"""The catalogue is about 1 MB; anything far larger is not a catalogue."""
MODEL_CAP: Final = 400 * 1024 * 1024
"""Piper's largest models are about 120 MB: a model over this is refused whatever the catalogue says."""
CONFIG_CAP: Final = 4 * 1024 * 1024
KEY_PATTERN: Final = re.compile(
    r"(?P<code>(?P<family>[a-z]{2,3})_[A-Z]{2})-(?P<name>[a-z0-9_]+)-(?P<quality>x_low|low|medium|high)"
)
_MD5: Final = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class CatalogueFile:
    """One file of a voice: where it is under the catalogue's base URL, its size and MD5."""

    path: str
    size: int
    md5: str


@dataclass(frozen=True)
class CatalogueVoice:
    """A downloadable voice: its key, language code (``de_DE``), English language name, quality and files."""

    key: str
    language: str
    language_name: str
    quality: str
    model: CatalogueFile
    config: CatalogueFile

    @property
    def size(self) -> int:
        """Bytes to download."""
        return self.model.size + self.config.size


def base_url() -> str:
    """The catalogue's base URL, always ending in a slash."""
    url = os.environ.get("VOICEGUIDE_VOICES_URL") or DEFAULT_URL
    return url if url.endswith("/") else url + "/"


def check_key(key: str) -> re.Match[str]:
    """``key`` matched against Piper's ``lang_REGION-name-quality`` pattern; anything else is a SpeechError."""
    found = KEY_PATTERN.fullmatch(key)
    if found is None:
        raise SpeechError(f"{key!r} is not a Piper voice key (like de_DE-thorsten-medium)")
    return found


def _file(entry: dict[str, Any], path: str, cap: int) -> CatalogueFile | None:
    info = entry.get("files", {}).get(path) if isinstance(entry.get("files"), dict) else None
    if not isinstance(info, dict):
        return None
    size, md5 = info.get("size_bytes"), info.get("md5_digest")
    if not isinstance(size, int) or isinstance(size, bool) or not 0 < size <= cap:
        return None
    if not isinstance(md5, str) or not _MD5.fullmatch(md5):
        return None
    return CatalogueFile(path, size, md5)


def _voice(key: str, entry: Any) -> CatalogueVoice | None:
    found = KEY_PATTERN.fullmatch(key) if isinstance(key, str) else None
    if found is None or not isinstance(entry, dict):
        return None
    folder = "/".join(found.group("family", "code", "name", "quality"))
    model = _file(entry, f"{folder}/{key}.onnx", MODEL_CAP)
    config = _file(entry, f"{folder}/{key}.onnx.json", CONFIG_CAP)
    if model is None or config is None:
        return None
    language = entry.get("language") if isinstance(entry.get("language"), dict) else {}
    name = language.get("name_english") or found.group("code")
    country = language.get("country_english")
    label = f"{name} ({country})" if isinstance(country, str) and country else str(name)
    return CatalogueVoice(key, found.group("code"), label, found.group("quality"), model, config)


def parse_catalogue(data: bytes) -> list[CatalogueVoice]:
    """The voices of a ``voices.json``, sorted by key; entries that break the pattern are left out."""
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SpeechError(f"the voice catalogue is not JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise SpeechError("the voice catalogue is not a JSON object of voices")
    voices = [voice for key, entry in raw.items() if (voice := _voice(key, entry)) is not None]
    return sorted(voices, key=lambda voice: voice.key)


def matches_language(voice_language: str, wanted: str | None) -> bool:
    """Does ``de_DE`` match ``de``, ``de-DE`` or ``de_de``? (None matches every language.)"""
    if not wanted:
        return True
    have = voice_language.lower().replace("_", "-")
    want = wanted.lower().replace("_", "-")
    return have == want or have.startswith(want + "-")

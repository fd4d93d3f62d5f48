"""`voiceguide check`: is every part of the stack there? Each check says OK, or the problem and its fix."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Check:
    """One part of the stack and its state."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    needed_for_play: bool = True


def _python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    return Check("Python", sys.version_info >= (3, 11), version, "install Python 3.11 or newer")


def _speech() -> list[Check]:
    from .errors import SpeechError
    from .speech.espeak_lib import INSTALL, MISSING

    try:
        from .speech.pyttsx3_engine import engine_name

        name = engine_name()
    except (SpeechError, ImportError, OSError) as exc:
        if str(exc) == MISSING:
            return [Check("pyttsx3 + espeak-ng", False, "libespeak-ng.so.1 could not be loaded", INSTALL)]
        return [Check("pyttsx3 + espeak-ng", False, str(exc), f"pip install pyttsx3; {INSTALL}")]
    checks = [Check("pyttsx3 + espeak-ng", True, name)]
    from .speech.registry import choose

    # The engine a session gets (on Linux the fork-server pool), so a check that passes means sessions can speak.
    engine = choose("espeak", None).start(None)
    try:
        clip = engine.synthesize("Ready.", voice=None, rate=150, volume=1.0)
        seconds = clip.size / engine.sample_rate
        checks.append(Check("speech synthesis", clip.size > 0, f"spoke one word: {seconds:.2f} s of audio"))
    except SpeechError as exc:
        checks.append(Check("speech synthesis", False, str(exc), "sudo apt-get install --reinstall espeak-ng"))
    finally:
        engine.close()
    return checks


def _neural() -> list[Check]:
    """The neural engine: installed or not (not needed to play), its voices, a one-second test synthesis."""
    from .errors import SpeechError
    from .speech.piper_voices import INSTALL_HINT, list_voices, piper_available

    if not piper_available():
        return [Check("neural voice (Piper)", False, "not installed (optional)", INSTALL_HINT, needed_for_play=False)]
    voices = [v.id for v in list_voices()]
    checks = [Check("neural voice (Piper)", bool(voices), ", ".join(voices) or "no voices found", INSTALL_HINT, False)]
    if voices:
        try:
            from .speech.piper_engine import PiperEngine

            engine = PiperEngine(None)
            clip = engine.synthesize("Ready.", voice=None, rate=150, volume=1.0)
            engine.close()
            checks.append(Check("neural synthesis", True, f"spoke one word: {clip.size / 22050:.2f} s", "", False))
        except SpeechError as exc:
            checks.append(Check("neural synthesis", False, str(exc), INSTALL_HINT, needed_for_play=False))
    return checks


def _session_voice() -> Check:
    """The engine and voice `voiceguide play` speaks with (saved defaults included), and why."""
    from .errors import VoiceguideError
    from .plan.config import effective_pacing
    from .speech.registry import decide

    try:
        pacing, origin = effective_pacing(None, {}, None)
        chosen = decide(pacing.engine, pacing.voice)
    except VoiceguideError as exc:
        return Check("session voice", False, str(exc), "fix your saved defaults, or `voiceguide pace reset`")
    saved = " (your saved default)" if "saved" in (origin["engine"], origin["voice"]) else ""
    voice = chosen.voice or "its default voice"
    return Check("session voice", True, f"{chosen.spec.name}, {voice}: {chosen.reason}{saved}")


def _audio() -> list[Check]:
    try:
        import sounddevice as sd
    except (OSError, ImportError) as exc:
        return [Check("PortAudio", False, str(exc), "sudo apt-get install libportaudio2 (export works without it)")]
    checks = [Check("PortAudio", True, sd.get_portaudio_version()[1])]
    try:
        outputs = [d for d in sd.query_devices() if d["max_output_channels"] > 0]
    except sd.PortAudioError as exc:
        outputs = []
        checks.append(Check("output devices", False, str(exc), "check the sound system (PulseAudio/PipeWire/ALSA)"))
        return checks
    if not outputs:
        checks.append(
            Check(
                "output devices",
                False,
                "none found",
                "connect speakers or headphones, or start the sound server; `voiceguide export` works without any",
            )
        )
        return checks
    checks.append(Check("output devices", True, ", ".join(f"{d['index']}: {d['name']}" for d in outputs)))
    try:
        default = sd.query_devices(kind="output")
        checks.append(Check("default output", True, f"{default['index']}: {default['name']}"))
    except (sd.PortAudioError, ValueError) as exc:
        checks.append(Check("default output", False, str(exc), "choose one with --device NAME_OR_INDEX"))
    return checks


def _input() -> Check:
    """The microphone `play --listen` would use (spoken commands are optional: keys always work)."""
    from .errors import AudioDeviceError
    from .live.listen import input_device

    try:
        _, info = input_device(None)
    except AudioDeviceError as exc:
        fix = "connect a microphone, or choose one with --mic NAME_OR_INDEX; keys work without one"
        return Check("input for --listen", False, str(exc).removeprefix("cannot listen: "), fix, needed_for_play=False)
    return Check("input for --listen", True, f"{info.get('index')}: {info.get('name')}", needed_for_play=False)


def _writable(name: str, folder: Callable[[], Path], needed: bool) -> Check:
    try:
        path = folder()
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".check-"):
            pass
        return Check(name, True, str(path), needed_for_play=needed)
    except OSError as exc:
        return Check(
            name,
            False,
            f"{exc.strerror or exc}",
            "make the folder writable, or point "
            "VOICEGUIDE_CACHE_DIR / VOICEGUIDE_CONFIG / VOICEGUIDE_STATE_DIR elsewhere",
            needed_for_play=needed,
        )


def _formats() -> Check:
    try:
        import soundfile as sf
    except (OSError, ImportError) as exc:
        return Check("export formats", False, str(exc), "pip install soundfile", needed_for_play=False)
    from .export.sinks import SNDFILE

    have = ["wav"]  # written by voiceguide itself
    have += [n for n, (f, sub) in SNDFILE.items() if f in sf.available_formats() and sub in sf.available_subtypes(f)]
    try:  # M4B/M4A: PyAV with FFmpeg's AAC encoder, and chapters; Opus: FFmpeg's libopus
        import av

        if hasattr(av.container.OutputContainer, "set_chapters") and "aac" in av.codecs_available:
            have = ["m4b", "m4a", *have]
        if "libopus" in av.codecs_available:
            have.append("opus")
    except ImportError:
        pass
    missing = [n for n in ("m4b", "m4a", *SNDFILE, "opus") if n not in have]
    return Check(
        "export formats",
        not missing,
        ", ".join(have) + (f" (missing: {', '.join(missing)})" if missing else ""),
        "pip install --upgrade soundfile av (their wheels bring libsndfile with MP3, and FFmpeg's AAC and Opus)",
        needed_for_play=False,
    )


def run_checks() -> list[Check]:
    """Every check, in order."""
    from .paths import cache_dir, config_path, state_dir

    return [
        _python(),
        *_speech(),
        *_neural(),
        _session_voice(),
        *_audio(),
        _input(),
        _writable("clip cache", cache_dir, True),
        _writable("config folder", lambda: config_path().parent, False),
        _writable("session folder", state_dir, False),
        _formats(),
    ]

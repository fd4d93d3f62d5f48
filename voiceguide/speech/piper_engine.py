"""The neural engine: Piper (VITS through onnxruntime), offline, one voice per engine, loaded once per process.

Every clip is a pure function of (text, voice files, rate, volume, engine name): Piper's two noise
sources are switched off (``noise_scale = noise_w = 0``). With them on, onnxruntime's RandomNormalLike
kernels draw from a generator seeded once per session that advances with every run, so the same
text came out different in every process (and depended on what was said before). Switched off, the
word error rate of pocketsphinx on the evening's first 20 cues was 0.31 against 0.32-0.33 with the
default noise (scripts/piper_measure.py wer): no loss of intelligibility.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np

from ..audio.types import Audio
from ..errors import SpeechError
from .engine import SESSION_RATE, VoiceInfo
from .piper_voices import INSTALL_HINT, VoiceFiles, engine_name, list_voices, read_config, resolve

SENTENCE_PAUSE: Final = 0.2
"""Seconds of silence added between sentences at length_scale 1 (scaled with it), on top of the
~0.19 s the model leaves at sentence edges: a calm pause that slows with the speech."""
RATE_TABLE: Final = (
    (0.4, 0.1502),  # 399.6 wpm
    (0.6, 0.1789),  # 335.4 wpm
    (0.8, 0.2397),  # 250.3 wpm
    (1.0, 0.2745),  # 218.6 wpm: the voice's natural rate
    (1.3, 0.3235),  # 185.5 wpm
    (1.6, 0.3970),  # 151.1 wpm
    (2.0, 0.4788),  # 125.3 wpm
    (3.0, 0.6884),  # 87.2 wpm
    (4.0, 0.8960),  # 67.0 wpm
    (5.0, 1.1054),  # 54.3 wpm
)
"""(length_scale, seconds per word) of the joe voice on the evening routine's 43 cue texts, trimmed as
finish_clip trims; measured by ``scripts/piper_measure.py rate``. Not a straight line through zero: each
of the ~10 phoneme ids per word lasts at least one 11.6 ms frame whatever the scale."""
LENGTH_SCALE_RANGE: Final = (0.3, 6.0)
INTRA_OP_THREADS = 1
"""onnxruntime threads per run. See PiperEngine for why one thread and two concurrent callers."""
SPINNING = "0"
"""Idle onnxruntime threads spin for work by default, burning a core the other caller could use."""
GRAPH_OPTIMIZATION = "ORT_ENABLE_BASIC"
"""onnxruntime's graph optimisations at load: the basic ones. Its default (all) took 0.57-0.96 s of CPU to load the
joe voice against 0.30-0.41 s, and made its clips no faster (22.0-23.4 s of CPU for the evening's 52 texts on one
core, against 23.7-24.2; scripts/piper_options.py, shared machine). Samples differ by at most 4e-5 (rounding):
SYNTHESIS_VERSION names the setting. Without a memory arena the clips took 25.2-25.9 s and 740-760 MiB."""


def length_scale(rate: int) -> float:
    """Piper's length_scale for ``rate`` words per minute: the measured table, inverted (linear between
    and beyond its points)."""
    seconds = 60.0 / max(1, rate)
    scales = [s for s, _ in RATE_TABLE]
    per_word = [w for _, w in RATE_TABLE]
    if seconds <= per_word[0]:
        i = 0
    elif seconds >= per_word[-1]:
        i = len(RATE_TABLE) - 2
    else:
        i = int(np.searchsorted(per_word, seconds)) - 1
    slope = (scales[i + 1] - scales[i]) / (per_word[i + 1] - per_word[i])
    scale = scales[i] + (seconds - per_word[i]) * slope
    return float(np.clip(scale, *LENGTH_SCALE_RANGE))


@dataclass
class _Loaded:
    voice: Any  # piper.PiperVoice
    files: VoiceFiles
    rate: int
    has_speakers: bool


_loaded: dict[tuple[str, int, int, str], _Loaded] = {}
_load_lock = threading.Lock()


def _imports() -> tuple[Any, Any]:
    try:
        import onnxruntime
        import piper
    except ImportError as exc:
        raise SpeechError(f"the neural engine is not installed ({exc.name or exc}); {INSTALL_HINT}") from None
    return piper, onnxruntime


def onnxruntime_errors() -> tuple[type[Exception], ...]:
    """The classes onnxruntime raises for a model it cannot load or run (InvalidProtobuf, Fail, InvalidArgument, ...;
    plain Exceptions, all in one module): a bad voice file. Anything else (MemoryError, a bug) surfaces as it is."""
    from onnxruntime.capi import onnxruntime_pybind11_state as ort_state

    found = (v for v in vars(ort_state).values() if isinstance(v, type) and issubclass(v, Exception))
    return tuple(found)


def _load(files: VoiceFiles) -> _Loaded:
    """The voice, from the process-wide cache; (re)loaded when its model file changed."""
    piper, ort = _imports()
    stat = files.model.stat()
    key = (str(files.model.resolve()), stat.st_size, stat.st_mtime_ns, str(files.config.resolve()))
    with _load_lock:
        if key in _loaded:
            return _loaded[key]
        config = read_config(files.config)
        options = ort.SessionOptions()
        options.intra_op_num_threads = INTRA_OP_THREADS
        options.inter_op_num_threads = 1
        options.graph_optimization_level = getattr(ort.GraphOptimizationLevel, GRAPH_OPTIMIZATION)
        options.log_severity_level = 4  # its errors reach the user as our one-line SpeechError, not a log line
        options.add_session_config_entry("session.intra_op.allow_spinning", SPINNING)
        try:
            session = ort.InferenceSession(str(files.model), sess_options=options, providers=["CPUExecutionProvider"])
        except onnxruntime_errors() as exc:
            detail = str(exc).split("failed:")[-1].strip()[:100]
            raise SpeechError(f"Piper voice model {files.model} is truncated or not a voice model ({detail})") from None
        inputs = {i.name for i in session.get_inputs()}
        if not {"input", "input_lengths", "scales"} <= inputs:
            raise SpeechError(f"Piper voice model {files.model} is not a Piper voice (inputs: {sorted(inputs)})")
        speakers = int(config.get("num_speakers", 1)) > 1
        if speakers != ("sid" in inputs):
            raise SpeechError(
                f"Piper voice model {files.model} does not match its config {files.config} (number of speakers)"
            )
        try:
            voice = piper.PiperVoice(config=piper.PiperConfig.from_dict(config), session=session)
        except (KeyError, TypeError, ValueError) as exc:
            raise SpeechError(f"Piper voice config {files.config} is invalid ({exc})") from None
        loaded = _Loaded(voice, files, int(config["audio"]["sample_rate"]), speakers)
        _loaded[key] = loaded
        return loaded


def _same(files: VoiceFiles) -> tuple[Path, Path]:
    return files.model.resolve(), files.config.resolve()


class PiperEngine:
    """Speech with one Piper voice.

    ``synthesize`` is thread-safe and gives the same samples however it is called: phonemizing is
    serialised by piper's own lock, and onnxruntime runs concurrent calls on one session (tested with
    eight threads). Each run uses one onnxruntime thread without spinning: the least CPU per clip
    (the evening's 43 cues: 10.4 s of CPU, against 11.8 s with two threads and 17.3 s with
    onnxruntime's default of spinning threads; scripts/piper_measure.py threads). Parallelism comes
    from the callers instead: the ClipStore's two workers synthesize two clips at once, one per core.
    ``voices``, ``name`` and ``close`` are cheap and thread-safe too.
    """

    sample_rate = SESSION_RATE

    def __init__(self, voice: str | None = None) -> None:
        _imports()
        self.files = resolve(voice)
        self.name = engine_name(voice)
        """Engine, versions and the SHA-256 of the voice's files: part of every cache key."""
        self._loaded: _Loaded | None = _load(self.files)

    def _voice_for(self, voice: str | None) -> _Loaded:
        if self._loaded is None:
            raise SpeechError("the Piper engine was closed")
        if voice is not None and _same(resolve(voice)) != _same(self.files):
            raise SpeechError(f"this Piper engine speaks with {self.files.id}, not {voice!r}")
        return self._loaded

    def synthesize(self, text: str, *, voice: str | None, rate: int, volume: float) -> Audio:
        """Speak ``text`` at ``rate`` words per minute, peak ``volume`` (0..1), at the session rate."""
        loaded = self._voice_for(voice)
        if not text.strip():
            raise SpeechError("cannot speak an empty text")
        audio = speak(loaded, text, length_scale(rate))
        peak = float(np.max(np.abs(audio), initial=0.0))
        if peak < 1e-4:
            raise SpeechError(f"the Piper voice {self.files.id} produced silence for {text[:60]!r}")
        audio *= np.float32(min(max(volume, 0.0), 1.0) / peak)
        if loaded.rate != SESSION_RATE:
            import soxr

            audio = soxr.resample(audio, loaded.rate, SESSION_RATE).astype(np.float32)
        return np.clip(audio, -1.0, 1.0).astype(np.float32, copy=False)

    def voices(self) -> list[VoiceInfo]:
        """Every Piper voice found (bundled and the user's), not only this engine's."""
        return list_voices()

    def close(self) -> None:
        """Forget this engine's voice; the process keeps the loaded model for the next engine (see unload)."""
        self._loaded = None

    def release(self) -> None:
        """Close, and drop the voice from the process too (about 100 MiB of model, several hundred resident):
        for a session that has made every clip it can need."""
        self.close()
        unload()


def speak(loaded: _Loaded, text: str, scale: float) -> Audio:
    """The raw voice: one model run per sentence, joined by pauses, at the voice's own rate."""
    from piper import SynthesisConfig

    settings = SynthesisConfig(length_scale=scale, noise_scale=0.0, noise_w_scale=0.0)
    pause = np.zeros(round(SENTENCE_PAUSE * scale * loaded.rate), dtype=np.float32)
    parts: list[Audio] = []
    try:
        for phonemes in loaded.voice.phonemize(text):
            if not phonemes:
                continue
            ids = loaded.voice.phonemes_to_ids(phonemes)
            if parts:
                parts.append(pause)
            parts.append(np.asarray(loaded.voice.phoneme_ids_to_audio(ids, settings), dtype=np.float32).reshape(-1))
    except onnxruntime_errors() as exc:  # a config whose ids the model does not know
        files = loaded.files
        detail = "it uses phoneme ids the model lacks" if "Gather" in str(exc) else str(exc).strip()[:100]
        raise SpeechError(
            f"Piper voice model {files.model} does not match its config {files.config} ({detail})"
        ) from None
    if not parts:
        raise SpeechError(f"nothing to say in {text[:60]!r}")
    return np.concatenate(parts)


def unload(keep: VoiceFiles | None = None) -> None:
    """Drop the loaded voices (but ``keep``'s), about 100 MiB each; the next engine loads its voice again."""
    with _load_lock:
        for key in [k for k, v in _loaded.items() if keep is None or _same(v.files) != _same(keep)]:
            del _loaded[key]


def loaded_voice(voice: str | None) -> _Loaded:
    """The loaded voice (for scripts that measure the raw model)."""
    return _load(resolve(voice))


def model_path(voice: str | None) -> Path:
    """The model file of a voice."""
    return resolve(voice).model

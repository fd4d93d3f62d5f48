"""Bad input, faults and interruptions: a clear error or a correct result, never a traceback or lost work."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import Case, Doc, routine_files, toml_value, values

from voiceguide.cli import cli
from voiceguide.errors import PacingError, RoutineError
from voiceguide.plan.config import load_saved
from voiceguide.plan.pacing import KNOBS, parse_layer
from voiceguide.routine.library import Routine, parse_routine, plain_text

HERE = Path(__file__).parent
SHORT = str(HERE / "routines" / "short.toml")
TINY = str(HERE / "routines" / "tiny.toml")
TRIED = {"routine": 0, "config": 0, "flags": 0}
VERDICTS = {"valid": 0, "error": 0}
"""What the generated routine files turned out to be: both must be well above zero."""


@pytest.fixture(scope="module", autouse=True)
def report_fuzz_counts():
    """Prints how many generated inputs the fuzz tests tried (quoted in closing notes; run with -s)."""
    yield
    print(f"\nfuzz inputs tried: {TRIED}")
    if VERDICTS["valid"] + VERDICTS["error"]:
        share = VERDICTS["valid"] / (VERDICTS["valid"] + VERDICTS["error"])
        print(f"routine files: {VERDICTS['valid']} valid, {VERDICTS['error']} errors ({share:.0%} valid)")


VALID = b'title = "T"\n[[steps]]\npoint = "SP4"\ntechnique = "hold"\nminutes = 1\nsides = "left"\n'


@settings(max_examples=examples(1500))
@given(routine_files())
def test_any_routine_file_is_either_valid_or_one_routine_error_naming_the_file(case: Case) -> None:
    TRIED["routine"] += 1
    try:
        routine = parse_routine(case.data, name="fuzz", source="fuzz.toml")
    except RoutineError as exc:
        VERDICTS["error"] += 1
        assert case.doc is None, f"a well-formed routine was refused: {exc}"
        assert exc.path == "fuzz.toml" and str(exc).startswith("fuzz.toml")
        assert exc.line is not None or exc.field is not None
        assert "\n" not in str(exc)
        if case.error is not None:  # one known fault: the error points at it
            assert (exc.line, exc.field) == case.error, str(exc)
        return
    VERDICTS["valid"] += 1
    assert case.error is None, f"a routine with a fault was accepted: {case.error}"
    assert routine.title and routine.steps
    if case.doc is not None:
        assert_parsed_as_written(routine, case.doc)


def assert_parsed_as_written(routine: Routine, doc: Doc) -> None:
    top = doc.top
    assert routine.title == plain_text(top["title"])
    assert (routine.description, routine.opening, routine.closing) == tuple(
        plain_text(top.get(key, "")) for key in ("description", "opening", "closing")
    )
    assert set(routine.pacing) == set(top.get("pacing", {}))
    assert len(routine.steps) == len(doc.steps)
    for step, raw, point in zip(routine.steps, doc.steps, doc.points, strict=True):
        assert step.point == point
        assert (step.technique.value, step.sides.value, step.minutes) == (
            raw["technique"],
            raw["sides"],
            raw["minutes"],
        )
        assert (step.press, step.release) == (raw.get("press"), raw.get("release"))
        assert step.name == (plain_text(raw.get("name", "")) or f"{point.meridian_name} {point.number}")
        assert step.aliases == tuple(plain_text(a) for a in raw.get("aliases", []))
        assert step.location == plain_text(raw.get("location", ""))


def test_a_multi_megabyte_routine_is_refused_and_a_valid_one_is_accepted() -> None:
    with pytest.raises(RoutineError, match="at most 1,048,576"):
        parse_routine(VALID + b"#" * 3_000_000, name="big", source="big.toml")
    assert parse_routine(VALID, name="ok", source="ok.toml").steps[0].point.code == "SP4"


@settings(max_examples=examples(800))
@given(st.dictionaries(st.sampled_from([*KNOBS, "bogus"]), values, max_size=6))
def test_any_config_file_is_either_read_or_one_error_naming_the_file(tmp_path_factory, doc: dict) -> None:
    TRIED["config"] += 1
    path = tmp_path_factory.mktemp("cfg") / "config.toml"
    path.write_text("".join(f"{k} = {toml_value(v)}\n" for k, v in doc.items()), encoding="utf-8")
    try:
        load_saved(path)
    except RoutineError as exc:
        assert exc.path == str(path) and exc.line is not None


@settings(max_examples=examples(1200))
@given(
    st.sampled_from(list(KNOBS)),
    st.text(max_size=40) | st.sampled_from(["nan", "inf", "-0", "1e309", "SP-4=", "=5", ",,", "LR3=nan"]),
)
def test_every_pacing_flag_value_is_either_accepted_or_a_pacing_error(flag: str, value: str) -> None:
    TRIED["flags"] += 1
    try:
        parsed = parse_layer({flag: value}, prefix="--")
    except PacingError as exc:
        assert str(exc).startswith(f"--{flag.replace('_', '-')}: ")  # as the flag is typed
        return
    assert flag in parsed


@pytest.mark.parametrize("flag", ["--press", "--scale", "--minutes", "--only", "--rate", "--announce"])
def test_nonsense_flags_through_the_cli_exit_1_with_one_line(flag: str) -> None:
    result = CliRunner().invoke(cli, ["show", "evening", flag, "\x00☃ nonsense"])
    assert result.exit_code == 1 and result.output.startswith(f"Error: {flag}: ") and result.output.count("\n") == 1


def test_markup_in_a_routine_is_stripped_not_interpreted(espeak: None) -> None:
    data = VALID + b"location = \"<speak><prosody rate='x-slow'>Press</prosody> here</speak> [[h@l'oU]]\"\n"
    routine = parse_routine(data, name="m", source="m.toml")
    assert routine.steps[0].location == "Press here h@l'oU"
    from voiceguide.speech.pyttsx3_engine import Pyttsx3Engine

    clip = Pyttsx3Engine().synthesize(routine.steps[0].location, voice=None, rate=150, volume=1.0)
    assert 0.5 < clip.size / 22050 < 6


def test_very_long_cues_are_spoken_in_sentence_sized_parts() -> None:
    from voiceguide.plan.cues import SPLIT_AT, sentences

    text = " ".join(f"This is sentence number {n} of a long location text." for n in range(40))
    parts = sentences(text)
    assert len(parts) > 1 and all(len(p) <= SPLIT_AT for p in parts)
    assert all(p.endswith(".") for p in parts) and " ".join(parts) == text
    assert all(len(p) <= SPLIT_AT for p in sentences("word " * 400))


def test_pinyin_with_tone_marks_is_spoken_like_the_same_words_without_them(espeak: None) -> None:
    from voiceguide.speech.finish import finish_clip
    from voiceguide.speech.registry import choose

    engine = choose("espeak", None).start(None)  # the engine a session speaks with
    try:
        marked, plain = (
            finish_clip(engine.synthesize(text, voice=None, rate=150, volume=1.0), engine.sample_rate).size
            for text in ("Tài Chōng, Yǒng Quán, Zhào Hǎi.", "Tai Chong, Yong Quan, Zhao Hai.")
        )
    finally:
        engine.close()
    # Neither dropped nor spelled out letter by letter ("a grave"): about as long as the words without marks.
    assert 0.8 < marked / plain < 1.25 and plain / engine.sample_rate > 1.0, (marked, plain)


# Export faults.
def export_proc(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "voiceguide", "export", *args],
        capture_output=True,
        text=True,
        env=env or os.environ.copy(),
        **kwargs,
    )


def test_a_read_only_destination_is_a_clear_error(tmp_path: Path, espeak: None) -> None:
    if os.geteuid() == 0:
        target = Path("/proc/voiceguide-test.wav")  # root may write anywhere but a read-only file system
        expected = "the folder" if not target.parent.is_dir() else "could not write"
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
        target, expected = folder / "x.wav", "permission denied"
    done = export_proc(SHORT, "-o", str(target))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert expected in done.stderr.lower() or "cannot write" in done.stderr.lower(), done.stderr
    assert not target.exists()


def test_a_full_disk_is_a_clear_error_and_leaves_nothing_behind(tmp_path: Path, espeak: None) -> None:
    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))

    export_proc(SHORT, "-o", str(tmp_path / "warm.wav"))  # clips cached before the limit
    (tmp_path / "warm.wav").unlink()
    done = export_proc(SHORT, "-o", str(tmp_path / "x.wav"), preexec_fn=small_disk)
    assert done.returncode == 1, done.stderr
    assert "Error: could not write" in done.stderr and "nothing was left" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_export_killed_halfway_leaves_no_file_and_the_next_run_clears_its_leftovers(
    tmp_path: Path, espeak: None
) -> None:
    dest = tmp_path / "evening.flac"
    dest.write_bytes(b"yesterday's export")
    warm = export_proc("evening", "-o", str(tmp_path / "warm.wav"))  # warm the cache so the kill lands mid-write
    assert warm.returncode == 0, warm.stderr
    (tmp_path / "warm.wav").unlink()
    proc = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "export", "evening", "-o", str(dest), "--force"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    end = time.monotonic() + 20
    while not any(p.name.endswith("voiceguide-part") for p in tmp_path.iterdir()) and time.monotonic() < end:
        time.sleep(0.01)
    time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert dest.read_bytes() == b"yesterday's export"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != dest.name]
    assert leftovers and all(name.endswith("voiceguide-part") for name in leftovers)
    done = export_proc(SHORT, "-o", str(tmp_path / "other.wav"))
    assert done.returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evening.flac", "other.wav"]


@pytest.mark.parametrize("fmt", ["wav", "flac", "ogg", "mp3", "opus", "m4b"])
def test_the_same_session_exports_to_byte_identical_files(tmp_path: Path, fmt: str, espeak: None) -> None:
    first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    assert export_proc(SHORT, "-o", str(first)).returncode == 0
    assert export_proc(SHORT, "-o", str(second)).returncode == 0
    assert first.read_bytes() == second.read_bytes()


def test_two_exports_at_once_share_a_cold_cache_safely(tmp_path: Path, espeak: None) -> None:
    env = dict(os.environ, VOICEGUIDE_CACHE_DIR=str(tmp_path / "cold-cache"))
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "voiceguide", "export", SHORT, "-o", str(tmp_path / f"{n}.wav")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(2)
    ]
    assert all(p.wait(120) == 0 for p in procs)
    import soundfile as sf

    from voiceguide.speech.cache import ClipCache

    # Both synthesized everything at once; each wrote whole entries, the last one of each clip stays.
    assert all(sf.info(str(tmp_path / f"{n}.wav")).frames > 0 for n in range(2))
    assert not list((tmp_path / "cold-cache").rglob("*.tmp"))
    cache = ClipCache(tmp_path / "cold-cache")
    entries = list((tmp_path / "cold-cache").rglob("*.clip"))
    assert entries and all(cache.get(p.stem, 22050) is not None for p in entries)
    # From then on the shared cache gives every export the same sound.
    for n in (2, 3):
        subprocess.run(
            [sys.executable, "-m", "voiceguide", "export", SHORT, "-o", str(tmp_path / f"{n}.wav")],
            env=env,
            check=True,
            capture_output=True,
        )
    assert (tmp_path / "2.wav").read_bytes() == (tmp_path / "3.wav").read_bytes()


def test_an_unwritable_cache_warns_once_in_plain_words_and_still_works(tmp_path: Path, espeak: None) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    env = dict(os.environ, VOICEGUIDE_CACHE_DIR=str(blocker / "cache"))
    done = export_proc(SHORT, "-o", str(tmp_path / "x.wav"), env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("warning: cache folder") and "Traceback" not in done.stderr


def test_nothing_opens_a_network_socket(monkeypatch: pytest.MonkeyPatch, standin: None, tmp_path: Path) -> None:
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("voiceguide opened a socket")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for args in (["show", "evening", "--json"], ["export", SHORT, "-o", str(tmp_path / "x.flac")], ["validate", SHORT]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output


# Playback faults.
def test_a_sound_server_that_dies_mid_session_saves_the_position_and_resume_works(
    tmp_path: Path, espeak: None, vsink: dict
) -> None:
    root = Path(__file__).resolve().parent.parent
    own = tmp_path / "own-sink"  # a second daemon of our own, so the shared one survives this test
    started = subprocess.run(
        ["bash", str(root / "scripts" / "vsink.sh"), "start", str(own)], capture_output=True, text=True
    )
    assert started.returncode == 0, started.stderr
    env = dict(os.environ)
    env.update(
        {k: v.strip("'") for k, v in (i.split("=", 1) for i in started.stdout.strip().removeprefix("export ").split())}
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "play", TINY],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(18)  # inside the first step (about 12.6 to 24.6 s of the tiny session)
    subprocess.run(["bash", str(root / "scripts" / "vsink.sh"), "stop", str(own)], env=env, capture_output=True)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1, (out, err)
    assert "Traceback" not in err and err.count("Error:") == 1
    assert "position saved, resume with: " in err and " play " in err
    # PortAudio's own complaints (Expression '...' failed) stay off the screen; the error is a line of its own.
    assert "Expression" not in err and "PaAlsa" not in err, err
    assert all(line.startswith("Error:") for line in err.splitlines() if "Error:" in line)
    saved = json.loads((Path(os.environ["VOICEGUIDE_STATE_DIR"]) / "session.json").read_text())
    assert saved["step"] == 0
    resumed = subprocess.run(
        [sys.executable, "-m", "voiceguide", "play", "--resume", "--quiet"], capture_output=True, text=True, timeout=60
    )
    assert resumed.returncode == 0 and "Session complete" in resumed.stdout, resumed.stderr


def test_resuming_a_routine_that_changed_says_so(tmp_path: Path, espeak: None, vsink: dict) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text(Path(TINY).read_text())
    proc = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "play", str(mine), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(8)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=10)
    mine.write_text(Path(TINY).read_text().replace('closing = "Done."', 'closing = "All done."'))
    resumed = subprocess.run(
        [sys.executable, "-m", "voiceguide", "play", "--resume", "--quiet"], capture_output=True, text=True, timeout=60
    )
    assert resumed.returncode == 0
    assert f"note: {mine} has changed since this session was saved" in resumed.stderr


def test_resume_without_a_saved_session_is_a_clear_error() -> None:
    result = CliRunner().invoke(cli, ["play", "--resume"])
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == "Error: there is no interrupted session to resume; start one with: voiceguide play ROUTINE"
    )


@pytest.mark.slow
def test_two_hundred_renders_in_one_process_do_not_grow_memory(standin: None) -> None:
    import numpy as np

    from voiceguide.audio.render import render
    from voiceguide.plan.config import effective_pacing
    from voiceguide.prepare import prepare
    from voiceguide.routine.library import load_routine

    routine = load_routine(SHORT)
    pacing, _ = effective_pacing(routine, {}, None)

    def rss() -> int:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    sizes = []
    for n in range(200):
        with prepare(routine, pacing) as session:
            total = sum(float(np.abs(b).sum()) for b in render(session.timeline, session.store.get, gain=session.gain))
        assert total > 0
        if n in (20, 199):
            sizes.append(rss())
    print(f"\nRSS after 20 renders: {sizes[0] / 2**20:.1f} MiB, after 200: {sizes[1] / 2**20:.1f} MiB")
    assert sizes[1] - sizes[0] < 5 * 2**20

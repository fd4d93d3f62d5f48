"""Phone formats: M4B/M4A and Opus with chapters, Introduction and Closing everywhere, decoded timing and
peaks, --split, and the rules for names and formats."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from voiceguide.cli import cli

SHORT = str(Path(__file__).parent / "routines" / "short.toml")
LOSSY = ("m4b", "mp3", "ogg", "opus")


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def need_ffmpeg() -> None:
    if shutil.which("ffprobe") is None or shutil.which("ffmpeg") is None:
        from conftest import missing

        missing("ffmpeg/ffprobe")


def probe_chapters(path: Path) -> list[tuple[str, float]]:
    need_ffmpeg()
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(path)], capture_output=True, check=True
    ).stdout
    return [(c["tags"]["title"], float(c["start_time"])) for c in json.loads(out)["chapters"]]


def decode(path: Path) -> tuple[np.ndarray, int]:
    """The file as ffmpeg decodes it: float samples and their rate."""
    need_ffmpeg()
    rate = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "a:0",
            "-show_entries",
            "stream=sample_rate",
            "-of",
            "csv=p=0",
            path,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[0]
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1", "-"], capture_output=True, check=True
    ).stdout
    return np.frombuffer(raw, dtype=np.float32), int(rate)


@pytest.fixture(scope="module")
def phone(tmp_path_factory: pytest.TempPathFactory, clip_cache_dir: Path, espeak: None) -> dict:
    """The short routine, with real speech, in every format that has chapters; plus its plan."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VOICEGUIDE_CACHE_DIR", str(clip_cache_dir))
        mp.setenv("VOICEGUIDE_ENGINE", "espeak")
        folder = tmp_path_factory.mktemp("phone")
        plan = json.loads(run("show", SHORT, "--json"))
        files = {}
        for fmt in ("m4b", "m4a", "mp3", "ogg", "opus", "flac", "wav"):
            files[fmt] = folder / f"short.{fmt}"
            run("export", SHORT, "-o", str(files[fmt]))
        return {"plan": plan, "files": files}


def expected_chapters(plan: dict) -> list[tuple[str, float]]:
    steps = plan["steps"]
    return [("Introduction", 0.0)] + [(s["name"], s["start"]) for s in steps] + [("Closing", steps[-1]["end"])]


def test_ffprobe_lists_introduction_every_point_and_closing_in_each_format(phone: dict) -> None:
    want = expected_chapters(phone["plan"])
    for fmt in ("m4b", "m4a", "mp3", "ogg", "opus", "flac"):
        got = probe_chapters(phone["files"][fmt])
        assert [t for t, _ in got] == [t for t, _ in want], fmt
        for (_, start), (_, planned) in zip(got, want, strict=True):
            assert abs(start - planned) <= 0.002, fmt


def test_mutagen_reads_the_m4b_chapters_and_tags(phone: dict) -> None:
    from mutagen.mp4 import MP4

    m4b = MP4(str(phone["files"]["m4b"]))
    want = expected_chapters(phone["plan"])
    assert [c.title for c in m4b.chapters] == [t for t, _ in want]
    assert all(abs(c.start - s) <= 0.002 for c, (_, s) in zip(m4b.chapters, want, strict=True))
    assert m4b.tags["©nam"] == ["Short test routine"] and m4b.tags["©alb"] == ["Short test routine"]
    assert m4b.tags["©ART"] == ["voiceguide"] and m4b.tags["stik"] == [2]  # 2: an audiobook
    assert phone["files"]["m4b"].read_bytes()[8:12] == b"M4B "
    assert phone["files"]["m4a"].read_bytes()[8:12] == b"M4A "
    assert m4b.info.channels == 1 and m4b.info.sample_rate == 22050 and m4b.info.codec == "mp4a.40.2"


def test_the_opus_file_is_48_khz_ogg_opus_with_vorbis_chapters(phone: dict) -> None:
    from mutagen.oggopus import OggOpus

    opus = OggOpus(str(phone["files"]["opus"]))
    assert opus.tags["CHAPTER001NAME"] == ["Introduction"] and opus.tags["TITLE"] == ["Short test routine"]
    info = sf.info(str(phone["files"]["opus"]))
    assert info.subtype == "OPUS" and info.samplerate == 48000 and info.channels == 1
    assert abs(opus.info.length - phone["plan"]["duration"]) < 0.01  # the pre-skip is accounted for
    bits = phone["files"]["opus"].stat().st_size * 8 / phone["plan"]["duration"]
    assert bits <= 33_000  # 32 kbit/s at most, less in the quiet stretches


def test_every_decoded_lossy_file_lasts_as_long_as_the_plan(phone: dict) -> None:
    for fmt in LOSSY:
        samples, rate = decode(phone["files"][fmt])
        assert abs(samples.size / rate - phone["plan"]["duration"]) < 0.1, fmt


LAG_TOLERANCE = 0.005
"""Seconds a decoded lossy file may lag or lead the lossless export. The defects it guards are ten times larger:
AAC priming without an MP4 edit list is 1024 samples (46 ms at 22.05 kHz), MP3 without the LAME gapless header
about 50 ms, Opus without its pre-skip 6.5 ms."""


def _lag(reference: np.ndarray, decoded: np.ndarray, rate: int, start: float, stop: float, most: float = 0.08) -> float:
    """Seconds by which ``decoded`` lags ``reference`` over [start, stop) (both at ``rate``), by cross-correlation
    over lags of up to ``most`` seconds either way."""
    lo, hi, reach = max(0, round(start * rate)), round(stop * rate), round(most * rate)
    ref = reference[lo:hi].astype(np.float64)
    window = np.zeros(ref.size + 2 * reach)
    part = decoded[max(0, lo - reach) : hi + reach].astype(np.float64)
    window[max(0, reach - lo) : max(0, reach - lo) + part.size] = part
    scores = np.correlate(window, ref, mode="valid")  # index k: decoded shifted by k - reach samples
    return (int(np.argmax(scores)) - reach) / rate


def _as_rate(samples: np.ndarray, rate: int, wanted: int) -> np.ndarray:
    import soxr

    return samples if rate == wanted else soxr.resample(samples, rate, wanted).astype(np.float32)


def test_every_tone_of_every_decoded_lossy_file_is_within_5_ms_of_the_lossless_export(phone: dict) -> None:
    reference, rate = decode(phone["files"]["wav"])
    events = phone["plan"]["events"]
    tones = [e for e in events if e["kind"] == "tone"]
    assert len(tones) > 10
    for fmt in (*LOSSY, "m4a"):
        samples, own_rate = decode(phone["files"][fmt])
        decoded = _as_rate(samples, own_rate, rate)
        lags = [_lag(reference, decoded, rate, t["start"] - 0.02, t["start"] + t["duration"]) for t in tones]
        assert max(abs(lag) for lag in lags) <= LAG_TOLERANCE, (fmt, [round(lag * 1000, 1) for lag in lags])


def test_the_lossless_export_s_tones_start_on_their_planned_sample(phone: dict) -> None:
    reference, rate = decode(phone["files"]["wav"])
    for tone in (e for e in phone["plan"]["events"] if e["kind"] == "tone"):
        first = round(tone["start"] * rate)
        assert not reference[first - 10 : first].any() and reference[first : first + 10].any(), tone


def test_each_m4b_chapter_starts_where_its_first_cue_starts_within_5_ms(phone: dict) -> None:
    from mutagen.mp4 import MP4

    reference, rate = decode(phone["files"]["wav"])
    decoded = _as_rate(*decode(phone["files"]["m4b"]), rate)
    starts = {round(e["start"], 3) for e in phone["plan"]["events"]}
    for chapter in MP4(str(phone["files"]["m4b"])).chapters:
        assert round(chapter.start, 3) in starts, chapter.title  # a chapter marks a cue
        lag = _lag(reference, decoded, rate, chapter.start, chapter.start + 0.5)
        assert abs(lag) <= LAG_TOLERANCE and reference[round(chapter.start * rate) :][:2000].any(), chapter.title


def test_decoded_lossy_files_peak_at_or_under_minus_1_dbfs(phone: dict) -> None:
    for fmt in LOSSY:
        samples, _ = decode(phone["files"][fmt])
        assert 20 * np.log10(np.max(np.abs(samples))) <= -1.0, fmt


def test_wav_cue_points_and_the_cue_sheet_have_an_introduction_and_a_closing(tmp_path: Path, standin: None) -> None:
    run("export", SHORT, "-o", str(tmp_path / "s.wav"), "--cue-sheet")
    data = (tmp_path / "s.wav").read_bytes()
    assert b"Introduction\0" in data and b"Closing\0" in data and b"Spleen 4\0" in data
    cue = (tmp_path / "s.cue").read_text()
    assert cue.count("TRACK") == 4 and 'TITLE "Introduction"' in cue and 'TITLE "Closing"' in cue


def test_split_wav_and_flac_parts_put_end_to_end_equal_the_single_file(tmp_path: Path, standin: None) -> None:
    for fmt in ("wav", "flac"):
        run("export", SHORT, "-o", str(tmp_path / f"whole.{fmt}"))
        out = run("export", SHORT, "-o", str(tmp_path / f"short.{fmt}"), "--split")
        parts = sorted((tmp_path / "short").glob(f"*.{fmt}"))
        assert re.match(rf"Wrote {re.escape(str(tmp_path / 'short'))} \(1:\d\d, 4 files, ", out)
        names = ["introduction", "spleen-4", "liver-3", "closing"]
        assert [p.name for p in parts] == [f"0{n}-{name}.{fmt}" for n, name in enumerate(names, start=1)]
        joined = np.concatenate([sf.read(str(p), dtype="int16")[0] for p in parts])
        whole, _ = sf.read(str(tmp_path / f"whole.{fmt}"), dtype="int16")
        assert joined.size == whole.size and np.array_equal(joined, whole)
        shutil.rmtree(tmp_path / "short")


def test_split_mp3_parts_carry_track_number_and_total_and_the_same_tags(tmp_path: Path, standin: None) -> None:
    from mutagen.id3 import ID3

    run("export", SHORT, "-o", str(tmp_path / "short.mp3"), "--split")
    parts = sorted((tmp_path / "short").iterdir())
    assert len(parts) == 4
    for n, part in enumerate(parts, start=1):
        tags = ID3(str(part))
        assert str(tags["TRCK"]) == f"{n}/4"
        assert str(tags["TALB"]) == "Short test routine" and str(tags["TPE1"]) == "voiceguide"
    assert [str(ID3(str(p))["TIT2"]) for p in parts] == ["Introduction", "Spleen 4", "Liver 3", "Closing"]


def test_split_m4b_parts_carry_track_numbers(tmp_path: Path, standin: None) -> None:
    from mutagen.mp4 import MP4

    run("export", SHORT, "--split", "-o", str(tmp_path / "s.m4b"))
    parts = sorted((tmp_path / "s").iterdir())
    assert [MP4(str(p)).tags["trkn"] for p in parts] == [[(n, 4)] for n in range(1, 5)]


def test_an_interrupted_split_leaves_no_folder_and_keeps_the_old_one(
    tmp_path: Path, standin: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import voiceguide.export.writer as writer

    real_render = writer.render

    def interrupted(*args, **kwargs):
        for n, block in enumerate(real_render(*args, **kwargs)):
            if n == 12:  # well into the second part
                raise KeyboardInterrupt
            yield block

    monkeypatch.setattr(writer, "render", interrupted)
    result = CliRunner().invoke(cli, ["export", SHORT, "--split", "-o", str(tmp_path / "s.wav")])
    assert result.exit_code == 130 and list(tmp_path.iterdir()) == []
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "keep.txt").write_text("old")
    result = CliRunner().invoke(cli, ["export", SHORT, "--split", "--force", "-o", str(tmp_path / "s.wav")])
    assert result.exit_code == 130
    assert [p.name for p in tmp_path.iterdir()] == ["s"] and (tmp_path / "s" / "keep.txt").read_text() == "old"


def test_split_replaces_an_old_folder_only_with_force(tmp_path: Path, standin: None) -> None:
    (tmp_path / "s").mkdir()
    result = CliRunner().invoke(cli, ["export", SHORT, "--split", "-o", str(tmp_path / "s.ogg")])
    assert result.exit_code == 1 and "already exists; use --force" in result.output
    run("export", SHORT, "--split", "--force", "-o", str(tmp_path / "s.ogg"))
    assert len(list((tmp_path / "s").glob("0?-*.ogg"))) == 4 and [p.name for p in tmp_path.iterdir()] == ["s"]


def test_a_suffix_that_disagrees_with_format_is_an_error(tmp_path: Path, standin: None) -> None:
    result = CliRunner().invoke(cli, ["export", SHORT, "--format", "wav", "-o", str(tmp_path / "y.mp3")])
    assert result.exit_code == 1 and "--format wav disagrees with the name 'y.mp3'" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_name_without_a_suffix_is_an_error_that_suggests_one(tmp_path: Path, standin: None) -> None:
    result = CliRunner().invoke(cli, ["export", SHORT, "-o", str(tmp_path / "x"), "--format", "opus"])
    assert result.exit_code == 1 and "'x' has no suffix" in result.output and "'x.opus'" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["x.aac", "x.wma", "x.aiff"])
def test_an_unsupported_suffix_is_one_line_listing_the_supported_ones(tmp_path: Path, name: str) -> None:
    result = CliRunner().invoke(cli, ["export", SHORT, "-o", str(tmp_path / name)])
    suffix = name.split(".")[1]
    assert result.exit_code == 1
    assert (
        result.output
        == f"Error: .{suffix} is not a supported format; use .m4b, .m4a, .mp3, .opus, .ogg, .flac or .wav\n"
    )


def test_without_o_the_export_is_an_m4b_and_its_path_is_printed(
    tmp_path: Path, standin: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    output = run("export", SHORT)
    assert output.startswith("Wrote audio/short.m4b (1:")
    assert (tmp_path / "audio" / "short.m4b").read_bytes()[4:12] == b"ftypM4B "


def test_the_format_choices_of_the_cli_are_the_supported_formats() -> None:
    from voiceguide.export import FORMATS

    option = next(p for p in cli.commands["export"].params if p.name == "fmt")
    assert list(option.type.choices) == list(FORMATS)


def test_opus_and_m4b_exports_are_the_same_bytes_each_time(tmp_path: Path, standin: None) -> None:
    for fmt in ("opus", "m4b"):
        run("export", SHORT, "-o", str(tmp_path / f"a.{fmt}"))
        run("export", SHORT, "-o", str(tmp_path / f"b.{fmt}"))
        assert (tmp_path / f"a.{fmt}").read_bytes() == (tmp_path / f"b.{fmt}").read_bytes(), fmt


@pytest.mark.parametrize("fmt", ["m4b", "opus"])
def test_a_full_disk_during_a_phone_export_is_one_line_and_leaves_nothing(
    tmp_path: Path, standin: None, fmt: str
) -> None:
    import os
    import resource
    import sys

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))

    run("export", SHORT, "-o", str(tmp_path / "warm.wav"))  # clips cached before the limit
    (tmp_path / "warm.wav").unlink()
    done = subprocess.run(
        [sys.executable, "-m", "voiceguide", "export", SHORT, "-o", str(tmp_path / f"x.{fmt}")],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        preexec_fn=small_disk,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith("Error: could not write") and "nothing was left" in done.stderr
    assert done.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []

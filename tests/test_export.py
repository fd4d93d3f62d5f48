"""`voiceguide export`: files that match the plan and sound right (real engine), and never half-exist (stand-in)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf
from click.testing import CliRunner

from voiceguide.cli import cli

SHORT = str(Path(__file__).parent / "routines" / "short.toml")


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, clip_cache_dir: Path, espeak: None) -> dict:
    """The short routine spoken by the real engine, exported to every format (the tests below read these files)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VOICEGUIDE_CACHE_DIR", str(clip_cache_dir))
        folder = tmp_path_factory.mktemp("export")
        plan = json.loads(run("show", SHORT, "--json"))
        files = {}
        for fmt in ("wav", "flac", "ogg", "mp3"):
            files[fmt] = folder / f"short.{fmt}"
            run("export", SHORT, "-o", str(files[fmt]), "--captions", "--cue-sheet", "--force")
        return {"plan": plan, "files": files}


def ffprobe(path: Path) -> dict:
    if shutil.which("ffprobe") is None:
        from conftest import missing

        missing("ffprobe (ffmpeg)")
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-show_format", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def test_wav_and_flac_hold_exactly_the_planned_number_of_samples(exported: dict) -> None:
    for fmt in ("wav", "flac"):
        info = sf.info(str(exported["files"][fmt]))
        assert info.frames == exported["plan"]["samples"] and info.samplerate == 22050 and info.channels == 1


def test_lossy_files_last_as_long_as_the_plan_within_the_codec_delay(exported: dict) -> None:
    for fmt in ("ogg", "mp3"):
        duration = float(ffprobe(exported["files"][fmt])["format"]["duration"])
        assert abs(duration - exported["plan"]["duration"]) < 0.1


def test_every_format_lists_one_chapter_per_point_between_introduction_and_closing(exported: dict) -> None:
    names = ["Introduction", *(s["name"] for s in exported["plan"]["steps"]), "Closing"]
    for fmt, path in exported["files"].items():
        if fmt == "wav":
            continue  # ffprobe does not read WAV cue points; test_phone_export checks them
        chapters = ffprobe(path)["chapters"]
        assert [c["tags"]["title"] for c in chapters] == names, fmt
        starts = [float(c["start_time"]) for c in chapters]
        assert starts[0] == 0 and abs(starts[2] - exported["plan"]["steps"][1]["start"]) < 0.002


def test_mp3_tags_name_the_routine_and_voiceguide(exported: dict) -> None:
    from mutagen.id3 import ID3

    tags = ID3(str(exported["files"]["mp3"]))
    assert str(tags["TIT2"]) == "Short test routine" and str(tags["TPE1"]) == "voiceguide"
    assert str(tags["TALB"]) == "Short test routine"
    assert len(tags.getall("CHAP")) == 4  # Introduction, two points, Closing


def test_captions_hold_every_spoken_cue_at_its_planned_time(exported: dict) -> None:
    vtt = exported["files"]["wav"].with_suffix(".vtt").read_text()
    cues = re.findall(r"(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> [\d:.]+\n(.+)", vtt)
    speech = [e for e in exported["plan"]["events"] if e["kind"] == "speech"]
    assert len(cues) == len(speech)
    for (h, m, s, ms, text), event in zip(cues, speech, strict=True):
        assert text == event["text"]
        assert abs(int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000 - event["start"]) <= 0.0005


def test_the_cue_sheet_has_a_track_per_chapter(exported: dict) -> None:
    cue = exported["files"]["mp3"].with_suffix(".cue").read_text()  # each export rewrote it; mp3 came last
    assert cue.count("TRACK") == 4 and 'TITLE "Spleen 4"' in cue and 'FILE "short.mp3" MP3' in cue
    assert "INDEX 01 00:00:00" in cue


@pytest.fixture(scope="module")
def audio(exported: dict) -> np.ndarray:
    samples, _ = sf.read(str(exported["files"]["wav"]), dtype="float32")
    return samples


def test_each_event_starts_at_its_planned_sample_after_silence(exported: dict, audio: np.ndarray) -> None:
    for event in exported["plan"]["events"]:
        at = event["sample"]
        before = audio[max(0, at - 110) : at]
        after = audio[at : at + 441]
        assert np.max(np.abs(before), initial=0) < 10 ** (-60 / 20), event
        assert np.max(np.abs(after)) > 10 ** (-40 / 20), event


def test_the_export_is_normalised_to_minus_16_lufs_with_no_sample_over_minus_1_dbfs(audio: np.ndarray) -> None:
    loudness = pyloudnorm.Meter(22050).integrated_loudness(audio.astype(np.float64))
    assert loudness == pytest.approx(-16.0, abs=0.2)  # as the bed test holds it (the session gain is measured)
    assert np.max(np.abs(audio)) <= 10 ** (-1 / 20)


def test_flac_holds_the_same_samples_as_wav(exported: dict, audio: np.ndarray) -> None:
    flac, _ = sf.read(str(exported["files"]["flac"]), dtype="float32")
    assert np.array_equal(flac, audio)


def test_there_is_no_jump_at_any_event_boundary(exported: dict, audio: np.ndarray) -> None:
    for event in exported["plan"]["events"]:
        for at in (event["sample"], event["sample"] + round(event["duration"] * 22050) - 1):
            window = audio[max(0, at - 2) : at + 3]
            assert np.max(np.abs(np.diff(window))) < 0.05, event


def _pitch(segment: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(segment * np.hanning(segment.size)))
    return float(np.argmax(spectrum) * 22050 / segment.size)


def test_press_and_release_tones_are_told_apart_by_pitch_in_the_file(exported: dict, audio: np.ndarray) -> None:
    tones = [e for e in exported["plan"]["events"] if e["kind"] == "tone" and e["tone"] in ("press", "release")]
    pitches = {e["tone"]: _pitch(audio[e["sample"] : e["sample"] + 4096]) for e in tones}
    assert pitches["press"] / pitches["release"] >= 1.5


def test_speech_is_clearly_louder_than_the_tones(exported: dict, audio: np.ndarray) -> None:
    def rms(a: np.ndarray) -> float:
        return float(np.sqrt(np.mean(a.astype(np.float64) ** 2)))

    events = exported["plan"]["events"]
    speech = [
        rms(audio[e["sample"] : e["sample"] + round(e["duration"] * 22050)]) for e in events if e["kind"] == "speech"
    ]
    tones = [
        rms(audio[e["sample"] : e["sample"] + round(e["duration"] * 22050)]) for e in events if e["kind"] == "tone"
    ]
    assert 20 * np.log10(np.median(speech) / max(tones)) >= 6


# Files and folders: the stand-in engine, since the speech is not the point here.
def test_an_existing_file_is_kept_unless_force_is_given(tmp_path: Path, standin: None) -> None:
    dest = tmp_path / "keep.wav"
    dest.write_bytes(b"precious")
    result = CliRunner().invoke(cli, ["export", SHORT, "-o", str(dest)])
    assert result.exit_code == 1 and "already exists; use --force" in result.output
    assert dest.read_bytes() == b"precious"


def test_force_replaces_the_file_and_the_old_one_is_deleted_after(tmp_path: Path, standin: None) -> None:
    import time

    dest = tmp_path / "again.wav"
    dest.write_bytes(b"old" * 100_000)
    old_inode = dest.stat().st_ino
    run("export", SHORT, "-o", str(dest), "--force")
    assert dest.read_bytes()[:4] == b"RIFF" and dest.stat().st_ino != old_inode
    deadline = time.monotonic() + 10
    while any(tmp_path.glob(".*voiceguide-*")) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [p.name for p in tmp_path.iterdir()] == ["again.wav"]


def test_a_missing_destination_folder_is_a_clear_error(tmp_path: Path, standin: None) -> None:
    result = CliRunner().invoke(cli, ["export", SHORT, "-o", str(tmp_path / "no" / "x.wav")])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: the folder {tmp_path / 'no'} does not exist"


def test_an_unknown_suffix_lists_the_supported_ones(tmp_path: Path, standin: None) -> None:
    result = CliRunner().invoke(cli, ["export", SHORT, "-o", str(tmp_path / "x.aiff")])
    assert result.exit_code == 1 and "use .m4b, .m4a, .mp3, .opus, .ogg, .flac or .wav" in result.output


def test_without_o_the_export_goes_to_audio_routine_dot_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, standin: None
) -> None:
    monkeypatch.chdir(tmp_path)
    output = run("export", SHORT, "--format", "flac")
    assert (tmp_path / "audio" / "short.flac").is_file()
    assert output.startswith("Wrote audio/short.flac (1:")


def test_an_interrupted_export_leaves_nothing_at_the_destination(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, standin: None
) -> None:
    import voiceguide.export.writer as export_module

    dest = tmp_path / "x.wav"
    real_render = export_module.render

    def interrupted(*args, **kwargs):
        for n, block in enumerate(real_render(*args, **kwargs)):
            if n == 20:
                raise KeyboardInterrupt
            yield block

    monkeypatch.setattr(export_module, "render", interrupted)
    result = CliRunner().invoke(cli, ["export", SHORT, "-o", str(dest), "--captions"])
    assert result.exit_code == 130
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_export_never_damages_an_existing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, standin: None
) -> None:
    import voiceguide.export.writer as export_module

    dest = tmp_path / "x.wav"
    dest.write_bytes(b"old take")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")
        yield  # pragma: no cover

    monkeypatch.setattr(export_module, "render", broken)
    result = CliRunner().invoke(cli, ["export", SHORT, "-o", str(dest), "--force"])
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert dest.read_bytes() == b"old take"
    assert [p.name for p in tmp_path.iterdir()] == ["x.wav"]


def _invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_say_to_a_file_goes_through_the_export_writer_for_every_format_and_name(standin, tmp_path: Path) -> None:
    for name in ("x.mp3", "x.m4a", "x.opus", "x.wav"):
        result = _invoke("say", "Press now.", "-o", str(tmp_path / name))
        assert result.exit_code == 0, result.output
        assert ffprobe(tmp_path / name)["format"]["duration"]
    for args, wanted in (
        (["-o", str(tmp_path / "missing" / "x.wav")], "does not exist"),
        (["-o", str(tmp_path / "x.wav")], "already exists; use --force"),
        (["-o", str(tmp_path / "x")], "has no suffix"),
        (["-o", str(tmp_path / "x.aac")], "not a supported format"),
    ):
        result = _invoke("say", "Press now.", *args)
        assert result.exit_code == 1 and result.exception.__class__ is SystemExit, result.output
        assert wanted in result.output and "Traceback" not in result.output
    assert _invoke("say", "Press now.", "-o", str(tmp_path / "x.wav"), "--force").exit_code == 0


def test_mp3_chapter_subtitles_are_exactly_the_point_and_technique(exported: dict) -> None:
    from mutagen.id3 import ID3

    tags = ID3(str(exported["files"]["mp3"]))
    subtitles = [frame.sub_frames["TIT3"].text[0] for frame in tags.getall("CHAP")]
    assert subtitles and all(s == s.strip() for s in subtitles)
    assert "SP4, cycles" in subtitles


def test_force_lets_another_format_of_the_same_name_replace_its_captions(standin, tmp_path: Path) -> None:
    first = _invoke("export", SHORT, "-o", str(tmp_path / "short.mp3"), "--captions")
    assert first.exit_code == 0, first.output
    again = _invoke("export", SHORT, "-o", str(tmp_path / "short.ogg"), "--captions")
    assert again.exit_code == 1 and "short.vtt already exists; use --force" in again.output
    forced = _invoke("export", SHORT, "-o", str(tmp_path / "short.ogg"), "--captions", "--force")
    assert forced.exit_code == 0 and (tmp_path / "short.ogg").exists() and (tmp_path / "short.vtt").exists()

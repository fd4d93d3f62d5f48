"""The sound bed: levels under the voice, dips under every cue, seamless loops and ramps, fades, random access,
the loudness of an export with a bed, the idle bed of a pause, and bad bed files."""

from __future__ import annotations

import math
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf
from click.testing import CliRunner

from voiceguide.audio.bed import BEDS, DUCK_DB, FADE_IN, IDLE_RAMP, MAX_LIFT_DB, RAMP, BedTrack, open_bed, speech_level
from voiceguide.audio.bedloops import build_loop, generated
from voiceguide.audio.loudness import k_weighted
from voiceguide.errors import BedError, PacingError
from voiceguide.plan.pacing import BED_LEVEL, parse_layer
from voiceguide.plan.timeline import Kind
from voiceguide.routine.parsers import BED_NAMES

RATE = 22050
KINDS = ["brown", "pink", "rain", "drone", "file"]
SHORT = str(Path(__file__).parent / "routines" / "short.toml")


def soft_noise(seconds: float, rate: int, channels: int, seed: int = 5) -> np.ndarray:
    """Deterministic low-passed noise, the kind of sound a bed file holds."""
    rng = np.random.default_rng(seed)
    n = round(seconds * rate)
    spectrum = np.fft.rfft(rng.standard_normal((channels, n)), axis=1)
    f = np.fft.rfftfreq(n, 1 / rate)
    noise = np.fft.irfft(spectrum / (1 + (f / 800) ** 2), n, axis=1).T
    return (0.25 * noise / np.max(np.abs(noise))).astype(np.float32)


@pytest.fixture(scope="module")
def bed_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A 6 s stereo FLAC at 44.1 kHz: resampled, mixed to mono and looped by the bed."""
    path = tmp_path_factory.mktemp("bed") / "stream.flac"
    sf.write(str(path), soft_noise(6.0, 44100, 2), 44100)
    return str(path)


def source_for(kind: str, bed_file: str):
    return open_bed(bed_file if kind == "file" else kind, RATE)


def whole(track: BedTrack, length: int, block: int = 4096) -> np.ndarray:
    return np.concatenate([track.block(p, min(block, length - p)) for p in range(0, length, block)])


def lufs_of(power: float) -> float:
    return -0.691 + 10 * math.log10(power)


def speech_lufs(timeline, store) -> float:
    clips = [store.get(e.text) for e in timeline.events if e.kind is Kind.SPEECH]
    return pyloudnorm.Meter(RATE).integrated_loudness(np.concatenate(clips).astype(np.float64))


def masks(timeline) -> tuple[np.ndarray, np.ndarray]:
    """(during speech, between cues away from any dip, fade or tone) sample masks."""
    during = np.zeros(timeline.length, dtype=bool)
    between = np.ones(timeline.length, dtype=bool)
    ramp = round(RAMP * RATE)
    for e in timeline.events:
        if e.kind is Kind.SPEECH:
            during[e.start : e.end] = True
            between[max(0, e.start - ramp) : e.end + ramp] = False
        else:
            between[e.start : e.end] = False
    between[: round(FADE_IN * RATE)] = False
    end_bell = [e for e in timeline.events if e.tone == "end"][-1]
    between[end_bell.start :] = False
    return during, between


@pytest.mark.parametrize("kind", KINDS)
def test_a_bed_sits_bed_level_under_the_voice_between_cues_and_dips_under_every_cue(
    short_session, bed_file: str, kind: str
) -> None:
    _, _, store, timeline = short_session
    voice = speech_lufs(timeline, store)
    assert speech_level(timeline, store.profile) == pytest.approx(voice, abs=0.3)
    track = BedTrack(timeline, source_for(kind, bed_file), 20.0, speech_lufs=speech_level(timeline, store.profile))
    power = k_weighted(whole(track, timeline.length), RATE)[: timeline.length] ** 2
    during, between = masks(timeline)
    assert voice - lufs_of(float(np.mean(power[between]))) == pytest.approx(20.0, abs=1.0)
    assert voice - lufs_of(float(np.mean(power[during]))) >= 20.0 + 6.0
    # Every cue on its own, too: the dip is complete before the voice begins.
    for e in (e for e in timeline.events if e.kind is Kind.SPEECH):
        assert voice - lufs_of(float(np.mean(power[e.start : e.end]))) >= 20.0 + 6.0 - 2.0, e.text


@pytest.mark.parametrize("kind", KINDS)
def test_no_sample_of_the_exported_bed_steps_more_than_0_05_at_ramps_or_loop_seams(
    short_session, bed_file: str, kind: str
) -> None:
    from voiceguide.prepare import measure_gain

    _, _, store, timeline = short_session
    source = source_for(kind, bed_file)
    track = BedTrack(timeline, source, 20.0)
    bed = whole(track, timeline.length) * measure_gain(timeline, store.get, track)  # as exported
    assert np.max(np.abs(np.diff(bed))) <= 0.05
    # A loop seam steps no further than the bed itself does from one sample to the next.
    raw = source.read(0, timeline.length)
    seams = np.arange(source.period, timeline.length, source.period)
    assert seams.size >= 1
    assert np.max(np.abs(raw[seams] - raw[seams - 1])) <= np.quantile(np.abs(np.diff(raw)), 0.999)


def test_a_file_bed_loops_without_a_level_dip_whether_its_ends_are_alike_or_not(tmp_path: Path) -> None:
    tone = np.sin(2 * np.pi * 220 * np.arange(5 * 44100) / 44100).astype(np.float32) * 0.3
    for name, samples in (("noise.wav", soft_noise(5.0, 44100, 1)[:, 0]), ("tone.wav", tone)):
        sf.write(str(tmp_path / name), samples, 44100)
        source = open_bed(str(tmp_path / name), RATE)
        raw = source.read(0, 3 * source.period)
        cross = slice(source.period, source.period + source.cross)
        level = 10 * math.log10(np.mean(raw[cross] ** 2) / np.mean(raw[source.cross : source.period] ** 2))
        assert abs(level) < 1.0, name


def test_the_bed_fades_in_at_the_start_and_out_with_the_end_bell_to_silence(short_session) -> None:
    _, _, _, timeline = short_session
    source = generated("brown", RATE)
    track = BedTrack(timeline, source, 20.0)
    bed = whole(track, timeline.length)
    raw = source.read(0, timeline.length)
    envelope = np.abs(bed / np.where(np.abs(raw) > 1e-3, raw, np.nan)) / track.gain
    first_dip = timeline.events[1].start - round(RAMP * RATE)  # the opening cue after the start bell
    rising = envelope[:first_dip][~np.isnan(envelope[:first_dip])]
    assert bed[0] == 0 and rising[0] < 0.01 and np.all(np.diff(rising) > -1e-6)
    assert rising[-1] == pytest.approx(0.5 - 0.5 * math.cos(math.pi * first_dip / (FADE_IN * RATE)), abs=0.01)
    bell = [e for e in timeline.events if e.tone == "end"][-1]
    falling = envelope[bell.start :][~np.isnan(envelope[bell.start :])]
    assert falling[0] > 0.99 and np.all(np.diff(falling) < 1e-6) and falling[-1] < 0.01
    assert bed[-1] == 0


def test_a_generated_bed_is_the_same_every_time_and_read_back_from_the_cache_unchanged() -> None:
    for name in ("brown", "rain"):
        loop, energy = build_loop(name, RATE)
        again, _ = build_loop(name, RATE)
        assert np.array_equal(loop, again)
        generated.cache_clear()
        made = generated(name, RATE)  # built and stored
        assert list((Path(os.environ["VOICEGUIDE_CACHE_DIR"]) / "beds").glob(f"{name}-*-{RATE}.npz"))
        generated.cache_clear()
        stored = generated(name, RATE)  # read back
        assert np.array_equal(made.loop, loop) and np.array_equal(stored.loop, loop)
        assert np.array_equal(stored.tick_energy, energy)
    assert set(BEDS) == set(BED_NAMES)


@pytest.mark.parametrize("kind", KINDS)
def test_any_block_of_the_bed_equals_the_same_samples_rendered_in_sequence(
    short_session, bed_file: str, kind: str
) -> None:
    _, _, _, timeline = short_session
    sequential = whole(BedTrack(timeline, source_for(kind, bed_file), 20.0), timeline.length)
    track = BedTrack(timeline, source_for(kind, bed_file), 20.0)  # a file bed: a fresh reader and cache
    rng = np.random.default_rng(1)
    for _ in range(40):
        start, n = int(rng.integers(0, timeline.length - 5000)), int(rng.integers(1, 5000))
        assert np.array_equal(track.block(start, n), sequential[start : start + n])


@pytest.mark.parametrize("kind", KINDS)
def test_the_gain_knows_the_bed_loudness_per_hop_without_rendering_it(short_session, bed_file: str, kind: str) -> None:
    _, _, _, timeline = short_session
    track = BedTrack(timeline, source_for(kind, bed_file), 20.0)
    hop = RATE // 10
    power = k_weighted(whole(track, timeline.length), RATE)[: timeline.length] ** 2
    actual = power[: timeline.length // hop * hop].reshape(-1, hop).sum(axis=1)
    predicted = track.hop_energy(hop, timeline.length // hop)
    assert 10 * math.log10(predicted.sum() / actual.sum()) == pytest.approx(0, abs=0.05)
    loud = actual > actual.max() / 100
    assert np.all(np.abs(10 * np.log10(predicted[loud] / actual[loud])) < 1.0)


@pytest.mark.parametrize("kind", KINDS)
def test_an_export_with_a_bed_is_minus_16_lufs_under_minus_1_dbfs_and_the_voice_keeps_its_level(
    short_session, bed_file: str, kind: str, tmp_path: Path
) -> None:
    from voiceguide.export.writer import export
    from voiceguide.prepare import prepare

    routine, pacing, _, _ = short_session
    files = {}
    for name in ("none", bed_file if kind == "file" else kind):
        with prepare(routine, replace(pacing, bed=name)) as session:
            files[name] = export(session, tmp_path / f"{kind}-{name != 'none'}.wav", "wav").path
            timeline = session.timeline
    plain, bedded = (sf.read(str(f), dtype="float64")[0] for f in files.values())
    # The target allows 1 dB; the gain counts the bed's loudness exactly, so it is much closer.
    assert pyloudnorm.Meter(RATE).integrated_loudness(bedded) == pytest.approx(-16.0, abs=0.2)
    assert np.max(np.abs(bedded)) <= 10 ** (-1 / 20)
    assert bedded[-1] == 0
    during, between = masks(timeline)
    voice = 10 * math.log10(np.mean(bedded[during] ** 2) / np.mean(plain[during] ** 2))
    assert -1.0 <= voice <= MAX_LIFT_DB + 0.1
    power = k_weighted(bedded.astype(np.float32), RATE)[: bedded.size] ** 2
    speech = speech_lufs(timeline, session.store) + 20 * math.log10(session.gain)
    assert speech - lufs_of(float(np.mean(power[between]))) == pytest.approx(BED_LEVEL, abs=1.0)


def test_an_unreadable_bed_file_fades_the_bed_out_and_the_session_goes_on(short_session, tmp_path: Path) -> None:
    _, _, _, timeline = short_session
    path = tmp_path / "going.wav"
    sf.write(str(path), soft_noise(30.0, RATE, 1)[:, 0], RATE)
    # Measured over its first 2 s only, so that the rest is not already held in memory (as a short file is).
    track = BedTrack(timeline, open_bed(str(path), RATE, measure_limit=2 * RATE), 20.0)
    played = []
    for p in range(0, 30 * RATE, 1024):
        if p == 10 * 1024 * 21:  # ~10 s in, the file is cut short under the open reader (12 s of 30 left)
            os.truncate(path, 44 + 12 * RATE * 2)
        played.append(track.block(p, 1024))
    bed = np.concatenate(played)
    assert track.failure is not None and str(path) in track.failure
    stopped = np.flatnonzero(bed)[-1]
    assert 11 * RATE < stopped < 13 * RATE  # it played what could be read, then faded out
    assert np.max(np.abs(np.diff(bed))) <= 0.05


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("missing.ogg", None, "No such file"),
        ("notes.mp3", b"these are not sounds\n" * 50, "not a sound file"),
        ("empty.wav", b"", "is empty"),
        ("silent.wav", "frames:0", "no sound"),
        ("short.flac", "frames:1.5", "at least 2 s"),
    ],
)
def test_a_bad_bed_file_is_one_clear_line_naming_it(tmp_path: Path, name: str, content, says: str) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        seconds = float(content.split(":")[1])
        sf.write(str(path), np.zeros(round(seconds * RATE), dtype=np.float32) + 0.1, RATE)
    with pytest.raises(BedError) as caught:
        open_bed(str(path), RATE)
    assert str(path) in str(caught.value) and says.lower() in str(caught.value).lower()
    assert "\n" not in str(caught.value)


def test_export_with_a_missing_bed_file_says_so_and_writes_nothing(standin: None, tmp_path: Path) -> None:
    from voiceguide.cli import cli

    out = tmp_path / "x.wav"
    result = CliRunner().invoke(cli, ["export", SHORT, "-o", str(out), "--bed", str(tmp_path / "gone.ogg")])
    assert result.exit_code == 1 and result.output.startswith("Error: bed file ") and result.output.count("\n") == 1
    assert not out.exists()


def test_while_paused_the_bed_goes_on_quietly_on_one_unbroken_waveform(short_session) -> None:
    """The live mixer's part, as the player does it: a 40 ms fade of the timeline, the idle bed across it."""
    _, _, _, timeline = short_session
    source = generated("pink", RATE)
    track = BedTrack(timeline, source, 20.0)
    fade, n = round(IDLE_RAMP * RATE), 512
    position, level, out = 30 * RATE, 1.0, []
    plan = [False] * 40 + [True] * 200 + [False] * 60  # play, pause ~4.6 s, play again
    position_at_start = position
    for held in plan:
        idle = track.idle(n, held, position)
        if held and level == 0.0:
            out.append(idle)
            continue
        ramp = np.clip(level + (np.arange(1, n + 1) / fade) * (-1 if held else 1), 0, 1).astype(np.float32)
        out.append(track.block(position, n) * ramp + idle)
        level, position = float(ramp[-1]), position + n
    mixed = np.concatenate(out)
    raw = source.read(position_at_start, mixed.size)  # the bed's own waveform, never interrupted
    gain = mixed / np.where(np.abs(raw) > 1e-4, raw, np.nan)
    paused = gain[60 * n : 230 * n]
    ducked = track.gain * 10 ** (-DUCK_DB / 20)
    assert np.nanmax(np.abs(paused - ducked)) < 1e-3 * track.gain
    playing = np.concatenate([gain[: 40 * n], gain[-30 * n :]])  # at the bed level, or dipped under a cue
    assert ducked * 0.999 <= np.nanmin(playing) and np.nanmax(playing) <= track.gain * 1.001
    assert np.nanmax(playing) >= track.gain * 0.999
    assert np.nanmax(np.abs(np.diff(gain))) < 2 * track.gain / fade  # no step: only ramps
    assert np.max(np.abs(np.diff(mixed))) <= 0.05


def test_the_bed_knobs_parse_names_and_files_and_refuse_nonsense() -> None:
    assert parse_layer({"bed": " Brown "})["bed"] == "brown"
    assert parse_layer({"bed": "~/sounds/stream.ogg"})["bed"] == os.path.expanduser("~/sounds/stream.ogg")
    assert parse_layer({"bed_level": "26"})["bed_level"] == 26.0
    for key, value in (("bed", "brwon"), ("bed", 3), ("bed", ""), ("bed_level", "3"), ("bed_level", "loud")):
        with pytest.raises(PacingError):
            parse_layer({key: value})


def test_show_lists_the_bed_in_its_header_and_json(standin: None) -> None:
    import json

    from voiceguide.cli import cli

    result = CliRunner().invoke(cli, ["show", SHORT, "--bed", "rain", "--bed-level", "24"])
    assert result.exit_code == 0 and "Sound bed: rain, 24 dB under the voice" in result.output
    plan = json.loads(CliRunner().invoke(cli, ["show", SHORT, "--json"]).output)
    assert plan["bed"] == {"name": "none", "level_db": BED_LEVEL}


def test_a_bug_while_reading_a_bed_file_surfaces_and_is_not_called_an_unreadable_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voiceguide.audio.bedfile import FileBed

    path = tmp_path / "fine.wav"
    sf.write(str(path), soft_noise(5.0, RATE, 1)[:, 0], RATE)
    bed = FileBed(str(path), RATE)

    def bug(*args: object) -> None:
        raise ZeroDivisionError("a bug of ours")

    monkeypatch.setattr(bed, "_resampled", bug)
    with pytest.raises(ZeroDivisionError):
        bed.read(0, 1024)
    assert bed.failure is None

"""FLAC exports encode their two halves at once and join them into one valid stream (export/halves.py,
export/flacjoin.py): the same samples as one encoder, frames numbered on, CRCs right, nothing left behind."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from voiceguide.cli import cli
from voiceguide.export.flaccrc import crc16, crc16_after_zeros
from voiceguide.export.flacjoin import JOIN_STEP, JoinError, append, coded_number, frames, renumbered
from voiceguide.export.libsndfile import Encoder

SHORT = str(Path(__file__).parent / "routines" / "short.toml")
RATE = 22050


def _bitwise_crc16(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x8005) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def _speech_and_silence(seconds: float) -> np.ndarray:
    """Bursts of a voiced buzz with silence between them, as a session has (int16)."""
    rng = np.random.default_rng(3)
    t = np.arange(int(seconds * RATE)) / RATE
    buzz = np.sign(np.sin(2 * np.pi * 130 * t)) * 0.2 + rng.normal(0, 0.05, t.size)
    on = (np.sin(2 * np.pi * 0.3 * t) > 0.2).astype(float)
    return np.round(buzz * on * 32767 * 0.8).astype(np.int16)


def join(first: Path, second: Path, first_samples: int, second_samples: int) -> None:
    append(first, first_samples, renumbered(second, second.with_suffix(".frames"), first_samples, second_samples))


def _halves_joined(folder: Path, seconds: float) -> np.ndarray:
    """A signal's halves encoded apart and joined into ``folder``/a.flac; the signal."""
    samples = _speech_and_silence(seconds)
    cut = samples.size // 2 // JOIN_STEP * JOIN_STEP
    _encode(folder / "a.flac", samples[:cut])
    _encode(folder / "b.flac", samples[cut:])
    join(folder / "a.flac", folder / "b.flac", cut, samples.size - cut)
    return samples


def _encode(path: Path, samples: np.ndarray) -> None:
    encoder = Encoder(path, "flac", RATE)
    for at in range(0, samples.size, 65536):
        encoder.write(samples[at : at + 65536])
    encoder.close()


def test_frame_numbers_are_coded_as_flac_codes_them_on_every_length_boundary() -> None:
    for n, coded in [(0, "00"), (127, "7f"), (128, "c280"), (2047, "dfbf"), (2048, "e0a080"), (65536, "f0908080")]:
        assert coded_number(n).hex() == coded
        assert coded_number(n) == chr(n).encode("utf-8", "surrogatepass")  # UTF-8's own scheme


def test_the_crc16_carried_through_zero_bytes_equals_the_crc16_of_the_longer_span() -> None:
    rng = np.random.default_rng(5)
    heads = [bytes(rng.integers(0, 256, int(rng.integers(1, 12)), dtype=np.uint8)) for _ in range(40)]
    zeros = rng.integers(0, 9000, 40)
    assert [crc16(h) for h in heads] == [_bitwise_crc16(h) for h in heads]
    carried = crc16_after_zeros(np.asarray([crc16(h) for h in heads], dtype=np.uint16), zeros)
    assert carried.tolist() == [_bitwise_crc16(h + bytes(int(z))) for h, z in zip(heads, zeros, strict=True)]


def test_two_halves_joined_decode_to_the_whole_with_frames_numbered_on_and_every_crc_right(tmp_path: Path) -> None:
    samples = _halves_joined(tmp_path, 60)
    back, rate = sf.read(str(tmp_path / "a.flac"), dtype="int16")
    assert rate == RATE and np.array_equal(back, samples)
    with (tmp_path / "a.flac").open("rb") as joined:  # numbers 0, 1, 2, ... throughout, or frames() raises
        spans = [frame for frame, _, _ in frames(joined, samples.size, 4096)]
    assert len(spans) == -(-samples.size // 4096)
    assert all(_bitwise_crc16(frame[:-2]) == int.from_bytes(frame[-2:], "big") for frame in spans)
    data = (tmp_path / "a.flac").read_bytes()
    assert int.from_bytes(data[21:26], "big") & 0xFFFFFFFFF == samples.size  # STREAMINFO's total
    if shutil.which("ffmpeg") is None:
        from conftest import missing

        missing("ffmpeg, a second decoder, strict about CRCs")
    checked = subprocess.run(
        ["ffmpeg", "-v", "error", "-err_detect", "crccheck", "-i", str(tmp_path / "a.flac"), "-f", "null", "-"],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0 and checked.stderr == ""


def test_a_second_file_that_is_not_the_continuation_is_refused(tmp_path: Path) -> None:
    samples = _speech_and_silence(10)
    cut = JOIN_STEP
    _encode(tmp_path / "a.flac", samples[:cut])
    (tmp_path / "b.flac").write_bytes(b"fLaC" + bytes(200))
    with pytest.raises(JoinError):
        join(tmp_path / "a.flac", tmp_path / "b.flac", cut, samples.size - cut)
    sf.write(str(tmp_path / "c.flac"), samples[cut:], 44100, subtype="PCM_16")  # another rate
    with pytest.raises(JoinError):
        join(tmp_path / "a.flac", tmp_path / "c.flac", cut, samples.size - cut)


def test_a_flac_export_whose_join_fails_is_encoded_in_one_piece_with_the_same_samples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, standin: None
) -> None:
    import voiceguide.export.halves as halves

    result = CliRunner().invoke(cli, ["export", SHORT, "-o", str(tmp_path / "joined.flac")])
    assert result.exit_code == 0, result.output

    def refuse(*args: object) -> None:
        raise JoinError("not the stream expected")

    monkeypatch.setattr(halves, "renumbered", refuse)
    result = CliRunner().invoke(cli, ["export", SHORT, "-o", str(tmp_path / "whole.flac")])
    assert result.exit_code == 0, result.output
    joined, _ = sf.read(str(tmp_path / "joined.flac"), dtype="int16")
    whole, _ = sf.read(str(tmp_path / "whole.flac"), dtype="int16")
    assert joined.size > 4 * JOIN_STEP and np.array_equal(joined, whole)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["joined.flac", "whole.flac"]


@pytest.mark.parametrize("half", ["first", "second"])
def test_a_flac_export_interrupted_in_either_half_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, standin: None, half: str
) -> None:
    import voiceguide.export.writer as writer

    real_render = writer.render

    def interrupted(*args, start: int = 0, **kwargs):
        for n, block in enumerate(real_render(*args, start=start, **kwargs)):
            if n == 3 and (start == 0) == (half == "first"):
                raise OSError(28, "No space left on device")
            yield block

    monkeypatch.setattr(writer, "render", interrupted)
    (tmp_path / "x.flac").write_bytes(b"old take")
    result = CliRunner().invoke(cli, ["export", SHORT, "-o", str(tmp_path / "x.flac"), "--force"])
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["x.flac"] and (tmp_path / "x.flac").read_bytes() == b"old take"


def test_frames_are_found_across_the_read_window_s_chunk_edges_and_the_window_stays_small(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voiceguide.export import flacjoin

    monkeypatch.setattr(flacjoin._Window, "CHUNK", 777)  # a sync code or header cut by a chunk edge, often
    held: list[int] = []
    real_forget = flacjoin._Window.forget

    def forget(self: flacjoin._Window, before: int) -> None:
        real_forget(self, before)
        held.append(len(self._buf))

    monkeypatch.setattr(flacjoin._Window, "forget", forget)
    samples = _halves_joined(tmp_path, 30)
    back, _ = sf.read(str(tmp_path / "a.flac"), dtype="int16")
    assert np.array_equal(back, samples)
    assert held and max(held) < 777 + 2 * 8300  # a chunk, and at most a frame (4096 samples, verbatim) or two

"""Cover art: every export carries the chart as its picture; MP3 chapters and split parts show their own point."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from click.testing import CliRunner

from voiceguide.cli import cli

SHORT = str(Path(__file__).parent / "routines" / "short.toml")
PNG = b"\x89PNG\r\n\x1a\n"


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def size(png: bytes) -> tuple[int, int]:
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VOICEGUIDE_ENGINE", "standin")
        folder = tmp_path_factory.mktemp("covers")
        out = {}
        for fmt in ("m4b", "mp3", "flac", "opus", "ogg", "wav"):
            out[fmt] = folder / f"short.{fmt}"
            run("export", SHORT, "-o", str(out[fmt]))
        return out


def cover_of(path: Path, fmt: str) -> bytes:
    if fmt == "m4b":
        from mutagen.mp4 import MP4

        return bytes(MP4(str(path)).tags["covr"][0])
    if fmt == "mp3":
        from mutagen.id3 import ID3

        return ID3(str(path)).getall("APIC")[0].data
    if fmt == "flac":
        from mutagen.flac import FLAC

        return FLAC(str(path)).pictures[0].data
    from mutagen.flac import Picture
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    tags = (OggOpus if fmt == "opus" else OggVorbis)(str(path))
    return Picture(base64.b64decode(tags["METADATA_BLOCK_PICTURE"][0])).data


@pytest.mark.parametrize("fmt", ["m4b", "mp3", "flac", "opus", "ogg"])
def test_every_export_carries_the_chart_as_its_front_cover(files: dict[str, Path], fmt: str) -> None:
    cover = cover_of(files[fmt], fmt)
    assert cover.startswith(PNG) and max(size(cover)) >= 600
    assert 10_000 < len(cover) < 150_000


def test_a_wav_has_no_picture_and_reads_as_before(files: dict[str, Path]) -> None:
    import soundfile as sf

    info = sf.info(files["wav"])
    assert info.samplerate == 22050 and info.frames > 22050
    riff = files["wav"].read_bytes()
    assert b"id3 " not in riff and b"APIC" not in riff  # WAV has no picture field players show: none is drawn
    assert riff.index(b"data") < riff.index(b"cue ")
    assert int.from_bytes(riff[4:8], "little") == len(riff) - 8


def test_the_m4b_keeps_its_chapters_and_tags_with_the_cover(files: dict[str, Path]) -> None:
    from mutagen.mp4 import MP4

    mp4 = MP4(str(files["m4b"]))
    assert mp4.tags["\xa9nam"] == ["Short test routine"] and mp4.tags["stik"] == [2]
    assert [c.title for c in mp4.chapters] == ["Introduction", "Spleen 4", "Liver 3", "Closing"]


def test_each_mp3_point_chapter_shows_its_own_point_and_the_others_the_cover(files: dict[str, Path]) -> None:
    from mutagen.id3 import ID3

    chaps = sorted((f for f in ID3(str(files["mp3"])).getall("CHAP")), key=lambda f: f.start_time)
    pictures = [[s.data for s in c.sub_frames.getall("APIC")] for c in chaps]
    assert [str(c.sub_frames["TIT2"]) for c in chaps] == ["Introduction", "Spleen 4", "Liver 3", "Closing"]
    assert pictures[0] == [] and pictures[-1] == [], "the opening and closing show the file's cover"
    sp4, lr3 = pictures[1][0], pictures[2][0]
    assert sp4.startswith(PNG) and lr3.startswith(PNG) and sp4 != lr3


def test_split_parts_each_carry_their_chapters_picture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mutagen.flac import FLAC

    monkeypatch.setenv("VOICEGUIDE_ENGINE", "standin")
    run("export", SHORT, "-o", str(tmp_path / "s.flac"), "--split")
    parts = sorted((tmp_path / "s").iterdir())
    pictures = [FLAC(str(p)).pictures[0].data for p in parts]
    assert all(p.startswith(PNG) for p in pictures)
    assert pictures[0] == pictures[-1] != pictures[1] != pictures[2]


def test_cover_art_adds_well_under_300_kb(files: dict[str, Path]) -> None:
    from mutagen.id3 import ID3

    tags = ID3(str(files["mp3"]))
    pictures = [f.data for f in tags.getall("APIC")]
    pictures += [s.data for c in tags.getall("CHAP") for s in c.sub_frames.getall("APIC")]
    # The chapters' padding (which keeps them in time order in the file) grows with the pictures: count it too.
    pictures += [s.data for c in tags.getall("CHAP") for s in c.sub_frames.getall("PRIV")]
    assert sum(len(p) for p in pictures) < 200_000


def test_without_the_renderer_an_export_still_completes_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setenv("VOICEGUIDE_ENGINE", "standin")
    monkeypatch.setitem(sys.modules, "resvg_py", None)  # as if resvg-py were not installed
    out = tmp_path / "plain.mp3"
    with pytest.warns(UserWarning, match="no cover art: PNG charts need resvg-py"):
        run("export", SHORT, "-o", str(out))
    from mutagen.id3 import ID3

    assert ID3(str(out)).getall("APIC") == [] and len(ID3(str(out)).getall("CHAP")) == 4
    with pytest.warns(UserWarning, match="no cover art"):
        run("export", SHORT, "-o", str(tmp_path / "parts.flac"), "--split")
    assert len(list((tmp_path / "parts").iterdir())) == 4


def test_a_chart_drawn_once_is_read_back_from_the_cache_and_a_changed_chart_is_drawn_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import voiceguide.chart as chart
    from voiceguide.export.pictures import kept_png

    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(tmp_path / "cache"))
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20"><rect width="40" height="20"/></svg>'
    first = kept_png(svg, 120)
    assert first.startswith(PNG) and size(first) == (120, 60)
    drawn: list[str] = []
    monkeypatch.setattr(chart, "to_png", lambda text, side: drawn.append(text) or PNG + b"new")
    assert kept_png(svg, 120) == first and drawn == []  # read back, not drawn
    assert kept_png(svg.replace('"40"', '"30"'), 120) == PNG + b"new" and len(drawn) == 1  # another chart
    assert kept_png(svg, 200) == PNG + b"new" and len(drawn) == 2  # another size

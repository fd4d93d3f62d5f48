"""Recordings of real people for the spoken-command benchmark (issue 23), taken from public repositories' test data at
pinned commits. Nothing of it is committed here: this script copies the files out of local clones, checks each
against its pinned git tree, and writes them as 16 kHz mono WAV under DIR with a manifest.json.

    git clone https://github.com/thegtagamer/PICO-tinyML-benchmark /tmp/m/thegtagamer+PICO-tinyML-benchmark/repo
    ...  (one clone per repository in SOURCES; bare clones or the `fetch` tool's mirrors work too)
    PYTHONPATH=. python scripts/human_corpus.py /tmp/human --mirrors /tmp/m
    PYTHONPATH=. python scripts/bench_listen.py --human /tmp/human

Each entry says what the people in it say: "command" (a phrase of ours, with the command word it means), "word"
(another single word: it must not act), or "speech" (ordinary speech: every action on it is false).
Speakers are split into a tuning half and a held-out half (see ``part``), so that what is reported on the held-out
half was never looked at while tuning.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

RATE = 16000


@dataclass(frozen=True)
class Source:
    """A folder (or single file) of one repository at one commit."""

    repo: str
    commit: str
    path: str
    tree: str
    """The git object id of ``path`` at ``commit``: the whole folder's content is pinned by it."""
    license: str
    kind: str
    """command, word or speech."""
    label: str = ""
    """For a command: the phrase said; for words: the word (the folder name when empty)."""
    limit: int = 0
    """At most this many files of the folder (sorted by name), 0 for all."""


SC = ("thegtagamer/PICO-tinyML-benchmark", "c66f6b0d78fe9218f6de9d07189691cfae077bee")
SC_LICENSE = "CC-BY-4.0 (Speech Commands v0.02 test set, Warden 2018; 1-second clips from phones and laptops)"
SC_WORDS = ("stop", "go", "up", "down", "on", "off", "yes", "no", "left", "right", "_unknown_")
PS = ("cmusphinx/pocketsphinx", "511126b492dcb267cf30d49d631946d7b61a9530")
FW = ("SYSTRAN/faster-whisper", "65882eee9f5cdbeeb2d877f1131d48cf241b327d")
RTVC = ("CorentinJ/Real-Time-Voice-Cloning", "865eba8826bb6d76721a9d828a546724779c23ab")
SB = ("speechbrain/speechbrain", "9c826ef3937bac885c8a6ca86c6889a30f256fb5")


def sources(trees: dict[str, str]) -> list[Source]:
    """Every source, with its pinned tree id from ``trees`` (see TREES_FILE)."""
    out = [
        Source(*SC, f"MLTK_keyworkSpotting/dataset/{w}", trees[f"sc:{w}"], SC_LICENSE, "command", "stop")
        for w in SC_WORDS[:1]
    ]
    out += [
        Source(*SC, f"MLTK_keyworkSpotting/dataset/{w}", trees[f"sc:{w}"], SC_LICENSE, "word", "", 150)
        for w in SC_WORDS[1:]
    ]
    speech = [
        (PS, "test/data/librivox", "BSD-2-Clause (pocketsphinx); LibriVox recordings are public domain"),
        (PS, "test/data/cards", "BSD-2-Clause (pocketsphinx test data)"),
        (PS, "test/data/forever", "BSD-2-Clause (pocketsphinx test data)"),
        (PS, "test/data/goforward.raw", "BSD-2-Clause (pocketsphinx test data)"),
        (PS, "test/data/something.raw", "BSD-2-Clause (pocketsphinx test data)"),
        (PS, "test/data/numbers.raw", "BSD-2-Clause (pocketsphinx test data)"),
        (PS, "test/regression/chan3.wav", "BSD-2-Clause (pocketsphinx test data)"),
        (SB, "tests/samples/ASR", "Apache-2.0 (speechbrain test samples)"),
        (SB, "tests/samples/single-mic", "Apache-2.0 (speechbrain test samples)"),
        (SB, "tests/samples/TTS/LJ050-0131.wav", "Apache-2.0 (speechbrain); LJ Speech is public domain"),
        (SB, "tests/samples/VAD", "Apache-2.0 (speechbrain test samples)"),
        (FW, "tests/data/jfk.flac", "MIT (faster-whisper); the 1961 inaugural address is public domain"),
        (FW, "tests/data/stereo_diarization.wav", "MIT (faster-whisper test data)"),
        (FW, "tests/data/hotwords.mp3", "MIT (faster-whisper test data)"),
        (RTVC, "samples", "LibriSpeech CC-BY-4.0 and VCTK CC-BY-4.0 (samples/README.md)"),
    ]
    out += [Source(*repo, path, trees[f"{repo[0]}:{path}"], lic, "speech") for repo, path, lic in speech]
    return out


def _git(mirror: Path, *args: str) -> bytes:
    return subprocess.run(["git", f"--git-dir={mirror}", *args], check=True, capture_output=True).stdout


def _mirror(root: Path, repo: str) -> Path:
    base = root / repo.replace("/", "+")
    return base / "repo" if (base / "repo").exists() else base


def _read(blob: bytes, name: str) -> np.ndarray:
    """Any of the files as float32 mono at 16 kHz (.raw files are 16 kHz int16, pocketsphinx's convention)."""
    if name.endswith(".raw"):
        return np.frombuffer(blob, dtype="<i2").astype(np.float32) / 32768.0
    data, rate = sf.read(io.BytesIO(blob), dtype="float32", always_2d=True)
    mono = data.mean(axis=1)
    return mono if rate == RATE else soxr.resample(mono, rate, RATE).astype(np.float32)


def part(kind: str, repo: str, name: str) -> str:
    """tune or held-out. Speech Commands: by the speaker's id (the file name's first hex digit, 0-7 tune);
    ordinary speech: by repository (pocketsphinx and speechbrain tune; the others are held out)."""
    if repo == SC[0]:
        return "tune" if name[0] in "01234567" else "held-out"
    return "tune" if repo in (PS[0], SB[0]) else "held-out"


def extract(out: Path, mirrors: Path, trees: dict[str, str]) -> list[dict]:
    """Write every source's files under out; return the manifest rows."""
    rows = []
    for src in sources(trees):
        mirror = _mirror(mirrors, src.repo)
        tree = _git(mirror, "rev-parse", f"{src.commit}:{src.path}").decode().strip()
        if tree != src.tree:
            raise SystemExit(f"{src.repo}:{src.path} at {src.commit[:10]} is {tree}, pinned {src.tree}")
        kind = _git(mirror, "cat-file", "-t", tree).decode().strip()
        if kind == "blob":
            names = [src.path]
        else:
            listing = _git(mirror, "ls-tree", "--name-only", f"{src.commit}:{src.path}").decode().split()
            names = [f"{src.path}/{n}" for n in sorted(listing) if n.endswith((".wav", ".flac", ".mp3", ".raw"))]
        if src.limit and len(names) > src.limit:
            # Evenly over the sorted names: the speaker ids are hashes, so this spreads over speakers and parts.
            names = [names[i * len(names) // src.limit] for i in range(src.limit)]
        for name in names:
            audio = _read(_git(mirror, "show", f"{src.commit}:{name}"), name)
            if audio.size < RATE // 4 or np.abs(audio).max() < 1e-3:
                continue  # empty or silent test fixtures (pocketsphinx's null.wav and friends)
            file = out / src.kind / src.repo.replace("/", "+") / name.replace("/", "+")
            file = file.with_suffix(".wav")
            file.parent.mkdir(parents=True, exist_ok=True)
            sf.write(file, audio, RATE, subtype="PCM_16")
            base = Path(name).name
            label = src.label or Path(src.path).name
            rows.append(
                {
                    "file": str(file.relative_to(out)),
                    "kind": src.kind,
                    "label": label,
                    "source": src.repo,
                    "speaker": base.split("_")[0] if src.repo == SC[0] else base,
                    "part": part(src.kind, src.repo, base),
                    "seconds": round(audio.size / RATE, 2),
                    "origin": asdict(src) | {"path": name},
                }
            )
    return rows


TREES_FILE = Path(__file__).with_name("human_corpus_trees.json")
"""The pinned git object id of every source folder or file, keyed "repo:path" ("sc:word" for Speech Commands)."""


class _Keys(dict):
    """Collects the keys sources() asks for (to pin them)."""

    def __missing__(self, key: str) -> str:
        return ""


def pin(mirrors: Path) -> dict[str, str]:
    """The current tree ids of every source (maintainers: run once when a source is added)."""
    pins = {}
    for src in sources(_Keys()):
        key = f"sc:{Path(src.path).name}" if src.repo == SC[0] else f"{src.repo}:{src.path}"
        pins[key] = _git(_mirror(mirrors, src.repo), "rev-parse", f"{src.commit}:{src.path}").decode().strip()
    return pins


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"), help="folder of owner+name clones")
    ap.add_argument("--pin", action="store_true", help="write the current tree ids into the pin file")
    args = ap.parse_args()
    if args.pin:
        TREES_FILE.write_text(json.dumps(pin(args.mirrors), indent=1) + "\n")
        return
    rows = extract(args.out, args.mirrors, json.loads(TREES_FILE.read_text()))
    (args.out / "manifest.json").write_text(json.dumps(rows, indent=1) + "\n")
    totals: dict[tuple[str, str, str], tuple[int, float]] = {}
    for r in rows:
        key = (r["kind"], r["source"], r["part"])
        n, s = totals.get(key, (0, 0.0))
        totals[key] = (n + 1, s + r["seconds"])
    for (kind, source, p), (n, s) in sorted(totals.items()):
        print(f"{kind:8s} {source:38s} {p:8s} {n:5d} files {s / 60:6.1f} min")


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Benchmarks: voiceguide's export (cold, warm, and clips cached with a new pacing; WAV and M4B), each format beside
FFmpeg on the same WAV, memory against session length, start-up, the hand-made peer pipelines (espeak-ng or piper,
with a speech cache, numpy layout and clip loudness normalisation: scripts/peer_common.py) on the same plan with
their per-phase times, the neural voice, each language against English (scripts/bench_lang.py), a sound bed's cost in export and play, intelligibility (scripts/wer.py),
`show --length` against `show`, and the practice log (an entry's cost at start, bytes per session, `voiceguide log`
over 10,000 sessions). Prints one table; --json writes it too.

    .venv/bin/python scripts/bench.py                 # full run on the evening routine
    .venv/bin/python scripts/bench.py --runs 1 --routine tests/routines/short.toml --quick
    .venv/bin/python scripts/bench.py --only fit,log --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import ROOT, VOICEGUIDE, digest, env_with, run, stats


def compile_bytecode() -> None:
    """Compile voiceguide's modules to bytecode first, as installing it does (pip writes the .pyc files).

    Run from a source tree with PYTHONDONTWRITEBYTECODE set (as here), every command would otherwise
    compile its ~70 modules from source again: ~30 ms of each run that no installed copy pays.
    """
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "voiceguide")], check=True)


PACING = ("--press", "6")
"""The new pacing of the "clips cached, new pacing" rows: every clip is cached, but the timeline is another one,
so voiceguide measures the session's gain and peak again (nothing remembered for it)."""


def peer_run(peer: Path, plan: Path, out: Path, cache: Path, work: Path) -> tuple[tuple[float, float, float], dict]:
    """One run of a peer: (wall, peak RSS, CPU) and its phases."""
    phases = work / "phases.json"
    done = run([sys.executable, str(peer), str(plan), "-o", str(out), "--cache", str(cache), "--phases", str(phases)])
    return (done[0], done[1], done[3]), json.loads(phases.read_text())


def summarize(prefix: str, results: dict[str, list[tuple[float, float, float]]]) -> dict[str, dict[str, float]]:
    out = {}
    for name, values in results.items():
        if values:
            out[f"{prefix} {name} (s)"] = stats([v[0] for v in values])
            out[f"{prefix} {name} CPU (s)"] = stats([v[2] for v in values])
            out[f"{prefix} {name} peak RSS (MiB)"] = stats([v[1] for v in values])
    return out


def phase_rows(prefix: str, phases: dict[str, list[dict[str, float]]]) -> dict[str, dict[str, float]]:
    """Per-phase wall seconds (the peer's: speech, loudness, tones, layout, write; voiceguide's: imports, routine,
    synthesis, gain, export), median of the runs."""
    out = {}
    for row, runs in phases.items():
        for phase in runs[0] if runs else ():
            out[f"{prefix} {row}: phase {phase} (s)"] = stats([r.get(phase, 0.0) for r in runs])
    return out


def bench_export(routine: str, runs: int, work: Path, m4b: bool = True) -> dict[str, dict[str, float]]:
    """Alternating exports of the routine, voiceguide's beside the peer's (scripts/peer_espeak.py) on the same plan:
    cold (nothing cached: voiceguide's clip cache and the peer's speech cache empty), warm (both caches full), and
    clips cached with a new pacing (both keep their clips; voiceguide measures the new session's gain). WAV, and
    voiceguide's default format M4B beside it (the peer writes WAV only)."""
    warm_cache, peer_cache = work / "warm-cache", work / "peer-cache"
    run([*VOICEGUIDE, "export", routine, "-o", str(work / "prime.wav"), "--force"], env_with(warm_cache))
    plan, paced_plan = work / "plan.json", work / "plan-paced.json"
    plan.write_text(run([*VOICEGUIDE, "show", routine, "--json"], env_with(warm_cache))[2])
    paced_plan.write_text(run([*VOICEGUIDE, "show", routine, "--json", *PACING], env_with(warm_cache))[2])
    paced_cache = work / "paced-cache"
    shutil.copytree(warm_cache, paced_cache, dirs_exist_ok=True)
    peer = ROOT / "scripts" / "peer_espeak.py"
    with_peer = shutil.which("espeak-ng") is not None
    if with_peer:  # the peer's warm cache: what its first run leaves
        peer_run(peer, plan, work / "peer.wav", peer_cache, work)
    names = ("cold, WAV", "warm, WAV", "clips cached, new pacing, WAV", "cold, M4B", "warm, M4B")
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in names}
    peers: dict[str, list[tuple[float, float, float]]] = {name: [] for name in names[:3]}
    phases: dict[str, list[dict[str, float]]] = {name: [] for name in names[:3]}
    identical: list[bool] = []

    def export(name: str, cache: Path, dest: str, *extra: str) -> None:
        done = run([*VOICEGUIDE, "export", routine, "-o", str(work / dest), "--force", *extra], env_with(cache))
        results[name].append((done[0], done[1], done[3]))

    def peer_row(name: str, which: Path, cache: Path) -> None:
        if with_peer:
            figures, phase = peer_run(peer, which, work / "peer.wav", cache, work)
            peers[name].append(figures)
            phases[name].append(phase)

    for n in range(runs):
        cold_cache = work / f"cold-{n}"
        export("cold, WAV", cold_cache, "cold.wav")
        shutil.rmtree(cold_cache, ignore_errors=True)
        peer_row("cold, WAV", plan, work / f"peer-cold-{n}")
        shutil.rmtree(work / f"peer-cold-{n}", ignore_errors=True)
        export("warm, WAV", warm_cache, "warm.wav")
        peer_row("warm, WAV", plan, peer_cache)
        shutil.rmtree(paced_cache / "gains", ignore_errors=True)  # the new session's figures are measured again
        export("clips cached, new pacing, WAV", paced_cache, "paced.wav", *PACING)
        peer_row("clips cached, new pacing, WAV", paced_plan, peer_cache)
        if m4b:
            export("cold, M4B", cold_cache, "cold.m4b")
            shutil.rmtree(cold_cache, ignore_errors=True)
            export("warm, M4B", warm_cache, "warm.m4b")
        # Reproducible clips: every cold export is the very file the warm cache gives.
        # (Hashed in chunks: 128 MB read whole would raise this process's RSS, and a child's peak RSS
        # counts the parent's pages it was forked with.)
        identical.append(digest(work / "cold.wav") == digest(work / "warm.wav"))
    # voiceguide's own phases, in one process each (after the timed runs: timing them adds nothing to those).
    ours: dict[str, list[dict[str, float]]] = {"cold, WAV": [], "warm, WAV": [], "clips cached, new pacing, WAV": []}
    script = str(ROOT / "scripts" / "export_phases.py")
    for n in range(runs):
        for name, cache in (
            ("cold, WAV", work / f"phases-cold-{n}"),
            ("warm, WAV", warm_cache),
            ("clips cached, new pacing, WAV", paced_cache),
        ):
            if name.startswith("clips"):
                shutil.rmtree(paced_cache / "gains", ignore_errors=True)
            env = env_with(cache) | {"PYTHONPATH": str(ROOT)}
            ours[name].append(json.loads(run([sys.executable, script, routine, str(work / "phases.wav")], env)[2]))
        shutil.rmtree(work / f"phases-cold-{n}", ignore_errors=True)
    out = {"cold export byte-identical to warm (1 = yes)": stats([float(same) for same in identical])}
    out |= summarize("export", results) | summarize("peer", peers)
    out |= phase_rows("export", ours) | phase_rows("peer", phases)
    return out


# FFmpeg on the session's own WAV, with the settings voiceguide's encoder uses (same codec, bit rate or
# quality): the time a user reaching for `ffmpeg -i evening.wav ...` would wait.
FFMPEG_ANCHORS = {
    "m4b": ["-c:a", "aac", "-b:a", "64k", "-aac_coder", "fast", "-f", "ipod"],  # FFmpeg's native AAC, as PyAV's
    "mp3": ["-c:a", "libmp3lame", "-q:a", "4"],  # LAME VBR 4: libsndfile's default (the same file size)
    "opus": ["-c:a", "libopus", "-b:a", "32k"],  # complexity 10, FFmpeg's default and voiceguide's
    "ogg": ["-c:a", "libvorbis", "-q:a", "4"],  # libsndfile's default Vorbis quality, 0.4
    "flac": ["-c:a", "flac"],  # compression level 5 in both
}


def bench_formats(routine: str, runs: int, work: Path, only: set[str] | None = None) -> dict[str, dict[str, float]]:
    """Each format's warm export beside FFmpeg encoding the same session's WAV, alternating (wall and CPU);
    ``only``: these formats alone."""
    cache = work / "warm-cache"
    wav = work / "formats.wav"
    run([*VOICEGUIDE, "export", routine, "-o", str(wav), "--force"], env_with(cache))
    ffmpeg = shutil.which("ffmpeg")
    times: dict[str, list[tuple[float, float]]] = {}
    for _ in range(runs):
        for fmt, options in FFMPEG_ANCHORS.items():
            if only and fmt not in only:
                continue
            done = run([*VOICEGUIDE, "export", routine, "-o", str(work / f"formats.{fmt}"), "--force"], env_with(cache))
            times.setdefault(f"export {fmt}", []).append((done[0], done[3]))
            if ffmpeg:
                cmd = [ffmpeg, "-nostdin", "-loglevel", "error", "-y", "-i", str(wav), "-vn", *options]
                done = run([*cmd, str(work / f"ffmpeg.{fmt}")])
                times.setdefault(f"ffmpeg {fmt}", []).append((done[0], done[3]))
    out = {}
    for name, values in times.items():
        out[f"{name} (s)"] = stats([v[0] for v in values])
        out[f"{name} CPU (s)"] = stats([v[1] for v in values])
    return out


def bench_neural(routine: str, runs: int, work: Path, voice: str = "joe") -> dict[str, dict[str, float]]:
    """Alternating cold and warm exports with the neural voice, beside the Piper peer (scripts/peer_piper.py) with
    its speech cache empty and full, on the same plan (WAV)."""
    warm_cache, peer_cache = work / "neural-warm-cache", work / "neural-peer-cache"
    export = [*VOICEGUIDE, "export", routine, "--voice", voice, "--force", "-o"]
    run([*export, str(work / "neural-prime.wav")], env_with(warm_cache))
    plan = work / "neural-plan.json"
    plan.write_text(run([*VOICEGUIDE, "show", routine, "--voice", voice, "--json"], env_with(warm_cache))[2])
    peer = ROOT / "scripts" / "peer_piper.py"
    serial = ROOT / "scripts" / "peer_piper_serial.py"
    serials: dict[str, list[tuple[float, float, float]]] = {"cold": []}
    peer_run(peer, plan, work / "neural-peer.wav", peer_cache, work)
    results: dict[str, list[tuple[float, float, float]]] = {"cold": [], "warm": []}
    peers: dict[str, list[tuple[float, float, float]]] = {"cold": [], "warm": []}
    phases: dict[str, list[dict[str, float]]] = {"cold": [], "warm": []}
    for n in range(runs):
        cold_cache, cold_peer = work / f"neural-cold-{n}", work / f"neural-peer-cold-{n}"
        for name, cache, speech in (("cold", cold_cache, cold_peer), ("warm", warm_cache, peer_cache)):
            done = run([*export, str(work / f"neural-{name}.wav")], env_with(cache))
            results[name].append((done[0], done[1], done[3]))
            figures, phase = peer_run(peer, plan, work / "neural-peer.wav", speech, work)
            peers[name].append(figures)
            phases[name].append(phase)
            if name == "cold":  # issue 27's second yardstick: one serial process, no cache (cold only)
                done = run([sys.executable, str(serial), str(plan), "-o", str(work / "neural-serial.wav")])
                serials["cold"].append((done[0], done[1], done[3]))
        shutil.rmtree(cold_cache, ignore_errors=True)
        shutil.rmtree(cold_peer, ignore_errors=True)
    return (
        summarize("neural export", results)
        | summarize("piper peer", peers)
        | summarize("piper serial peer", serials)
        | phase_rows("piper peer", phases)
    )


def bench_bed_export(routine: str, runs: int, work: Path, bed: str = "brown") -> dict[str, dict[str, float]]:
    """Alternating warm exports with and without a generated bed (clips cached, so the bed's cost shows)."""
    cache = work / "warm-cache"
    export = [*VOICEGUIDE, "export", routine, "--force", "-o"]
    run([*export, str(work / "bed-prime.wav"), "--bed", bed], env_with(cache))
    with_bed, without = [], []
    for _ in range(runs):
        with_bed.append(run([*export, str(work / "bed.wav"), "--bed", bed], env_with(cache))[0])
        without.append(run([*export, str(work / "nobed.wav")], env_with(cache))[0])
    return {f"export warm --bed {bed} (s)": stats(with_bed), "export warm, no bed (s)": stats(without)}


def bench_length(routine: str, work: Path, scales: list[float]) -> dict[str, dict[str, float]]:
    """Peak RSS and time of a warm export at several session lengths, as WAV, FLAC and M4B: flat means streaming."""
    cache = work / "warm-cache"
    if not cache.exists():  # run alone (--only length): fill the clip cache first
        run([*VOICEGUIDE, "export", routine, "-o", str(work / "prime.wav"), "--force"], env_with(cache))
    out = {}
    for fmt in ("wav", "flac", "m4b"):
        for scale in scales:
            # The same work at every length: clips cached, the loudness gain measured anew.
            shutil.rmtree(cache / "gains", ignore_errors=True)
            wall, rss, text, _ = run(
                [*VOICEGUIDE, "export", routine, "-o", str(work / f"long.{fmt}"), "--force", "--scale", str(scale)],
                env_with(cache),
            )
            length = text.split("(")[1].split(",")[0] if "(" in text else "?"
            out[f"export {fmt} x{scale:g} scale ({length}) peak RSS (MiB)"] = stats([rss])
            out[f"export {fmt} x{scale:g} scale ({length}) wall (s)"] = stats([wall])
    return out


def start_vsink(work: Path) -> dict[str, str]:
    """The virtual sound card (scripts/vsink.sh), with its monitor as the default input."""
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "vsink.sh"), "start", str(work / "vsink")],
        capture_output=True,
        text=True,
        check=True,
    )
    env = {
        k: v.strip("'") for k, v in (item.split("=", 1) for item in done.stdout.strip().removeprefix("export ").split())
    }
    os.environ.update(env)
    subprocess.run(["pactl", "set-default-source", "vsink.monitor"], check=True)
    return env


def first_sound(routine: str, cache: Path, work: Path, extra: tuple[str, ...] = ()) -> float:
    """Seconds from launching `voiceguide play` to the first sound heard on the sink's monitor."""
    import numpy as np
    import sounddevice as sd

    heard: list[float] = []

    def callback(indata: np.ndarray, frames: int, when: object, status: object) -> None:
        if not heard:
            loud = np.flatnonzero(np.abs(indata[:, 0]) > 0.01)
            if loud.size:
                heard.append(time.perf_counter() - (frames - loud[0]) / 22050)

    env = env_with(cache) | {"VOICEGUIDE_STATE_DIR": str(work / "state")}
    with sd.InputStream(samplerate=22050, channels=1, blocksize=256, callback=callback, latency="low"):
        time.sleep(0.5)
        start = time.perf_counter()
        proc = subprocess.Popen(
            [*VOICEGUIDE, "play", routine, "--quiet", *extra],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while not heard and time.perf_counter() - start < 30:
            time.sleep(0.01)
        proc.terminate()
        proc.wait(10)
    return heard[0] - start if heard else float("nan")


def play_cpu(routine: str, cache: Path, work: Path, seconds: float, extra: tuple[str, ...] = ()) -> float:
    """Share of one core that `voiceguide play` uses while it plays (after its first 5 s)."""
    env = env_with(cache) | {"VOICEGUIDE_STATE_DIR": str(work / "state")}
    proc = subprocess.Popen(
        [*VOICEGUIDE, "play", routine, "--quiet", *extra], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    tick = os.sysconf("SC_CLK_TCK")

    def cpu() -> float:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    time.sleep(5)
    before, start = cpu(), time.perf_counter()
    time.sleep(seconds)
    used, wall = cpu() - before, time.perf_counter() - start
    proc.terminate()
    proc.wait(10)
    return 100 * used / wall


def bench_play(routine: str, runs: int, work: Path, cpu_seconds: float) -> dict[str, dict[str, float]]:
    start_vsink(work)
    warm = work / "warm-cache"
    run([*VOICEGUIDE, "export", routine, "-o", str(work / "prime-play.wav"), "--force"], env_with(warm))
    warm_times, cold_times = [], []
    for n in range(runs):
        warm_times.append(first_sound(routine, warm, work))
        cold_times.append(first_sound(routine, work / f"cold-play-{n}", work))
    return {
        "play first sound, warm cache (s)": stats(warm_times),
        "play first sound, cold cache (s)": stats(cold_times),
        f"play CPU over {cpu_seconds:g} s (% of a core)": stats([play_cpu(routine, warm, work, cpu_seconds)]),
        f"play CPU over {cpu_seconds:g} s, --bed brown (% of a core)": stats(
            [play_cpu(routine, warm, work, cpu_seconds, ("--bed", "brown"))]
        ),
    }


def bench_log_start(routine: str, runs: int, work: Path) -> dict[str, dict[str, float]]:
    """First sound of `play` with the practice log written at its start and with --log off, by turns."""
    start_vsink(work)
    warm = work / "warm-cache"
    run([*VOICEGUIDE, "export", routine, "-o", str(work / "prime-log.wav"), "--force"], env_with(warm))
    os.environ["VOICEGUIDE_DATA_DIR"] = str(work / "log-play")
    logged, off = [], []
    for _ in range(runs * 2):
        logged.append(first_sound(routine, warm, work))
        off.append(first_sound(routine, warm, work, ("--log", "off")))
    return {
        "play first sound, warm, log written (s)": stats(logged),
        "play first sound, warm, --log off (s)": stats(off),
    }


def bench_soak(routine: str, work: Path, minutes: float) -> dict[str, dict[str, float]]:
    """Play for `minutes` into the virtual card: peak RSS growth and clock drift of the session position."""
    start_vsink(work)
    cache = work / "warm-cache"
    run([*VOICEGUIDE, "export", routine, "-o", str(work / "prime-soak.wav"), "--force"], env_with(cache))
    state = work / "soak-state"
    env = env_with(cache) | {"VOICEGUIDE_STATE_DIR": str(state)}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*VOICEGUIDE, "play", routine, "--quiet", "--scale", "2.6"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def rss() -> float:
        for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    time.sleep(20)
    first = rss()
    samples = [first]
    while time.perf_counter() - started < minutes * 60:
        time.sleep(10)
        samples.append(rss())
    stopped = time.perf_counter()
    proc.send_signal(15)
    proc.wait(10)
    saved = json.loads((state / "session.json").read_text())
    heard = saved["position"] / saved["sample_rate"]
    return {
        f"soak {minutes:g} min: RSS at 20 s (MiB)": stats([first]),
        f"soak {minutes:g} min: RSS at end (MiB)": stats([samples[-1]]),
        f"soak {minutes:g} min: position minus wall time (s)": stats([heard - (stopped - started)]),
    }


def bench_wer(routine: str, work: Path, voices: list[tuple[str, tuple[str, ...]]]) -> dict[str, dict[str, float]]:
    """Word error rate of pocketsphinx on the first spoken cues of an export with each voice (scripts/wer.py)."""
    import wer

    out = {}
    for name, extra in voices:
        cache = work / ("neural-warm-cache" if extra else "warm-cache")
        rate = wer.measure(routine, extra, env_with(cache), work / f"wer-{name}.wav")
        out[f"word error rate, {name}, first {wer.CUES} cues"] = stats([rate])
    return out


def bench_fit(routine: str, runs: int, work: Path) -> dict[str, dict[str, float]]:
    """`show` against `show --length 20` (a routine of 20 minutes or less: its own length), run by turns
    (a shared machine's load falls on both alike); and, in this process, the plan each lays out."""
    env = env_with(work / "fit-cache")
    sys.path.insert(0, str(ROOT))
    os.environ["VOICEGUIDE_CACHE_DIR"] = env["VOICEGUIDE_CACHE_DIR"]
    from voiceguide.plan.config import effective_pacing
    from voiceguide.plan.length import session_minutes
    from voiceguide.plan.timeline import estimate
    from voiceguide.prepare import build_timeline, open_store
    from voiceguide.routine.library import load_routine

    loaded = load_routine(routine)
    own = session_minutes(estimate(loaded, effective_pacing(loaded, {}, None, saved={})[0]))
    length = str(min(20, own))
    run([*VOICEGUIDE, "show", routine], env)  # the clips made once: both then measure the plan, not speech
    run([*VOICEGUIDE, "show", routine, "--length", length], env)
    plain, fitted = [], []
    for _ in range(runs * 3):
        plain.append(run([*VOICEGUIDE, "show", routine], env)[0])
        fitted.append(run([*VOICEGUIDE, "show", routine, "--length", length], env)[0])
    plans: dict[str, list[float]] = {"plain": [], "fitted": []}
    for _ in range(runs * 4):
        for kind, flags in (("plain", {}), ("fitted", {"length": length})):
            pacing, _ = effective_pacing(loaded, flags, None, saved={})
            store = open_store(pacing, pronounce=loaded.pronounce)
            start = time.perf_counter()
            build_timeline(loaded, pacing, store)
            plans[kind].append((time.perf_counter() - start) * 1000)
            store.close()
    ratio = statistics.median(fitted) / statistics.median(plain)
    return {
        "show (s)": stats(plain),
        f"show --length {length} (s)": stats(fitted),
        f"show --length {length} / show (ratio of medians)": stats([ratio]),
        "plan of show (ms)": stats(plans["plain"]),
        f"plan of show --length {length} (ms)": stats(plans["fitted"]),
    }


OPEN_SESSION = """
import sys, time
from voiceguide.live.start import open_session
start = time.perf_counter()
session, notes = open_session("evening", resume=False, device=None, flags={"log": sys.argv[1]}, preset=None)
took = time.perf_counter() - start
session.close()  # never played: its entry goes again
print(took)
"""


def bench_log(runs: int, work: Path, sessions: int = 10_000) -> dict[str, dict[str, float]]:
    """The practice log: the work of an entry at a session's start (a new log, and one with entries; `play` does
    it in a thread of its own while the sound library loads, see bench_log_start), its size per session, and
    `voiceguide log` over ``sessions`` generated sessions."""
    sys.path.insert(0, str(ROOT))
    os.environ["VOICEGUIDE_DATA_DIR"] = str(work / "log-start")
    from voiceguide import practice
    from voiceguide.live.logbook import Logbook
    from voiceguide.plan.pacing import Pacing
    from voiceguide.routine.library import load_routine

    evening = load_routine("evening")
    first, later = [], []
    for n in range(runs * 4):
        os.environ["VOICEGUIDE_DATA_DIR"] = str(work / f"log-start-{n}")
        for times in (first, later, later):  # the first session makes the log; the next ones add to it
            start = time.perf_counter()
            book = Logbook.start(evening, "evening", Pacing(), 6, None)
            times.append((time.perf_counter() - start) * 1000)
            assert book is not None
            book.held.close()
    # What `play` waits for before its first bell (open_session: the routine, the pacing, the session, the sound
    # library, and the log's entry begun in a thread meanwhile), with the log and with --log off, by turns.
    env = dict(os.environ, VOICEGUIDE_DATA_DIR=str(work / "log-open"), VOICEGUIDE_STATE_DIR=str(work / "log-state"))
    opened: dict[str, list[float]] = {"on": [], "off": []}
    for _ in range(runs * 4):
        for log in ("on", "off"):
            opened[log].append(float(run([sys.executable, "-c", OPEN_SESSION, log], env, ROOT)[2]) * 1000)
    path = work / "log-10k" / practice.FILE_NAME
    held = practice.Held(path)
    now = time.time()
    for i in range(sessions):
        started = now - i * 3000.0  # about a year of sessions, several a day
        entry = practice.begin(f"routine-{i % 3}", "f" * 64, "en", "espeak default", 6, started=started, held=held)
        practice.update(entry, played=900.0, points=["LR3", "LR4", "SP4"], planned=1200.0, how="finished", held=held)
    held.close()  # checkpoints: the file holds everything
    per_session = path.stat().st_size / sessions
    env = dict(os.environ, VOICEGUIDE_DATA_DIR=str(path.parent))
    shown = [run([*VOICEGUIDE, "log"], env)[0] for _ in range(runs * 3)]
    baseline = [run([*VOICEGUIDE, "--help"], env)[0] for _ in range(runs * 3)]
    return {
        "log entry written, new log (ms, in its own thread)": stats(first),
        "log entry written, existing log (ms, in its own thread)": stats(later),
        "play's start (open_session), log on (ms)": stats(opened["on"]),
        "play's start (open_session), --log off (ms)": stats(opened["off"]),
        f"log bytes per session ({sessions} sessions)": stats([per_session]),
        f"voiceguide log, {sessions} sessions (s)": stats(shown),
        "voiceguide --help, same runs (s)": stats(baseline),
    }


def bench_startup(runs: int) -> dict[str, dict[str, float]]:
    values = [run([sys.executable, "-m", "voiceguide", "--help"])[0] for _ in range(runs * 3)]
    return {"voiceguide --help (s)": stats(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--routine", default="evening")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", dest="json_path", help="also write the results to this JSON file")
    parser.add_argument("--quick", action="store_true", help="skip the long-session, fit and log runs; 5 s of play CPU")
    parser.add_argument(
        "--soak", type=float, default=0, metavar="MIN", help="also play MIN minutes of a 2-hour session"
    )
    parser.add_argument("--no-m4b", action="store_true", help="export rows as WAV only (M4B takes ~6 s a run)")
    parser.add_argument("--formats", help="the formats row group for these formats only, e.g. flac,m4b")
    parser.add_argument("--no-play", action="store_true", help="skip the live-play measurements (no PulseAudio)")
    parser.add_argument("--no-neural", action="store_true", help="skip the neural-voice rows (no piper voice)")
    parser.add_argument("--no-wer", action="store_true", help="skip the word error rates (scripts/wer.py)")
    parser.add_argument(
        "--only",
        metavar="ROWS",
        help="comma-separated row groups to run: export,formats,bed,neural,length,startup,play,wer,fit,log "
        "(default: all selected)",
    )
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None

    def wanted(group: str) -> bool:
        return only is None or group in only

    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="voiceguide-bench-") as tmp:
        work = Path(tmp)
        compile_bytecode()
        if wanted("export"):
            results |= bench_export(args.routine, args.runs, work, m4b=not args.no_m4b)
        if wanted("formats"):
            results |= bench_formats(
                args.routine, args.runs, work, set(args.formats.split(",")) if args.formats else None
            )
        if wanted("lang"):
            from bench_lang import bench_languages

            results |= bench_languages(args.routine, args.runs, work, m4b=not args.no_m4b)
        if wanted("bed"):
            results |= bench_bed_export(args.routine, args.runs, work)
        if not args.no_neural and wanted("neural"):
            results |= bench_neural(args.routine, args.runs, work)
        if not args.quick and wanted("length"):
            results |= bench_length(args.routine, work, [1.0, 2.6])
        if wanted("startup"):
            results |= bench_startup(args.runs)
        if not args.quick and wanted("fit"):
            results |= bench_fit(args.routine, args.runs, work)
        if not args.quick and wanted("log"):
            results |= bench_log(args.runs, work)
        if not args.quick and not args.no_play and wanted("log"):
            results |= bench_log_start(args.routine, args.runs, work)
        if args.soak:
            results |= bench_soak(args.routine, work, args.soak)
        if not args.no_play and wanted("play"):
            results |= bench_play(args.routine, args.runs, work, 5.0 if args.quick else 30.0)
        if args.soak or (not args.no_play and (wanted("play") or (wanted("log") and not args.quick))):
            subprocess.run(["bash", str(ROOT / "scripts" / "vsink.sh"), "stop", str(work / "vsink")], check=False)
        if not args.no_wer and wanted("wer"):
            results |= bench_wer(args.routine, work, [("espeak-ng", ()), ("joe", ("--voice", "joe"))])

    width = max(len(k) for k in results)
    print(f"{'measure':<{width}}  {'median':>9}  {'min':>9}  {'max':>9}  runs")
    for name, s in results.items():
        print(f"{name:<{width}}  {s['median']:>9.3f}  {s['min']:>9.3f}  {s['max']:>9.3f}  {s['runs']}")
    ratios = {}

    def ratio(name: str, top: str, bottom: str) -> None:
        if top in results and bottom in results:
            ratios[name] = results[top]["median"] / results[bottom]["median"]

    ratio("peer / warm export (WAV)", "peer warm, WAV (s)", "export warm, WAV (s)")
    ratio("peer / cold export (WAV)", "peer cold, WAV (s)", "export cold, WAV (s)")
    ratio(
        "peer / clips cached, new pacing (WAV)",
        "peer clips cached, new pacing, WAV (s)",
        "export clips cached, new pacing, WAV (s)",
    )
    ratio("peer WAV / warm export M4B", "peer warm, WAV (s)", "export warm, M4B (s)")
    ratio("peer WAV / cold export M4B", "peer cold, WAV (s)", "export cold, M4B (s)")
    ratio("piper peer / cold neural export", "piper peer cold (s)", "neural export cold (s)")
    ratio("piper peer / warm neural export", "piper peer warm (s)", "neural export warm (s)")
    ratio("piper serial peer / cold neural export", "piper serial peer cold (s)", "neural export cold (s)")
    if "piper serial peer cold (s)" in results and "piper peer cold (s)" in results:
        faster = min(results["piper serial peer cold (s)"]["median"], results["piper peer cold (s)"]["median"])
        ratios["faster piper peer / cold neural export"] = faster / results["neural export cold (s)"]["median"]
    ratio("warm neural / warm espeak export", "neural export warm (s)", "export warm, WAV (s)")
    ratio("warm --bed brown / no bed export", "export warm --bed brown (s)", "export warm, no bed (s)")
    ratio(
        "play's start, log on / --log off",
        "play's start (open_session), log on (ms)",
        "play's start (open_session), --log off (ms)",
    )
    ratio(
        "first sound, log written / --log off",
        "play first sound, warm, log written (s)",
        "play first sound, warm, --log off (s)",
    )
    for fmt in FFMPEG_ANCHORS:  # the target: each at most 1.2x FFmpeg's time on the same WAV
        ratio(f"export {fmt} / ffmpeg {fmt}", f"export {fmt} (s)", f"ffmpeg {fmt} (s)")
        ratio(f"export {fmt} / ffmpeg {fmt}, CPU", f"export {fmt} CPU (s)", f"ffmpeg {fmt} CPU (s)")
    from bench_lang import ratios as language_ratios

    ratios |= language_ratios(results)  # the target: each language at most 1.1x English
    for name, value in ratios.items():
        print(f"{name:<{width}}  {value:>9.2f}x")
    if args.json_path:
        Path(args.json_path).write_text(
            json.dumps({"results": results, "ratios": ratios, "routine": args.routine, "when": time.time()}, indent=1)
        )


if __name__ == "__main__":
    main()

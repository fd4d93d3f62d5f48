#!/usr/bin/env python3
"""What a language costs: `show` and warm exports (WAV and M4B) of a built-in routine in each translation,
beside English, alternating runs (wall and CPU seconds; issue 25's target: no more than 10 % over English).

Each language's clip cache is filled first (one export); every timed export then finds all its clips. The
same routine speaks more or fewer seconds in another language (German's sentences are longer): the row
"speech (s)" gives each language's spoken seconds, so a cost that follows the amount of sound shows as such.

    PYTHONPATH=. .venv/bin/python scripts/bench_lang.py --runs 5
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import VOICEGUIDE, env_with, run, stats

LANGUAGES = ("en", "de", "es", "fr", "pt-BR", "zh")


def spoken_seconds(plan: dict) -> float:
    """Seconds of the plan during which a clip is speaking."""
    return sum(e["duration"] for e in plan["events"] if e["kind"] == "speech")


def bench_languages(routine: str, runs: int, work: Path, m4b: bool = True) -> dict[str, dict[str, float]]:
    """Per language: show, warm WAV and (with ``m4b``) warm M4B export, wall and CPU, and its spoken seconds
    (nothing for a routine file: only the built-in routines are translated)."""
    if Path(routine).suffix == ".toml":
        return {}
    times: dict[str, list[float]] = {}
    out: dict[str, dict[str, float]] = {}
    formats = ("wav", "m4b") if m4b else ("wav",)
    for lang in LANGUAGES:
        env = env_with(work / f"cache-{lang}")
        plan = json.loads(run([*VOICEGUIDE, "show", routine, "--lang", lang, "--json"], env)[2])
        out[f"{lang} speech (s)"] = stats([spoken_seconds(plan)])
        run([*VOICEGUIDE, "export", routine, "--lang", lang, "-o", str(work / f"prime-{lang}.wav"), "--force"], env)
    for n in range(runs):
        # Alternating, each round in another order, so that no language always runs first or after the same one.
        for lang in LANGUAGES[n % len(LANGUAGES) :] + LANGUAGES[: n % len(LANGUAGES)]:
            env = env_with(work / f"cache-{lang}")
            rows = [("show", [*VOICEGUIDE, "show", routine, "--lang", lang])]
            for fmt in formats:
                dest = str(work / f"{lang}.{fmt}")
                rows.append((f"warm {fmt}", [*VOICEGUIDE, "export", routine, "--lang", lang, "-o", dest, "--force"]))
            for name, cmd in rows:
                wall, _, _, cpu = run(cmd, env)
                times.setdefault(f"{lang} {name} (s)", []).append(wall)
                times.setdefault(f"{lang} {name} CPU (s)", []).append(cpu)
    out |= {name: stats(values) for name, values in times.items()}
    return out


def ratios(results: dict[str, dict[str, float]]) -> dict[str, float]:
    """Each language's median over English's, for every row English has."""
    found = {}
    for name, figures in results.items():
        lang, _, row = name.partition(" ")
        english = results.get(f"en {row}")
        if lang != "en" and english and english["median"]:
            found[f"{lang} / en, {row}"] = figures["median"] / english["median"]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--routine", default="evening")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-m4b", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="voiceguide-lang-") as tmp:
        results = bench_languages(args.routine, args.runs, Path(tmp), m4b=not args.no_m4b)
    width = max(len(k) for k in results)
    for name, s in results.items():
        print(f"{name:<{width}}  {s['median']:>9.3f}  {s['min']:>9.3f}  {s['max']:>9.3f}  {s['runs']}")
    for name, value in ratios(results).items():
        print(f"{name:<{width + 10}}  {value:>6.2f}x")


if __name__ == "__main__":
    main()

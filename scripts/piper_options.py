#!/usr/bin/env python3
"""CPU time of the evening's distinct texts under onnxruntime session options (one caller, one intra-op thread).

    taskset -c 0 python scripts/piper_options.py [--rounds 2]

Each variant runs in a fresh process (model load included, reported apart), variants alternate round by round.
CPU time (user + sys) is what is compared: on a shared machine wall time says little, CPU time a little more.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VARIANTS = {
    "opt-all": {"graph_optimization_level": "ORT_ENABLE_ALL"},  # onnxruntime's default
    "no-arena": {"enable_cpu_mem_arena": False},
    "no-mem-pattern": {"enable_mem_pattern": False},
    "opt-basic": {"graph_optimization_level": "ORT_ENABLE_BASIC"},  # voiceguide's (piper_engine.GRAPH_OPTIMIZATION)
    "opt-extended": {"graph_optimization_level": "ORT_ENABLE_EXTENDED"},
}
"""Changes from onnxruntime's default session options (besides voiceguide's one thread without spinning)."""


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(name: str, texts: list[str]) -> None:
    import onnxruntime as ort
    import piper

    import voiceguide.speech.piper_engine as pe
    from voiceguide.speech.piper_voices import read_config, resolve

    files = resolve(None)
    before = cpu()
    options = ort.SessionOptions()
    options.intra_op_num_threads = pe.INTRA_OP_THREADS
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", pe.SPINNING)
    for key, value in VARIANTS[name].items():
        setattr(options, key, getattr(ort.GraphOptimizationLevel, value) if isinstance(value, str) else value)
    session = ort.InferenceSession(str(files.model), sess_options=options, providers=["CPUExecutionProvider"])
    config = read_config(files.config)
    voice = piper.PiperVoice(config=piper.PiperConfig.from_dict(config), session=session)
    loaded = pe._Loaded(voice, files, int(config["audio"]["sample_rate"]), False)
    load_cpu = cpu() - before
    start, before = time.perf_counter(), cpu()
    samples = sum(pe.speak(loaded, t, pe.length_scale(150)).size for t in texts)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{name:15s} load cpu {load_cpu:.2f} s, clips cpu {cpu() - before:.2f} s "
        f"(wall {time.perf_counter() - start:.1f} s, {samples / 22050:.0f} s of speech), peak RSS {peak:.0f} MiB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--texts", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, json.loads(Path(args.texts).read_text()))
        return
    plan = subprocess.run(
        [sys.executable, "-m", "voiceguide", "show", "evening", "--voice", "joe", "--json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    texts = list(dict.fromkeys(e["text"] for e in json.loads(plan.stdout)["events"] if e["kind"] == "speech"))
    listing = Path("/tmp/piper-options-texts.json")
    listing.write_text(json.dumps(texts))
    for _ in range(args.rounds):
        for name in VARIANTS:
            subprocess.run([sys.executable, __file__, "--child", name, "--texts", str(listing)], check=True, cwd=ROOT)


if __name__ == "__main__":
    main()

"""Where real people's commands are lost (issue 23): every recording of one kind in the human corpus (made by
scripts/human_corpus.py) through the listening path, as scripts/listen_human.py feeds it, and for each one that is
not acted on correctly the stage that rejected it:

    vad: no onset       the level never rose onset_db over the noise floor (or stayed under min_level_db)
    vad: click/too long an utterance began but ended as a click (< min_length) or outgrew max_length
    decoy               a decoy word won and the command alone fitted worse than min_fit_over_decoy
    poor-fit, tone, no-pause-before, unclear: the recognizer's own rules (voiceguide.live.recognizer)
    wrong               another command was acted on

    PYTHONPATH=. python scripts/listen_stages.py /tmp/human [--kind command|word] [--part tune|held-out] [-v]
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from listen_human import LEAD, room_noise

from voiceguide.live.grammar import COMMAND_OF
from voiceguide.live.recognizer import Decision, Recognizer
from voiceguide.live.recording import feed_stream
from voiceguide.live.vad import VAD_RATE, Segmenter


class Watched(Segmenter):
    """A segmenter that remembers whether an utterance ever began."""

    began = False

    def _step(self, frame: np.ndarray, db: float) -> object:
        segment = super()._step(frame, db)
        self.began = self.began or self._in_speech
        return segment


def stage(kind: str, label: str, every: list[Decision], began: bool) -> str:
    """The verdict on one recording: ok, or the stage that lost (or wrongly acted on) it."""
    acted = [d for d in every if d.command is not None]
    if kind == "command":
        want = COMMAND_OF[label]
        if acted and all(d.command == want for d in acted):
            return "ok"
        if acted:
            return "wrong"
    elif acted:
        return "acted on: " + ", ".join(sorted({d.phrase or "" for d in acted}))
    else:
        return "ok"
    if not every:
        return "vad: click/too long" if began else "vad: no onset"
    return "+".join(d.reason for d in every)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--kind", default="command", choices=["command", "word"])
    ap.add_argument("--part", action="append", choices=["tune", "held-out"])
    ap.add_argument("-v", action="store_true", help="list each recording that was lost, with what was decoded")
    args = ap.parse_args()
    rec = Recognizer()
    for part in args.part or ["tune", "held-out"]:
        items = [
            i
            for i in json.loads((args.folder / "manifest.json").read_text())
            if i["part"] == part and i["kind"] == args.kind
        ]
        counts: collections.Counter = collections.Counter()
        for item in items:
            audio, rate = sf.read(args.folder / item["file"], dtype="float32")
            assert rate == VAD_RATE
            rec.segmenter = seg = Watched(rec.segmenter.s)
            every = feed_stream(rec, np.concatenate([room_noise(audio, LEAD), audio]), VAD_RATE)
            verdict = stage(args.kind, item["label"], every, seg.began)
            counts[verdict if args.kind == "command" or verdict == "ok" else "acted on"] += 1
            if args.v and verdict != "ok":
                heard = ", ".join(f"{d.reason}:{d.phrase}:{d.fit:.1f}" for d in every)
                print(f"    {Path(item['file']).name}: {verdict} [{heard}]")
        print(f"  {args.kind}, {part} part (n={len(items)})")
        for verdict, n in counts.most_common():
            print(f"    {verdict:32s} {n:4d} {n / len(items):6.1%}")


if __name__ == "__main__":
    main()

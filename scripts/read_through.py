"""Read a language's session through once with its espeak-ng voice: every text the evening says in that language
(full verbosity, a wait, every answer to a key), respelled as the voice gets it, with espeak-ng's phonemes,
and the sentences where espeak-ng switched to another language's rules (its usual mispronunciation) flagged.

    python scripts/read_through.py de            # phonemes of every sentence, switches marked with !!
    python scripts/read_through.py zh --wav out/ # also one WAV per sentence, to listen to
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path


def texts(tag: str) -> list[str]:
    """Every distinct text a session in ``tag`` says."""
    from voiceguide.live.controls import answers
    from voiceguide.plan.config import effective_pacing
    from voiceguide.plan.language import in_language
    from voiceguide.plan.timeline import estimate
    from voiceguide.routine.library import load_routine
    from voiceguide.words import catalogue

    english = load_routine("evening")
    said: list[str] = []
    for flags in ({"lang": tag}, {"lang": tag, "wait_before": "LR4,KI1", "verbosity": "brief"}):
        pacing, origin = effective_pacing(english, flags, None, saved={})
        routine, pacing = in_language("evening", english, pacing, origin)
        said += estimate(routine, pacing, live=True).texts()
    said += answers(catalogue(tag)).values()
    return list(dict.fromkeys(said))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lang")
    parser.add_argument("--wav", type=Path, help="Also write one WAV per sentence into this folder.")
    args = parser.parse_args()
    from voiceguide.speech.pronounce import merged, respell
    from voiceguide.words import catalogue

    words = catalogue(args.lang)
    voice = words.voice.rpartition("/")[2]
    table = merged({}, words.tag)
    switched = 0
    for n, text in enumerate(texts(words.tag), start=1):
        spoken = respell(text, table)
        phonemes = subprocess.run(["espeak-ng", "-q", "-x", "-v", voice, spoken], capture_output=True, text=True)
        flag = "!!" if "(" in phonemes.stdout else "  "
        switched += flag == "!!"
        print(f"{flag} {spoken}\n     {' '.join(phonemes.stdout.split())}")
        if args.wav:
            args.wav.mkdir(parents=True, exist_ok=True)
            subprocess.run(["espeak-ng", "-v", voice, "-w", str(args.wav / f"{n:03d}.wav"), spoken], check=True)
    print(f"{switched} sentence(s) where espeak-ng switched language (marked !!)")


if __name__ == "__main__":
    main()

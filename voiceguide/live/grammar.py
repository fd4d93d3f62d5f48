"""The spoken commands: which phrases mean which command word, and the JSGF grammar the decoder matches them with."""

from __future__ import annotations

from typing import Final

PHRASES: Final[dict[str, tuple[str, ...]]] = {
    "pause": ("pause", "pause please"),
    "resume": ("continue", "resume"),
    "next": ("next point", "skip ahead"),
    "previous": ("previous point", "previous"),
    "repeat": ("repeat", "say again"),
    "louder": ("louder",),
    "softer": ("softer", "quieter", "volume down"),
    "quit": ("stop", "stop session", "end session"),
}
"""Command word (the same words the keys produce, except that voice says "pause" and "resume" apart) to the
phrases that say it. Chosen by a confusion table over synthetic voices (see scripts/bench_listen.py --confusion):
"back", "next", "quit", "wait", "hold on" and "go on" were confused with each other; these were not. "volume up"
was dropped: ordinary speech (routine texts read by other voices) set it off 3 times in 22 minutes. "go back" was
replaced by "previous" (issue 22): a user's "go back" was heard 0 times in 6, "previous point" 3 in 3, and in the
confusion table "go back" was taken for "go on", "louder" or "stop" 5 times in 20, "previous" never."""

DOES: Final[dict[str, str]] = {
    "pause": "pause",
    "resume": "continue",
    "next": "next point",
    "previous": "previous point",
    "repeat": "repeat",
    "louder": "louder",
    "softer": "softer",
    "quit": "stop",
}
"""What each command word does, in the words the user knows it by (the first phrase of each; shown by check)."""

COMMAND_OF: Final[dict[str, str]] = {phrase: command for command, phrases in PHRASES.items() for phrase in phrases}

DECOYS: Final = """
of and to a in is it that he for on are as i his they be at one have this from or had by hot word some we can out
other were there when use your how said an each she which do their time if will way about many then them write would
so these her make thing see him two has look more day could come did sound no most people my over know water than
first who may side been now find any new work part take get place made where after round man year came show every
good me give our under name very through just form sentence great think low line differ turn much mean before move
right too same does set three air up down off yes left
""".split()
"""Common English words the grammar offers beside the commands: speech that is no command is decoded as one of them
and rejected. A word that sounds exactly like a command word is left out when the grammar is built. Left out by
hand: words that won over a clearly spoken one-syllable command in the benchmark (scripts/bench_listen.py prints
each rejection's reason and what was decoded): "tell", "help", "little" over "stop"; "call", "cause", "all", "boy",
"old", "only", "was", "go" over "pause"; "you" over "resume"; "like", "want", "long", "live", "number", "but" over
"go back" (a phrase since replaced); "the" over "repeat"; "what", "with" over "quieter". Added after
measuring real people (issue 23): "up", "down", "off", "yes", "left", everyday words that people's single words
were most often taken for commands without (scripts/listen_human.py)."""

VARIANTS: Final[dict[str, tuple[str, ...]]] = {"stop": ("S T AO P", "S T AH P", "S T OW P")}
"""Pronunciations of command words beside the dictionary's one (issue 23). People say "stop" with the vowels of
"law", "up" and "go" as well as the dictionary's "father" (S T AA P): without them 17 % of real people's "stop"s
(scripts/listen_stages.py) lost to "so", "show" or "that", which their vowel fitted better."""

DECOY_WEIGHT: Final = 0.1
"""Prior weight of the decoys against 1 for the commands; lower lets more commands and more non-commands through."""


def jsgf(decoys: list[str], decoy_weight: float = DECOY_WEIGHT) -> str:
    """The grammar: one command phrase, or one decoy word."""
    commands = " | ".join(COMMAND_OF)
    lines = ["#JSGF V1.0;", "grammar voiceguide;", f"<command> = {commands};"]
    if decoys:
        lines.append(f"<decoy> = {' | '.join(decoys)};")
        lines.append(f"public <utterance> = /1/ <command> | /{decoy_weight}/ <decoy>;")
    else:
        lines.append("public <utterance> = <command>;")
    return "\n".join(lines) + "\n"


def spoken_help() -> str:
    """The phrases as one line for the screen (the `?` key's list while listening)."""
    return "say: " + " · ".join(" / ".join(f'"{p}"' for p in phrases) for phrases in PHRASES.values())


def command_words() -> set[str]:
    """Every word of every command phrase."""
    return {word for phrase in COMMAND_OF for word in phrase.split()}

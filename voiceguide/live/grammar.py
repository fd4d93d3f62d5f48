"""The spoken commands: which phrases mean which command word, and the JSGF grammar the decoder matches them with."""

from __future__ import annotations

from typing import Final

PHRASES: Final[dict[str, tuple[str, ...]]] = {
    "pause": ("pause", "pause please"),
    "resume": ("continue", "resume"),
    "next": ("next point", "skip ahead"),
    "previous": ("go back", "previous point"),
    "repeat": ("repeat", "say again"),
    "louder": ("louder", "volume up"),
    "softer": ("softer", "quieter", "volume down"),
    "quit": ("stop", "stop session", "end session"),
}
"""Command word (the same words the keys produce, except that voice says "pause" and "resume" apart) to the
phrases that say it. Chosen by a confusion table over synthetic voices (see scripts/bench_listen.py --confusion):
"back", "next", "quit", "wait", "hold on" and "go on" were confused with each other; these were not."""

COMMAND_OF: Final[dict[str, str]] = {phrase: command for command, phrases in PHRASES.items() for phrase in phrases}

DECOYS: Final = """
the of and to a in is it you that he was for on are with as i his they be at one have this from or had by hot word
but what some we can out other were all there when use your how said an each she which do their time if will way
about many then them write would like so these her long make thing see him two has look more day could come did
number sound no most people my over know water than call first who may side been now find any new work part take get
place made live where after little only round man year came show every good me give our under name very through just
form sentence great think help low line differ turn cause much mean before move right boy old too same tell does set
three want air
""".split()
"""Common English words the grammar offers beside the commands: speech that is no command is decoded as one of them
and rejected. A word that sounds exactly like a command word is left out when the grammar is built."""

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


def command_words() -> set[str]:
    """Every word of every command phrase."""
    return {word for phrase in COMMAND_OF for word in phrase.split()}

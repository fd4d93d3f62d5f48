"""The manual page (roff, section 1), written from the click commands themselves: the same help texts and
options `--help` shows, so the two never disagree."""

from __future__ import annotations

import click

ENVIRONMENT = (
    ("VOICEGUIDE_CACHE_DIR", "the clip cache (default: voiceguide/clips in the user's cache folder)"),
    ("VOICEGUIDE_CONFIG", "the saved defaults file (default: voiceguide/config.toml in the user's config folder)"),
    ("VOICEGUIDE_STATE_DIR", "saved session positions (default: voiceguide in the user's state folder)"),
    ("VOICEGUIDE_VOICES_DIR", "your own Piper voices, NAME.onnx and NAME.onnx.json (default: voiceguide/voices)"),
    ("VOICEGUIDE_ENGINE", "the speech engine when neither --engine nor the voice says (espeak, piper)"),
)


def _text(line: str) -> str:
    """One line of text, escaped for roff (backslashes, hyphens, a leading dot or quote)."""
    line = line.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + line if line.startswith((".", "'")) else line


def _help(text: str) -> list[str]:
    """A click help text as roff: paragraphs filled, ``\\b`` blocks (examples) kept line for line."""
    out: list[str] = []
    for block in text.strip().split("\n\n"):
        lines = block.split("\n")
        if lines[0].strip() == "\b":
            out += [".PP", ".nf", *(_text(line) for line in lines[1:] if line.strip()), ".fi"]
        else:
            out += [".PP", _text(" ".join(line.strip() for line in lines))]
    return out


def _commands(group: click.Group, ctx: click.Context) -> list[tuple[click.Command, click.Context]]:
    """Every command under ``group``, depth first, each with its context (for its usage line and help)."""
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        sub = click.Context(command, info_name=name, parent=ctx)
        found.append((command, sub))
        if isinstance(command, click.Group):
            found += _commands(command, sub)
    return found


def manpage(cli: click.Group, name: str, version: str) -> str:
    """The whole manual page of ``cli`` (invoked as ``name``)."""
    root = click.Context(cli, info_name=name)
    summary = (cli.help or "").strip().split("\n")[0]
    out = [f'.TH {name.upper()} 1 "" "{name} {version}" "User Commands"', ".SH NAME", _text(f"{name} - {summary}")]
    out += [".SH SYNOPSIS", f".B {name}", _text("[OPTIONS] COMMAND [ARGS]...")]
    out += [".SH DESCRIPTION", *_help(cli.help or "")]
    out += [".SH OPTIONS", *_options(cli, root), ".SH COMMANDS"]
    for command, ctx in _commands(cli, root):
        out += [".SS " + _text(ctx.command_path + " " + " ".join(command.collect_usage_pieces(ctx)))]
        out += _help(command.help or "")
        out += _options(command, ctx)
    out += [".SH SHELL COMPLETION", ".PP", _text("Commands, options and values (routines, voices, beds, presets,")]
    out += [_text("point codes) complete on Tab in bash, zsh and fish once the shell loads the script:"), ".PP", ".nf"]
    out += [_text(f'eval "$({name} completion bash)"    # in ~/.bashrc; zsh: the same with zsh, in ~/.zshrc')]
    out += [_text(f"{name} completion fish > ~/.config/fish/completions/{name}.fish"), ".fi"]
    out += [".SH ENVIRONMENT"]
    for variable, meaning in ENVIRONMENT:
        out += [".TP", f".B {variable}", _text(meaning)]
    out += [".SH SEE ALSO", _text(f"{name} COMMAND --help; espeak-ng(1)")]
    return "\n".join(out) + "\n"


def _options(command: click.Command, ctx: click.Context) -> list[str]:
    out = []
    for param in command.get_params(ctx):
        if not isinstance(param, click.Option):
            continue  # arguments are in the usage line
        record = param.get_help_record(ctx)
        if record is not None:
            out += [".TP", f".B {_text(record[0])}", _text(record[1])]
    return out

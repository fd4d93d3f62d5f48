"""Commands about the command line itself: help (and the man page), shell completion scripts."""

from __future__ import annotations

import click

from .group import cli

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_VOICEGUIDE_COMPLETE"
"""click's completion variable for the `voiceguide` command (click derives it from the program's name)."""


@cli.command("help")
@click.argument("command", nargs=-1)
@click.option(
    "--man", is_flag=True, help="Print the manual page instead (roff), e.g. `voiceguide help --man > voiceguide.1`."
)
@click.pass_context
def help_cmd(ctx: click.Context, command: tuple[str, ...], man: bool) -> None:
    """Show a command's help (voiceguide's own without COMMAND), or the manual page.

    \b
    Example:
      voiceguide help play
      voiceguide help --man | man -l -
    """
    root = ctx.find_root()
    if man:
        from .. import __version__
        from .manpage import manpage

        click.echo(manpage(cli, root.info_name or "voiceguide", __version__), nl=False)
        return
    target: click.Command = cli
    parent = root
    for name in command:
        found = target.get_command(parent, name) if isinstance(target, click.Group) else None
        if found is None:
            raise click.UsageError(f"no such command: {' '.join(command)}")
        target, parent = found, click.Context(found, info_name=name, parent=parent)
    click.echo(target.get_help(parent))


@cli.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print a shell's completion script: commands, options and values complete on Tab.

    Values: routine names and .toml files, voice ids, bed names, presets, point codes for --only and --skip.

    \b
    Example:
      eval "$(voiceguide completion bash)"     # add this line to ~/.bashrc
      eval "$(voiceguide completion zsh)"      # add this line to ~/.zshrc
      voiceguide completion fish > ~/.config/fish/completions/voiceguide.fish
    """
    from click.shell_completion import get_completion_class

    complete = get_completion_class(shell)
    assert complete is not None  # SHELLS are click's own
    click.echo(complete(cli, {}, "voiceguide", COMPLETE_VAR).source())

"""The practice log command: log (recent sessions, this week and month, a four-week calendar; JSON, CSV, forget)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click

from .group import cli


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min"


def _sessions(count: int) -> str:
    return "1 session" if count == 1 else f"{count} sessions"


@cli.command("log")
@click.option("--json", "as_json", is_flag=True, help="Print every session as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print every session as CSV.")
@click.option("--streak", is_flag=True, help="Also show how many days in a row you practised.")
@click.option("--recent", default=10, show_default=True, metavar="N", help="How many recent sessions to list.")
@click.option("--forget", is_flag=True, help="Delete sessions from the log (all, or those --before a day).")
@click.option("--before", metavar="YYYY-MM-DD", help="With --forget: only sessions started before this day.")
@click.option("--yes", is_flag=True, help="With --forget: do not ask first.")
def log_cmd(
    as_json: bool, as_csv: bool, streak: bool, recent: int, forget: bool, before: str | None, yes: bool
) -> None:
    """Your practice log: recent sessions, minutes this week and month, and the days you practised.

    Live sessions are recorded on this computer only (`voiceguide pace set --log off` stops it).

    \b
    Example:
      voiceguide log
      voiceguide log --csv > practice.csv
      voiceguide log --forget --before 2026-01-01
    """
    from ..practice import entries, log_path
    from ..practice_report import as_csv as csv_text
    from ..practice_report import as_dicts, calendar, parse_day, report

    if before is not None and not forget:
        raise click.UsageError("--before goes with --forget")
    if as_json and as_csv:
        raise click.UsageError("give --json or --csv, not both")
    if forget:
        _forget(before, yes, parse_day, log_path())
        return
    if as_json or as_csv:
        every = entries()
        click.echo(
            json.dumps(as_dicts(every), ensure_ascii=False, indent=1) if as_json else csv_text(every), nl=as_json
        )
        return
    shown = report(recent=recent, streak=streak)
    if not shown.recent:
        click.echo(f"No sessions in your practice log yet ({log_path()}).")
        return
    click.echo("Recent sessions:")
    for entry in shown.recent:
        _entry_line(entry)
    click.echo(f"This week: {_minutes(shown.week[0])} in {_sessions(shown.week[1])}.")
    click.echo(f"This month: {_minutes(shown.month[0])} in {_sessions(shown.month[1])}.")
    click.echo("Days practised, last four weeks (x):")
    for line in calendar(shown.days, shown.today):
        click.echo("  " + line)
    if shown.streak is not None:
        click.echo(f"Streak: {shown.streak} {'day' if shown.streak == 1 else 'days'} in a row.")


def _entry_line(entry: Any) -> None:
    from pathlib import Path

    when = datetime.fromtimestamp(entry.started).strftime("%a %d %b %H:%M")
    routine = Path(entry.routine).stem if "/" in entry.routine else entry.routine
    planned = f" of {entry.planned / 60:.0f}" if entry.planned else ""
    how = entry.how or "not ended"
    click.echo(
        f"  {when}  {routine:<14} {entry.played / 60:>3.0f}{planned} min  "
        f"{len(entry.points)}/{entry.steps} points  {how}"
    )


def _forget(before: str | None, yes: bool, parse_day: Any, path: Any) -> None:
    from ..practice import forget

    try:
        limit = parse_day(before) if before is not None else None
    except ValueError:
        raise click.BadParameter(f"{before!r} is not a day like 2026-01-31", param_hint="--before") from None
    what = f"the sessions started before {before}" if before else "every session"
    if not yes and not click.confirm(f"Delete {what} from {path}?", default=False):
        click.echo("Nothing deleted.")
        return
    gone = forget(limit)
    click.echo(f"Deleted {_sessions(gone)}.")

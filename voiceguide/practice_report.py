"""What `voiceguide log` shows of the practice log: minutes this week and month, the days practised over the
last four weeks as a small calendar, an optional streak, and the entries as JSON or CSV (pure, but for
``report``, which reads the log)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final, NamedTuple

from . import practice
from .practice import Entry

WEEKS: Final = 4
"""Weeks the calendar shows, the current one last."""
DAY_NAMES: Final = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


class Report(NamedTuple):
    """The figures `voiceguide log` prints."""

    recent: list[Entry]
    week: tuple[float, int]
    """(seconds played, sessions) since Monday."""
    month: tuple[float, int]
    """(seconds played, sessions) since the first of the month."""
    days: set[date]
    """Days with a session in the calendar's weeks."""
    today: date
    streak: int | None = None
    """Days in a row with a session up to today (or yesterday), when asked for."""


def _midnight(day: date) -> float:
    return datetime(day.year, day.month, day.day).timestamp()  # local time, as the calendar is read


def first_calendar_day(today: date) -> date:
    """The Monday that begins the calendar's first week."""
    return today - timedelta(days=today.weekday() + 7 * (WEEKS - 1))


def report(*, today: date | None = None, recent: int = 10, streak: bool = False, path: Path | None = None) -> Report:
    """Read the log for `voiceguide log`."""
    today = today or date.today()
    held = practice.Held(path)  # one connection for the four reads
    try:
        week = practice.played_since(_midnight(today - timedelta(days=today.weekday())), held=held)
        month = practice.played_since(_midnight(today.replace(day=1)), held=held)
        since = None if streak else _midnight(first_calendar_day(today))
        days = {date.fromisoformat(day) for day in practice.days(since=since, held=held)}
        recent_entries = practice.entries(limit=recent, held=held)
    finally:
        held.close()
    shown = {d for d in days if d >= first_calendar_day(today)}
    return Report(recent_entries, week, month, shown, today, streak_of(days, today) if streak else None)


def streak_of(days: Iterable[date], today: date) -> int:
    """Days in a row with a session, ending today, or yesterday when today has none yet."""
    have = set(days)
    day = today if today in have else today - timedelta(days=1)
    count = 0
    while day in have:
        count += 1
        day -= timedelta(days=1)
    return count


def calendar(days: set[date], today: date) -> list[str]:
    """The last WEEKS weeks, Monday first, one line per week: ``x`` a day practised, ``.`` one not, blank to come."""
    first = first_calendar_day(today)
    lines = [" " * 7 + " ".join(DAY_NAMES)]
    for week in range(WEEKS):
        monday = first + timedelta(days=7 * week)
        cells = []
        for offset in range(7):
            day = monday + timedelta(days=offset)
            cells.append("" if day > today else "x" if day in days else ".")
        lines.append(f"{monday:%d %b} " + " ".join(cell.rjust(2) for cell in cells).rstrip())
    return lines


def as_dicts(entries: Sequence[Entry]) -> list[dict[str, Any]]:
    """Entries as JSON-ready dictionaries (times also as ISO 8601 local time)."""
    out = []
    for entry in entries:
        item = entry._asdict()
        item["points"] = list(entry.points)
        item["started_at"] = datetime.fromtimestamp(entry.started).isoformat(timespec="seconds")
        item["ended_at"] = datetime.fromtimestamp(entry.ended).isoformat(timespec="seconds") if entry.ended else None
        out.append(item)
    return out


CSV_FIELDS: Final = (
    "id",
    "started_at",
    "ended_at",
    "routine",
    "routine_hash",
    "language",
    "voice",
    "planned",
    "played",
    "steps",
    "points",
    "how",
)


def as_csv(entries: Sequence[Entry]) -> str:
    """Entries as CSV with a header row (points as space-separated codes)."""
    import csv  # only here: its C module takes a noticeable part of `voiceguide log`'s start
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for item in as_dicts(entries):
        writer.writerow({**item, "points": " ".join(item["points"])})
    return buffer.getvalue()


def parse_day(text: str) -> float:
    """``YYYY-MM-DD`` as the unix time of that day's local midnight; ValueError otherwise."""
    return _midnight(date.fromisoformat(text.strip()))

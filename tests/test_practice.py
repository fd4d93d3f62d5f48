"""The practice log with a real SQLite database: entries, summaries, the command, and the bad cases (locked,
read-only, damaged, newer). Sessions played on the virtual card are in test_practice_play.py."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from test_abuse import read_only  # noqa: F401  # the fixture: a folder read-only for root too

from voiceguide import practice
from voiceguide.cli import cli
from voiceguide.errors import LogError
from voiceguide.live.logbook import Logbook, end_entry
from voiceguide.plan.timeline import estimate
from voiceguide.practice_report import calendar, report, streak_of
from voiceguide.routine.library import load_routine

HASH = "0123456789abcdef" * 4


def add(
    routine: str = "evening",
    *,
    started: float | None = None,
    played: float = 600.0,
    how: str = "finished",
    held: practice.Held | None = None,
) -> int:
    entry = practice.begin(routine, HASH, "en", "espeak default", 6, started=started, held=held)
    practice.update(entry, played=played, points=["LR3", "LR4"], planned=1200.0, how=how, held=held)
    return entry


def at(day: date, hour: int = 20) -> float:
    return datetime(day.year, day.month, day.day, hour).timestamp()


def test_an_entry_reads_back_as_written_and_the_log_is_in_the_data_folder_in_wal_mode(tmp_path: Path) -> None:
    entry = practice.begin("evening", HASH, "en", "gmw/en-us", 6)
    practice.update(entry, played=61.25, points=["LR3"], planned=1200.5, how="stopped")
    got = practice.get(entry)
    assert got is not None
    assert (got.routine, got.routine_hash, got.language, got.voice) == ("evening", HASH, "en", "gmw/en-us")
    assert (got.played, got.planned, got.points, got.steps, got.how) == (61.25, 1200.5, ("LR3",), 6, "stopped")
    assert got.started <= got.ended <= time.time()  # type: ignore[operator]
    assert practice.log_path() == tmp_path / "data" / "practice.sqlite3"
    with sqlite3.connect(practice.log_path()) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA user_version").fetchone()[0] == practice.SCHEMA_VERSION


def test_an_unknown_ending_is_refused() -> None:
    entry = add()
    with pytest.raises(ValueError, match="unknown ending"):
        practice.update(entry, played=1, points=[], planned=None, how="exploded")


def test_entries_come_newest_first_and_reading_an_absent_log_creates_nothing() -> None:
    assert practice.entries() == [] and not practice.log_path().exists()
    first, second = add(started=1000.0), add(started=2000.0)
    assert [e.id for e in practice.entries()] == [second, first]
    assert [e.id for e in practice.entries(limit=1)] == [second]
    assert [e.id for e in practice.entries(since=1500.0)] == [second]


def test_a_session_is_at_most_two_kilobytes_of_log() -> None:
    add()
    empty = practice.log_path().stat().st_size
    held = practice.Held()
    for _ in range(500):
        add("/home/someone/routines/a-rather-long-routine-name.toml", held=held)
    held.close()
    with sqlite3.connect(practice.log_path()) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert (practice.log_path().stat().st_size - empty) / 500 <= 2048


def test_reading_the_log_is_not_blocked_by_a_write_in_progress() -> None:
    add()
    writer = sqlite3.connect(practice.log_path(), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO sessions (started, routine, routine_hash, language, voice) VALUES (1, 'x', '', '', '')")
    started = time.perf_counter()
    assert len(practice.entries()) == 1  # the other's uncommitted entry is not seen, and nothing waits
    assert time.perf_counter() - started < 0.5
    writer.execute("COMMIT")
    writer.close()
    assert len(practice.entries()) == 2


def test_a_writer_waits_for_a_short_transaction_of_another() -> None:
    add()
    writer = sqlite3.connect(practice.log_path(), isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    threading.Timer(0.3, lambda: (writer.execute("COMMIT"), writer.close())).start()
    add()  # waits the 0.3 s, then writes
    assert len(practice.entries()) == 2


def test_a_locked_log_is_one_error_saying_so_after_the_busy_timeout() -> None:
    add()
    holder = sqlite3.connect(practice.log_path(), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    started = time.perf_counter()
    try:
        with pytest.raises(LogError, match=r"practice.sqlite3: database is locked \(another program holds it\)"):
            add()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert practice.BUSY_SECONDS <= time.perf_counter() - started < practice.BUSY_SECONDS + 1


def test_a_log_in_a_read_only_folder_is_one_error_and_stays_as_it_was(read_only) -> None:  # noqa: F811
    add()
    before = practice.log_path().read_bytes()
    read_only(practice.log_path().parent)
    with pytest.raises(LogError) as caught:
        add()
    assert str(caught.value).startswith(f"{practice.log_path()}: ")
    assert "readonly" in str(caught.value) or "unable to open" in str(caught.value)
    assert practice.log_path().read_bytes() == before


def test_a_damaged_log_is_moved_aside_with_a_warning_and_a_new_one_started() -> None:
    path = practice.log_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database, it is some text that got here" * 40)
    with pytest.warns(UserWarning, match=r"the practice log .* was damaged \(file is not a database\); it was moved"):
        entry = add()
    (aside,) = path.parent.glob("practice.sqlite3.damaged-*")
    assert aside.read_bytes().startswith(b"this is not a database")  # kept, never deleted
    assert [e.id for e in practice.entries()] == [entry]


def test_a_log_from_a_newer_voiceguide_is_left_untouched() -> None:
    add()
    with sqlite3.connect(practice.log_path()) as con:
        con.execute("PRAGMA user_version = 99")
    before = practice.log_path().read_bytes()
    with pytest.raises(LogError, match=r"is from a newer voiceguide \(log version 99; this one knows 1\)"):
        add()
    with pytest.raises(LogError, match="newer voiceguide"):
        practice.entries()
    assert practice.log_path().read_bytes() == before


def test_forget_deletes_before_a_day_or_everything_and_wipes_the_bytes() -> None:
    old, new = add("secret-old", started=at(date(2026, 1, 5))), add(started=at(date(2026, 3, 5)))
    assert practice.forget(at(date(2026, 2, 1), 0)) == 1
    assert [e.id for e in practice.entries()] == [new] and old != new
    assert practice.forget() == 1 and practice.entries() == []
    assert b"secret-old" not in practice.log_path().read_bytes()


def test_the_week_and_month_figures_and_the_calendar_count_the_right_days() -> None:
    today = date(2026, 12, 9)  # a Wednesday
    add(started=at(today), played=600)
    add(started=at(today - timedelta(days=1)), played=300)  # Tuesday: this week
    add(started=at(today - timedelta(days=3)), played=1200)  # Sunday: last week, this month
    add(started=at(today - timedelta(days=40)), played=900)  # last month, off the calendar
    shown = report(today=today)
    assert shown.week == (900.0, 2) and shown.month == (2100.0, 3)
    assert shown.days == {today, today - timedelta(days=1), today - timedelta(days=3)}
    assert shown.streak is None
    assert calendar(shown.days, today) == [
        "       Mo Tu We Th Fr Sa Su",
        "16 Nov  .  .  .  .  .  .  .",
        "23 Nov  .  .  .  .  .  .  .",
        "30 Nov  .  .  .  .  .  .  x",
        "07 Dec  .  x  x",
    ]
    assert report(today=today, streak=True).streak == 2


@settings(max_examples=examples(200))
@given(st.sets(st.integers(0, 60)), st.integers(0, 60))
def test_a_streak_is_the_run_of_days_ending_today_or_yesterday(offsets: set[int], skip: int) -> None:
    today = date(2026, 6, 15)
    days = {today - timedelta(days=n) for n in offsets}
    streak = streak_of(days, today)
    start = 0 if 0 in offsets else 1
    expected = 0
    while start + expected in offsets:
        expected += 1
    assert streak == expected
    assert streak <= len(days)


def test_the_log_command_shows_recent_sessions_the_week_and_month_and_no_streak_unless_asked() -> None:
    add(played=1500, how="stopped")
    result = CliRunner().invoke(cli, ["log"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Recent sessions:"
    assert lines[1].endswith("evening         25 of 20 min  2/6 points  stopped")
    assert "This week: 25 min in 1 session." in lines and "This month: 25 min in 1 session." in lines
    assert "Streak" not in result.output
    assert "Streak: 1 day in a row." in CliRunner().invoke(cli, ["log", "--streak"]).output


def test_the_log_command_with_an_empty_log_says_so() -> None:
    result = CliRunner().invoke(cli, ["log"])
    assert result.exit_code == 0 and result.output.startswith("No sessions in your practice log yet")


def test_json_and_csv_give_every_session_with_the_same_fields() -> None:
    add(), add(how="device lost")
    data = json.loads(CliRunner().invoke(cli, ["log", "--json"]).output)
    assert [d["how"] for d in data] == ["device lost", "finished"]
    assert data[0]["points"] == ["LR3", "LR4"] and data[0]["routine_hash"] == HASH
    rows = CliRunner().invoke(cli, ["log", "--csv"]).output.splitlines()
    assert rows[0].startswith("id,started_at,ended_at,routine,") and len(rows) == 3
    assert rows[1].endswith(",6,LR3 LR4,device lost")


def test_forget_asks_first_unless_yes() -> None:
    add()
    result = CliRunner().invoke(cli, ["log", "--forget"], input="n\n")
    assert "Nothing deleted." in result.output and len(practice.entries()) == 1
    result = CliRunner().invoke(cli, ["log", "--forget", "--before", "2999-01-01", "--yes"])
    assert result.output == "Deleted 1 session.\n" and practice.entries() == []


def test_a_bad_day_for_forget_is_one_clear_error() -> None:
    result = CliRunner().invoke(cli, ["log", "--forget", "--before", "yesterday", "--yes"])
    assert result.exit_code == 2 and "'yesterday' is not a day like 2026-01-31" in result.output


def test_the_log_command_on_a_log_from_a_newer_voiceguide_is_one_line() -> None:
    add()
    with sqlite3.connect(practice.log_path()) as con:
        con.execute("PRAGMA user_version = 7")
    result = CliRunner().invoke(cli, ["log"])
    assert result.exit_code == 1 and result.output.count("\n") == 1 and "newer voiceguide" in result.output


# The live session's side: a stand-in for the player (its position and played-sample count) is enough.
class FakePlayer:
    rate = 100

    def __init__(self) -> None:
        self.position = self.played = 0

    def play(self, samples: int) -> None:
        self.position += samples
        self.played += samples


@pytest.fixture
def tiny():
    from voiceguide.plan.pacing import Pacing

    routine = load_routine(str(Path(__file__).parent / "routines" / "tiny.toml"))
    return routine, Pacing(), estimate(routine, Pacing(), 100)


def test_points_count_as_completed_when_their_chime_is_played_not_skipped(tiny) -> None:
    routine, pacing, timeline = tiny
    book = Logbook.start(routine, "tiny", pacing, 2, None)
    assert book is not None
    player = FakePlayer()
    book.follow(player, timeline)
    done = [e.start for e in timeline.events if e.tone == "done" and e.step is not None]
    player.play(done[0] + 1)
    book.follow(player, timeline)
    assert book.points == ["SP4"]
    player.position = done[1] + 5  # a skip past the second point's chime
    book.follow(player, timeline)
    assert book.points == ["SP4"]
    assert end_entry(book, "quit", player, timeline) is None
    entry = practice.get(book.entry)
    assert entry is not None and entry.how == "stopped" and entry.points == ("SP4",)
    assert entry.played == round((done[0] + 1) / 100, 2) and entry.planned == pytest.approx(timeline.duration)


@pytest.mark.parametrize(
    ("reason", "how"),
    [
        ("finished", "finished"),
        ("quit", "stopped"),
        ("interrupted", "stopped"),
        ("hangup", "interrupted"),
        ("terminated", "interrupted"),
        ("device", "device lost"),
        ("error", "interrupted"),
    ],
)
def test_each_way_a_session_ends_has_its_word_in_the_log(tiny, reason: str, how: str) -> None:
    routine, pacing, timeline = tiny
    book = Logbook.start(routine, "tiny", pacing, 2, None)
    end_entry(book, reason, FakePlayer(), timeline)
    assert practice.get(book.entry).how == how  # type: ignore[union-attr]


def test_a_resumed_session_continues_its_entry_and_a_forgotten_one_starts_anew(tiny) -> None:
    routine, pacing, timeline = tiny
    first = Logbook.start(routine, "tiny", pacing, 2, None)
    player = FakePlayer()
    first.follow(player, timeline)  # type: ignore[union-attr]
    player.play(500)
    end_entry(first, "interrupted", player, timeline)
    again = Logbook.start(routine, "tiny", pacing, 2, first.entry)  # type: ignore[union-attr]
    assert again is not None and again.entry == first.entry and again.before == 5.0  # type: ignore[union-attr]
    player = FakePlayer()
    player.play(300)
    end_entry(again, "finished", player, timeline)
    assert [(e.played, e.how) for e in practice.entries()] == [(8.0, "finished")]
    practice.forget()
    assert Logbook.start(routine, "tiny", pacing, 2, again.entry).entry != again.entry  # type: ignore[union-attr]


def test_with_the_log_off_nothing_is_recorded(tiny) -> None:
    from dataclasses import replace

    routine, pacing, _ = tiny
    assert Logbook.start(routine, "tiny", replace(pacing, log=False), 2, None) is None
    assert not practice.log_path().exists()


def test_pace_set_log_off_is_kept_and_reaches_the_session_pacing() -> None:
    from voiceguide.plan.config import effective_pacing

    result = CliRunner().invoke(cli, ["pace", "set", "--log", "off"])
    assert result.exit_code == 0, result.output
    pacing, origin = effective_pacing(None, {}, None)
    assert pacing.log is False and origin["log"] == "saved"


def test_a_failed_last_write_is_one_line_for_the_end_of_the_session(tiny) -> None:
    routine, pacing, timeline = tiny
    book = Logbook.start(routine, "tiny", pacing, 2, None)
    holder = sqlite3.connect(practice.log_path(), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        note = end_entry(book, "finished", FakePlayer(), timeline)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert note == (
        f"this session could not be written to the practice log: {practice.log_path()}: database is locked "
        "(another program holds it)"
    )


def test_a_session_that_never_played_leaves_no_entry_and_a_resumed_one_keeps_its_own(tiny) -> None:
    routine, pacing, _ = tiny
    book = Logbook.start(routine, "tiny", pacing, 2, None)
    book.abandon()  # type: ignore[union-attr]
    assert practice.entries() == []
    kept = add("tiny")
    resumed = Logbook.start(routine, "tiny", pacing, 2, kept)
    resumed.abandon()  # type: ignore[union-attr]
    assert [e.id for e in practice.entries()] == [kept]


def test_the_entry_begun_in_a_thread_is_waited_for_and_its_error_raised_in_the_caller(tiny) -> None:
    from voiceguide.live.logbook import start_soon

    routine, pacing, _ = tiny
    book = start_soon(routine, "tiny", pacing, 2, None)()
    assert book is not None and practice.get(book.entry) is not None
    book.abandon()
    with sqlite3.connect(practice.log_path()) as con:
        con.execute("PRAGMA user_version = 9")
    with pytest.raises(LogError, match="newer voiceguide"):
        start_soon(routine, "tiny", pacing, 2, None)()


def test_an_export_is_not_a_practice_session(tmp_path: Path) -> None:
    tiny = str(Path(__file__).parent / "routines" / "tiny.toml")
    result = CliRunner().invoke(
        cli, ["export", tiny, "-o", str(tmp_path / "tiny.wav")], env={"VOICEGUIDE_ENGINE": "standin"}
    )
    assert result.exit_code == 0, result.output
    assert not practice.log_path().exists()


codes = st.lists(st.sampled_from(["LR3", "LR4", "SP3", "SP4", "KI1", "KI6"]), unique=True)


@settings(max_examples=examples(30))
@given(
    st.text(min_size=1, max_size=200),
    st.floats(0, 1e6, allow_nan=False),
    codes,
    st.sampled_from(practice.ENDINGS),
    st.floats(0, 4e9),
)
def test_any_entry_reads_back_as_written(
    routine: str, played: float, points: list[str], how: str, started: float
) -> None:
    entry = practice.begin(routine, HASH, "en", "v", len(points), started=started)
    practice.update(entry, played=played, points=points, planned=None, how=how)
    got = practice.get(entry)
    assert got is not None
    assert (got.routine, got.played, got.points, got.how, got.started) == (
        routine,
        round(played, 2),
        tuple(points),
        how,
        started,
    )
    assert practice.entries(since=started, limit=1)[0].started >= started

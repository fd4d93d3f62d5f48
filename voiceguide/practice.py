"""The practice log: one SQLite database in the data folder, a row per live session (stdlib sqlite3, WAL).

Every write is one short transaction, and every connection waits up to BUSY_SECONDS for another's, so a
session, a second session and `voiceguide log` never block one another for longer. Nothing leaves the machine.
"""

from __future__ import annotations

import os
import sqlite3
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from typing import Final, NamedTuple

from .errors import LogError
from .paths import data_dir

SCHEMA_VERSION: Final = 1
"""The log's layout (SQLite's user_version); a newer one is left alone, never written."""
BUSY_SECONDS: Final = 1.0
"""How long a connection waits for another's transaction before giving up (they last milliseconds)."""
FILE_NAME: Final = "practice.sqlite3"
ENDINGS: Final = ("finished", "stopped", "interrupted", "device lost")
"""How a session ended: played to the end; stopped by the listener (q, Ctrl-C, "stop"); ended from outside
(the terminal closed, SIGTERM, an error); the sound device went away."""

_SCHEMA: Final = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a saved session names its entry by id
    started REAL NOT NULL,
    ended REAL,
    routine TEXT NOT NULL,
    routine_hash TEXT NOT NULL,
    language TEXT NOT NULL,
    voice TEXT NOT NULL,
    planned REAL,
    played REAL NOT NULL DEFAULT 0,
    steps INTEGER NOT NULL DEFAULT 0,
    points TEXT NOT NULL DEFAULT '',
    how TEXT
);
CREATE INDEX sessions_by_start ON sessions (started);
"""
_COLUMNS: Final = "id, started, ended, routine, routine_hash, language, voice, planned, played, steps, points, how"


class Entry(NamedTuple):
    """One session in the log (a NamedTuple: dataclasses would load `inspect`, 40 ms of `voiceguide log`)."""

    id: int
    started: float
    """Unix time it began."""
    ended: float | None
    """Unix time it last ended (None: playing now, or the program was killed before it could say)."""
    routine: str
    """A built-in's name or the routine file's path."""
    routine_hash: str
    """SHA-256 of the routine file's bytes."""
    language: str
    voice: str
    planned: float | None
    """Seconds the session was planned to last."""
    played: float
    """Seconds actually played, pauses and waits left out (all its parts, when resumed)."""
    steps: int
    """Points in the session."""
    points: tuple[str, ...]
    """Codes of the points played to their end."""
    how: str | None
    """One of ENDINGS (None: not ended yet)."""


def log_path() -> Path:
    """Where the log is: ``practice.sqlite3`` in the data folder."""
    return data_dir() / FILE_NAME


def _aside(path: Path) -> Path:
    # A damaged log is kept for a look (or a rescue), never deleted: it and its journal move aside.
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            os.replace(extra, aside.with_name(aside.name + suffix))
    os.replace(path, aside)
    return aside


def _connect(path: Path, create: bool) -> sqlite3.Connection | None:
    """An open log, made if ``create``; None when there is none to read. Raises sqlite3 errors."""
    if not create and not path.exists():
        return None
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    # A live session's log is opened in a thread of its own and then used by the session's (one at a time).
    con = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
    try:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise LogError(
                f"{path} is from a newer voiceguide (log version {version}; this one knows {SCHEMA_VERSION})"
            )
        if version < SCHEMA_VERSION:
            if not create:
                con.close()
                return None
            con.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
            con.execute("BEGIN IMMEDIATE")
            if con.execute("PRAGMA user_version").fetchone()[0] == 0:  # another process may have just made it
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        con.execute(statement)
                con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            con.execute("COMMIT")
        con.execute("PRAGMA synchronous = NORMAL")  # WAL: a power cut may lose the last entry, never the file
        return con
    except BaseException:
        con.close()
        raise


class Held:
    """The log kept open across writes (a live session's). Closing the last connection to a WAL database
    checkpoints it, which costs ~30 ms (measured: scripts/bench.py --log); held, a write takes under 1 ms, and
    the checkpoint comes once, as the session ends."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or log_path()
        self.con: sqlite3.Connection | None = None

    def close(self) -> None:
        """Close the connection (no error: the entry is written already)."""
        if self.con is not None:
            con, self.con = self.con, None
            with suppress(sqlite3.Error):
                con.close()


@contextmanager
def opened(
    path: Path | None = None, *, create: bool = True, held: Held | None = None
) -> Iterator[sqlite3.Connection | None]:
    """The log, open for one short piece of work (``held``: on its kept connection, opened the first time);
    LogError (one line: what and why) if it cannot be.

    A damaged log is moved aside (a warning names where) and, when ``create``, a new one is started."""
    path = held.path if held is not None else path or log_path()
    try:
        con = held.con if held is not None else None
        if con is None:
            try:
                con = _connect(path, create)
            except sqlite3.OperationalError:
                raise
            except sqlite3.DatabaseError as exc:
                aside = _aside(path)
                warnings.warn(f"the practice log {path} was damaged ({exc}); it was moved to {aside}", stacklevel=3)
                con = _connect(path, create)
        if con is None:
            yield None
        elif held is not None:
            held.con = con
            yield con
        else:
            with closing(con):
                yield con
    except LogError:
        raise
    except sqlite3.Error as exc:
        raise LogError(f"{path}: {_reason(exc)}") from None
    except OSError as exc:
        raise LogError(f"{path}: {exc.strerror or exc}") from None


def _reason(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return f"{text} (another program holds it)"
    return text


def begin(
    routine: str,
    routine_hash: str,
    language: str,
    voice: str,
    steps: int,
    *,
    started: float | None = None,
    path: Path | None = None,
    held: Held | None = None,
) -> int:
    """A new entry for a session starting now (or at ``started``, unix time); its id."""
    with opened(path, held=held) as con:
        assert con is not None
        cur = con.execute(
            "INSERT INTO sessions (started, routine, routine_hash, language, voice, steps) VALUES (?, ?, ?, ?, ?, ?)",
            (time.time() if started is None else started, routine, routine_hash, language, voice, steps),
        )
        return int(cur.lastrowid or 0)


def get(entry: int, *, path: Path | None = None, held: Held | None = None) -> Entry | None:
    """One entry (None if it is not there: forgotten since, or another log)."""
    with opened(path, create=False, held=held) as con:
        if con is None:
            return None
        row = con.execute(f"SELECT {_COLUMNS} FROM sessions WHERE id = ?", (entry,)).fetchone()
        return _entry(row) if row else None


def update(
    entry: int,
    *,
    played: float,
    points: Sequence[str],
    planned: float | None,
    how: str | None,
    path: Path | None = None,
    held: Held | None = None,
) -> None:
    """Bring an entry up to date: the seconds played and points completed so far, and how it ended (None: going on)."""
    if how is not None and how not in ENDINGS:
        raise ValueError(f"unknown ending {how!r}")
    with opened(path, held=held) as con:
        assert con is not None
        con.execute(
            "UPDATE sessions SET ended = ?, played = ?, points = ?, planned = COALESCE(?, planned), how = ? "
            "WHERE id = ?",
            (time.time(), round(played, 2), ",".join(points), planned, how, entry),
        )


def delete(entry: int, *, held: Held | None = None) -> None:
    """Remove one entry (a session that never began to play)."""
    with opened(held=held) as con:
        assert con is not None
        con.execute("DELETE FROM sessions WHERE id = ?", (entry,))


def entries(
    *, since: float | None = None, limit: int | None = None, path: Path | None = None, held: Held | None = None
) -> list[Entry]:
    """Entries, newest first: those started at or after ``since``, at most ``limit``."""
    with opened(path, create=False, held=held) as con:
        if con is None:
            return []
        rows = con.execute(
            f"SELECT {_COLUMNS} FROM sessions WHERE started >= ? ORDER BY started DESC, id DESC LIMIT ?",
            (since if since is not None else float("-inf"), limit if limit is not None else -1),
        ).fetchall()
    return [_entry(row) for row in rows]


def played_since(since: float, *, path: Path | None = None, held: Held | None = None) -> tuple[float, int]:
    """(seconds played, sessions) of the entries started at or after ``since``."""
    with opened(path, create=False, held=held) as con:
        if con is None:
            return 0.0, 0
        seconds, count = con.execute(
            "SELECT COALESCE(SUM(played), 0), COUNT(*) FROM sessions WHERE started >= ?", (since,)
        ).fetchone()
    return float(seconds), int(count)


def forget(before: float | None = None, *, path: Path | None = None) -> int:
    """Delete the entries started before ``before`` (all of them: None), and wipe their bytes; how many went."""
    with opened(path, create=False) as con:
        if con is None:
            return 0
        limit = before if before is not None else float("inf")
        gone = con.execute("DELETE FROM sessions WHERE started < ?", (limit,)).rowcount
        con.execute("VACUUM")  # deleted rows would otherwise stay readable in free pages
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return int(gone)


def _entry(row: tuple) -> Entry:
    values = list(row)
    values[10] = tuple(code for code in (values[10] or "").split(",") if code)
    return Entry(*values)


def days(*, since: float | None = None, path: Path | None = None, held: Held | None = None) -> list[str]:
    """The local days (``YYYY-MM-DD``) with an entry started at or after ``since``, newest first."""
    with opened(path, create=False, held=held) as con:
        if con is None:
            return []
        rows = con.execute(
            "SELECT DISTINCT date(started, 'unixepoch', 'localtime') AS day FROM sessions WHERE started >= ? "
            "ORDER BY day DESC",
            (since if since is not None else float("-inf"),),
        ).fetchall()
    return [row[0] for row in rows]

"""Locks shared between voiceguide processes: one for a read-modify-write of a file, and the
one-session-at-a-time play lock.

Locks are ``flock`` locks on a small lock file: the kernel drops them when the process ends, however it
ends (even SIGKILL), so a lock is never stale; the PID written in the play lock is only for the message.
Where ``fcntl`` does not exist (Windows) nothing is locked.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import SessionError

PLAY_LOCK = "play.lock"


def why(exc: OSError, path: Path) -> str:
    """The reason an OSError on ``path`` gives, in words (a file standing where a folder should be is named)."""
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            return f"{blocker} is a file, not a folder"
    return exc.strerror or str(exc)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` + ".lock" (waiting for it) around a read-modify-write of path."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing drops the lock


class PlayLock:
    """Only one live session at a time (two would talk over each other and race for the saved position)."""

    def __init__(self, fd: int | None) -> None:
        self._fd = fd

    @classmethod
    def acquire(cls, folder: Path) -> PlayLock:
        """Take the lock in the state folder; SessionError if another session holds it. A folder that
        cannot be written is a warning (the position could not be saved either), not a refusal."""
        try:
            import fcntl
        except ImportError:
            return cls(None)
        path = folder / PLAY_LOCK
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            warnings.warn(
                f"cannot write in {folder} ({why(exc, path)}); if this session is stopped, "
                "its position cannot be saved",
                stacklevel=2,
            )
            return cls(None)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise SessionError(
                f"another voiceguide session is already playing (process {holder}); "
                "stop it with q before starting a new one"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return cls(fd)

    def release(self) -> None:
        """Let the next session play (also done by the system when this process ends)."""
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None

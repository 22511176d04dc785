"""One lock per database file, so two ``monitor run`` never poll at once.

The lock is ``fcntl.flock`` on ``<db>.lock``, which holds the holder's pid, host and start
time. The kernel releases a flock when its process dies, even by SIGKILL, so a lock left by
a dead process is taken over on the next run (with a log line naming the dead holder). The
file itself is never deleted: unlinking a flocked file lets two processes lock two
different inodes of the same name.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .clock import utcnow
from .errors import LockHeld, StoreError

log = logging.getLogger("monitor.lock")


def lock_path(db_path: str | Path) -> Path:
    """``monitor.db`` -> ``monitor.db.lock``."""
    return Path(f"{db_path}.lock")


class RunLock:
    """An exclusive, non-blocking lock on a database file. Use as a context manager."""

    def __init__(self, db_path: str | Path) -> None:
        self.path = lock_path(db_path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`LockHeld` naming the live holder."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise StoreError(
                f"{self.path}: cannot create the lock file ({exc.strerror})",
                hint="check that the database's folder exists and is writable",
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd)
            os.close(fd)
            raise LockHeld(
                f"another monitor run holds {self.path}" + (f" ({holder})" if holder else ""),
                hint="wait for it to finish; cron will try again at the next slot",
            ) from None
        except OSError:
            os.close(fd)
            raise
        stale = _read(fd)
        if stale:
            log.warning("took over a stale lock left by a process that died (%s)", stale)
        os.ftruncate(fd, 0)
        os.pwrite(fd, _holder().encode(), 0)
        self._fd = fd

    def release(self) -> None:
        """Clear and unlock; safe to call twice."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)  # an empty file tells the next run nobody died holding it
        finally:
            os.close(fd)  # closing the last descriptor releases the flock

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


@contextmanager
def hold(db_path: str | Path) -> Iterator[RunLock]:
    """Hold the lock of ``db_path`` for the ``with`` block; released in ``finally``."""
    lock = RunLock(db_path)
    lock.acquire()
    try:
        yield lock
    finally:
        lock.release()


def _holder() -> str:
    return f"pid {os.getpid()} on {socket.gethostname()}, started {utcnow()}"


def _read(fd: int) -> str:
    return os.pread(fd, 512, 0).decode("utf-8", "replace").strip()

"""Opening a SQLite file: its URI, checks that it is one and ours, its errors in plain words,
and write transactions that take the lock up front."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import sqlite_utils

from .errors import StoreBusy, StoreError

#: How long a writer waits for another's transaction before giving up.
BUSY_TIMEOUT_MS = 10_000


def uri(path: Path, read_only: bool) -> str:
    """A SQLite URI; a file without write permission opens read-only, even for root.

    Without a pending write-ahead log it opens ``immutable`` too, so that SQLite leaves no
    ``-wal``/``-shm`` files beside a database it may not change.
    """
    mode = "ro" if read_only else "rwc"
    wal = Path(f"{path}-wal")
    writable = path.exists() and path.stat().st_mode & 0o222
    if read_only and not writable and not (wal.exists() and wal.stat().st_size):
        mode += "&immutable=1"
    return f"file:{quote(str(path.absolute()))}?mode={mode}"


def check_header(path: Path) -> None:
    """Refuse, without touching it, a file that is not a SQLite database."""
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except FileNotFoundError:
        return
    except PermissionError:
        raise StoreError(f"{path}: cannot be read (permission denied)") from None
    if head and head != b"SQLite format 3\x00":
        raise StoreError(
            f"{path}: is not a SQLite database",
            hint="name a monitor database, or a new file",
            param="db",
        )


def store_error(path: Path, exc: sqlite3.Error) -> StoreError:
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return StoreError(
            f"{path}: the database is read-only",
            hint="check the file's and its folder's permissions",
        )
    if "locked" in text or "busy" in text:
        return StoreBusy(
            f"{path}: the database is locked by another process",
            hint="wait for the other monitor command to finish",
        )
    if "not a database" in text or "malformed" in text:
        return StoreError(f"{path}: is not a SQLite database, or is damaged")
    if "disk" in text and "full" in text:
        return StoreError(f"{path}: the disk is full", hint="free space, then run again")
    if "unable to open" in text:
        return StoreError(f"{path}: cannot be opened", hint="check that its folder exists")
    return StoreError(f"{path}: {text}")


@contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[None]:
    """A transaction that takes SQLite's write lock at ``BEGIN`` (waiting up to the busy
    timeout for it), so that it never fails half-way when another writer got there first:
    a deferred one that has read cannot wait, SQLite fails it at once with "locked".
    Nested blocks are savepoints."""
    if db.conn.in_transaction:
        with db.atomic():
            yield
        return
    _begin_immediate(db.conn)
    try:
        with db.atomic():
            yield
    except BaseException:
        if db.conn.in_transaction:
            db.conn.rollback()
        raise
    db.conn.commit()


def _begin_immediate(conn: sqlite3.Connection) -> None:
    """``BEGIN IMMEDIATE``, tried again until the busy timeout: SQLite's own busy handler
    gives up at once in a few races with a writer that commits without pause (WAL)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            busy = "locked" in str(exc) or "busy" in str(exc)
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def check_ours(path: Path, db: sqlite_utils.Database, *, empty_ok: bool) -> None:
    """Refuse another application's SQLite file (tables but no monitor schema version), and
    for a reader, an empty one too: neither is a monitor database."""
    try:
        tables = db.execute("select count(*) from sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError:
        raise StoreError(f"{path}: is not a SQLite database, or is damaged") from None
    if tables or not empty_ok:
        raise StoreError(
            f"{path}: not a monitor database"
            + (" (another application's SQLite file)" if tables else " (it is empty)"),
            hint="name a monitor database; the file was left untouched",
            param="db",
        )

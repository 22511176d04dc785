"""Two guards around a SQLite connection: whose file it is, and the write lock up front."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from .errors import StoreError


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
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        with db.atomic():
            yield
    except BaseException:
        if db.conn.in_transaction:
            db.conn.rollback()
        raise
    db.conn.commit()


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
            hint="pass --db with the path of a monitor database; the file was left untouched",
        )

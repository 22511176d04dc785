"""Opening a SQLite file: its URI, a check that it is one, and its errors in plain words."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from .errors import StoreError

#: How long a writer waits for another's transaction before giving up.
BUSY_TIMEOUT_MS = 10_000


def uri(path: Path, read_only: bool) -> str:
    """A SQLite URI; a file without write permission opens read-only, even for root.

    Without a pending write-ahead log it opens ``immutable`` too, so that SQLite leaves no
    ``-wal``/``-shm`` files beside a database it may not change.
    """
    mode = "ro" if read_only else "rwc"
    wal = Path(f"{path}-wal")
    if read_only and not (wal.exists() and wal.stat().st_size):
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
        return StoreError(
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

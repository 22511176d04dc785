"""The saved Bluesky session: a file beside the database that only its owner can read.

A session (access and refresh tokens) logs in to the account, so it never goes in the
database, which is made to be shared (``monitor publish``, Datasette). It lives in
``<database>.bluesky-session``: JSON ``{"owner": "<handle> <service>", "session": "…"}``,
mode 0600 from the moment it exists (a temporary file created 0600, then renamed over the
old one). Losing the file costs one login, nothing else.

An older monitor kept the session in the ``state`` table; :func:`move_out_of_database`
moves it to the file on the first writable open and rebuilds the database so that no freed
page, and no write-ahead log, keeps a copy of the tokens.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import stat
import tempfile
from pathlib import Path

from .schema import STATE

log = logging.getLogger("monitor.session")

#: Where an older monitor kept the session and whose it was, in the ``state`` table.
LEGACY_SESSION_KEY = "bluesky.session"
LEGACY_OWNER_KEY = "bluesky.session.owner"
#: Set while the database still has to be rebuilt after the move.
REBUILD_KEY = "bluesky.session.moved"


def path_for(db: Path, platform: str = "bluesky") -> Path:
    """The session file of ``platform`` beside the database at ``db``."""
    return Path(f"{db}.{platform}-session")


class SessionFile:
    """A source's :class:`~monitor.sources.base.SessionKeeper`: its file beside the database."""

    def __init__(self, db: Path, platform: str) -> None:
        self.db, self.platform = db, platform

    def load(self, owner: str) -> str | None:
        return load(self.db, owner, self.platform)

    def save(self, value: str, owner: str) -> None:
        save(self.db, owner, value, self.platform)


def load(db: Path, owner: str, platform: str = "bluesky") -> str | None:
    """The saved session string if there is one and it is ``owner``'s, else None."""
    path = path_for(db, platform)
    try:
        text = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("bluesky: cannot read %s (%s); logging in again", path, exc.strerror)
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("%s can be read by other users: `chmod 600` it", path)
    try:
        data = json.loads(text)
        saved_owner, session = data["owner"], data["session"]
    except (ValueError, TypeError, KeyError):
        log.warning("bluesky: %s is unreadable; logging in again", path)
        return None
    if saved_owner != owner or not isinstance(session, str):
        log.info("bluesky: the saved session is another account's or service's; not used")
        return None
    return session


def save(db: Path, owner: str, session: str, platform: str = "bluesky") -> bool:
    """Write the session file whole, readable by its owner only; False if it could not be
    written (logged: the next poll logs in again)."""
    path = path_for(db, platform)
    body = json.dumps({"owner": owner, "session": session}).encode()
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        log.warning("cannot save the Bluesky session in %s (%s)", path.parent, exc.strerror)
        return False
    try:
        with os.fdopen(fd, "wb") as fh:  # mkstemp made it 0600
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        log.warning("cannot save the Bluesky session to %s (%s)", path, exc.strerror)
        return False
    return True


def move_out_of_database(conn: sqlite3.Connection, db: Path) -> bool:
    """Move a session an older monitor saved in ``state`` to the file, delete it there and
    rebuild the database file (``VACUUM``, then truncate the write-ahead log) so that no
    freed page keeps the tokens. Returns whether there was one. A few milliseconds when
    there is none; the rebuild, once, costs about as long as copying the file. A rebuild
    that fails (a full disk) is tried again at the next open."""
    keys = (LEGACY_SESSION_KEY, LEGACY_OWNER_KEY, REBUILD_KEY)
    found = dict(
        conn.execute(f"select key, value from {STATE} where key in (?, ?, ?)", keys).fetchall()
    )
    if not found:
        return False
    log.info("%s: moving the saved Bluesky session out of the database (once)", db)
    session, owner = found.get(LEGACY_SESSION_KEY), found.get(LEGACY_OWNER_KEY)
    if session and owner and not path_for(db).exists():
        save(db, owner, session)
    conn.execute("pragma secure_delete = on")
    with conn:
        conn.execute(f"delete from {STATE} where key in (?, ?)", keys[:2])
        conn.execute(
            f"insert or replace into {STATE} (key, value, updated_at) "
            "values (?, 'the database is to be rebuilt', '')",
            [REBUILD_KEY],
        )
    conn.execute("vacuum")
    with conn:
        conn.execute(f"delete from {STATE} where key = ?", [REBUILD_KEY])
    busy, _, _ = conn.execute("pragma wal_checkpoint(truncate)").fetchone()
    if busy:
        log.warning(
            "%s: another process is reading the database; its write-ahead log may keep the "
            "old Bluesky session until the next checkpoint",
            db,
        )
    return True

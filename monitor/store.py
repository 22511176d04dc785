"""The monitor's SQLite database: opening it, migrating it, and every write.

One file, plain enough to open in Datasette. Table names and migrations live in
:mod:`monitor.schema`, read queries in :mod:`monitor.queries` and
:mod:`monitor.export_queries`; every write goes through :class:`Store`.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from . import session_file
from .clock import utcnow
from .config import Title
from .database import BUSY_TIMEOUT_MS, check_header, check_ours, immediate, store_error, uri
from .errors import StoreError
from .files import check_regular
from .rows import ChartEntryRow, LabelRow, MentionRow, PostRow, Row
from .schema import (
    CHART_ENTRIES,
    CURSORS,
    DAILY_AUTHORS,
    DAILY_MENTIONS,
    DAILY_SENTIMENT,
    MENTIONS,
    MIGRATIONS,
    POLL_RUNS,
    POSTS,
    RECHECK_MISSES,
    SCHEMA_VERSION,
    SENTIMENTS,
    STATE,
    TITLES,
    rebuild_daily,
)
from .upsert import CHART_KEY, POST_GUARDS, batches, clean, upsert_sql

log = logging.getLogger("monitor.store")


class Store:
    """The monitor's SQLite database."""

    def __init__(self, path: str | Path, *, create: bool = True, read: bool = False) -> None:
        """Open (``create``: or create) the database; ``read`` opens it read-only, for
        commands that only read: nothing is created, migrated or written."""
        self.path = Path(path)
        exists = check_regular(self.path, "database file", StoreError)
        if not exists and (read or not create):
            raise StoreError(
                f"{self.path}: no such database",
                hint="run `monitor init` or a poll first, or name another database",
                param="db",
            )
        check_header(self.path)
        self.read_only = read or (exists and not self.path.stat().st_mode & 0o222)
        try:
            conn = sqlite3.connect(
                uri(self.path, self.read_only), timeout=BUSY_TIMEOUT_MS / 1000, uri=True
            )
            self.db = sqlite_utils.Database(conn)
            self.version = self._read_version()
            if self.version == 0 and exists:
                check_ours(self.path, self.db, empty_ok=not read)
            if self.version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: schema version {self.version} is newer than this "
                    f"monitor understands ({SCHEMA_VERSION})",
                    hint="upgrade monitor (pip install -U monitor); the file was left untouched",
                )
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.execute("PRAGMA foreign_keys = ON")
            # an INSERT OR REPLACE then fires the delete triggers that keep the daily totals
            self.db.execute("PRAGMA recursive_triggers = ON")
            if self.version < SCHEMA_VERSION:
                self.migrate()
            if not self.read_only and self.db.journal_mode != "wal":
                self.db.enable_wal()
            # WAL's recommended level: a commit is not fsynced, a checkpoint is. A power cut
            # may undo the last pages, never corrupt the file, and each page's cursor is
            # committed with it, so the next poll fetches them again.
            self.db.execute("PRAGMA synchronous = NORMAL")
            if not self.read_only:  # a session an older monitor kept in `state` leaves it
                session_file.move_out_of_database(self.db.conn, self.path)
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from None

    def _read_version(self) -> int:
        try:
            return int(self.db.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.DatabaseError as exc:
            raise store_error(self.path, exc) from None

    def migrate(self) -> None:
        """Bring the schema forward to :data:`SCHEMA_VERSION`, one step per transaction."""
        if self.read_only:
            raise StoreError(
                f"{self.path}: the database is read-only and needs an upgrade from schema "
                f"version {self.version} to {SCHEMA_VERSION}",
                hint="make it writable once (chmod u+w) and run any monitor command"
                if not self.path.stat().st_mode & 0o222
                else "run a command that writes once (e.g. `monitor recount`) to upgrade it",
            )
        if self.version:
            log.info(
                "%s: upgrading the schema from version %d to %d",
                self.path,
                self.version,
                SCHEMA_VERSION,
            )
        while self.version < SCHEMA_VERSION:
            with self.transaction():
                MIGRATIONS[self.version](self.db)
                self.db.execute(f"PRAGMA user_version = {self.version + 1}")
            self.version += 1

    def recount_daily(self) -> tuple[int, int]:
        """Count the daily totals afresh (the triggers keep them; this repairs what another
        tool's writes left off). Returns how many rows they hold and how many were off."""
        tables = (DAILY_MENTIONS, DAILY_SENTIMENT, DAILY_AUTHORS)

        def rows() -> set[tuple[Any, ...]]:
            # rounded: a sum kept row by row and one summed at once differ in the last bits
            return {
                tuple(round(v, 9) if isinstance(v, float) else v for v in (table, *row))
                for table in tables
                for row in self.db.execute(f"select * from {table}").fetchall()
            }

        with self.transaction():
            before = rows()
            rebuild_daily(self.db)
            after = rows()
        return len(after), len(after - before)

    def require_writable(self) -> None:
        """Refuse now, before a command starts work it could not save."""
        if self.read_only:
            raise StoreError(
                f"{self.path}: the database is read-only",
                hint="check the file's permissions; status, titles, report, export and "
                "charts show only read it",
            )

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together or not at all (nested blocks are savepoints)."""
        try:
            with immediate(self.db):
                yield
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from None

    # --- writes -----------------------------------------------------------------------

    def sync_titles(self, titles: Iterable[Title]) -> None:
        """Record the tracked titles (the config is the source of truth)."""
        rows = [
            {
                "name": t.name,
                "slug": t.slug,
                "aliases": json.dumps(list(t.aliases)),
                "released": t.released.isoformat() if t.released else None,
                "chart_title": t.chart_title,
            }
            for t in titles
        ]
        with self.transaction():
            self.db.table(TITLES).upsert_all(rows, pk="name")

    def upsert_posts(self, rows: Iterable[PostRow]) -> None:
        """Insert or refresh posts by ``id``; a post marked deleted stays deleted."""
        self._upsert(
            POSTS, ("id",), ({k: clean(v) for k, v in r.items()} for r in rows), POST_GUARDS
        )

    def upsert_mentions(self, rows: Iterable[MentionRow]) -> None:
        """Insert or refresh mentions; ``terms`` may be given as a list (stored as JSON)."""
        self._upsert(
            MENTIONS,
            ("post_id", "title"),
            (
                r if isinstance(r["terms"], str) else {**r, "terms": json.dumps(r["terms"])}
                for r in rows
            ),
        )

    def upsert_sentiments(self, rows: Iterable[LabelRow]) -> None:
        self._upsert(SENTIMENTS, ("post_id", "model"), rows)

    def set_languages(self, langs: Mapping[str, str | None]) -> None:
        """Store each post's detected language (``{post id: code or None}``)."""
        with self.transaction():
            self.db.conn.executemany(
                f"update {POSTS} set lang = ? where id = ?", [(v, k) for k, v in langs.items()]
            )

    def upsert_chart_entries(self, rows: Iterable[ChartEntryRow]) -> None:
        """Insert or refresh chart rows by their key; columns a row leaves out are kept."""
        self._upsert(CHART_ENTRIES, CHART_KEY, rows)

    def _upsert(
        self,
        table: str,
        key: tuple[str, ...],
        rows: Iterable[Mapping[str, Any]],
        guards: tuple[tuple[str, str], ...] = (),
    ) -> None:
        """Insert or update ``rows`` by ``key`` in one transaction; absent columns are kept.

        Plain ``executemany`` per 1,000 rows, grouped by column set: this is the hot path of
        every poll and chart update, and sqlite-utils' per-value work would dominate it.
        """
        with self.transaction():
            for batch in batches(rows, 1000):
                by_columns: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
                for row in batch:
                    by_columns.setdefault(tuple(row), []).append(tuple(row.values()))
                for columns, values in by_columns.items():
                    self.db.conn.executemany(upsert_sql(table, key, columns, guards), values)

    def mark_deleted(self, post_ids: Iterable[str]) -> int:
        """Drop the text and author of posts deleted on their platform."""
        ids = json.dumps(list(post_ids))
        with self.transaction():
            cursor = self.db.execute(
                f"update {POSTS} set text = null, author = null, deleted = 1 "
                f"where id in (select value from json_each(?)) and deleted = 0",
                [ids],
            )
        return int(cursor.rowcount)

    def note_misses(self, post_ids: Sequence[str], now: str) -> list[tuple[str, str]]:
        """Record that a re-check did not find these posts; return those it had already
        missed before ``now``, with the time each was first missed."""
        ids = json.dumps(list(post_ids))
        with self.transaction():
            earlier = self.db.execute(
                f"select post_id, since from {RECHECK_MISSES} "
                "where post_id in (select value from json_each(?))",
                [ids],
            ).fetchall()
            self.db.execute(
                f"insert or ignore into {RECHECK_MISSES} (post_id, since) "
                f"select value, ? from json_each(?) where value in (select id from {POSTS})",
                [now, ids],
            )
        return [(str(pid), str(since)) for pid, since in earlier]

    def clear_misses(self, post_ids: Sequence[str]) -> None:
        """A re-check found these posts (or they are gone for good): forget their misses."""
        with self.transaction():
            self.db.execute(
                f"delete from {RECHECK_MISSES} where post_id in (select value from json_each(?))",
                [json.dumps(list(post_ids))],
            )

    def prune_text(self, before: str) -> int:
        """Drop the text and author of posts created before ``before``; keep every other row.

        Mentions, sentiment labels and the posts' metadata stay, so the daily aggregates of the
        report are unchanged. Returns how many posts lost their text.
        """
        with self.transaction():
            cursor = self.db.execute(
                f"update {POSTS} set text = null, author = null "
                f"where created_at < ? and (text is not null or author is not null)",
                [before],
            )
        return int(cursor.rowcount)

    def name_authors(self, names: Iterable[tuple[str, str, str]]) -> int:
        """``(post id, author id, handle)``: where a live post names its author by that id (a
        Bluesky DID: all the stream knows), put the handle instead. Returns how many changed."""
        with self.transaction():
            cursor = self.db.conn.executemany(
                f"update {POSTS} set author = ? where id = ? and author = ? and deleted = 0",
                ((handle, pid, did) for pid, did, handle in names),
            )
        return int(cursor.rowcount)

    # --- cursors and state ------------------------------------------------------------

    def get_cursor(self, source: str, title: str, query: str) -> str | None:
        row = self.db.execute(
            f"select value from {CURSORS} where source = ? and title = ? and query = ?",
            [source, title, query],
        ).fetchone()
        return None if row is None else str(row[0])

    def set_cursor(self, source: str, title: str, query: str, value: str) -> None:
        with self.transaction():
            self.db.table(CURSORS).upsert(
                {
                    "source": source,
                    "title": title,
                    "query": query,
                    "value": value,
                    "updated_at": utcnow(),
                },
                pk=("source", "title", "query"),
            )

    def get_state(self, key: str) -> str | None:
        row = self.db.execute(f"select value from {STATE} where key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def set_state(self, key: str, value: str | None) -> None:
        with self.transaction():
            if value is None:
                self.db.execute(f"delete from {STATE} where key = ?", [key])
            else:
                self.db.table(STATE).upsert(
                    {"key": key, "value": value, "updated_at": utcnow()}, pk="key"
                )

    # --- poll runs --------------------------------------------------------------------

    def start_poll_run(self, source: str, title: str, query: str = "") -> int:
        with self.transaction():
            table = self.db.table(POLL_RUNS)
            table.insert(
                {
                    "source": source,
                    "title": title,
                    "query": query,
                    "started": utcnow(),
                    "status": "running",
                }
            )
            return int(table.last_pk or 0)

    def finish_poll_run(self, run_id: int, *, status: str, **fields: Any) -> None:
        with self.transaction():
            self.db.table(POLL_RUNS).update(
                run_id, {"finished": utcnow(), "status": status, **fields}
            )

    # --- reads ------------------------------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Iterator[Row]:
        try:
            yield from self.db.query(sql, params)
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from None

    def count(self, table: str) -> int:
        return int(self.db.execute(f"select count(*) from [{table}]").fetchone()[0])

    # --- charts -------------------------------------------------------------------------

    def prune_chart_entries(
        self, chart: str, periods: Mapping[tuple[str, str, str], Collection[int]]
    ) -> int:
        """Drop the ranks a newer file no longer lists for (region, category, period_start).

        A chart file is the truth for the periods it covers: after a correction the old
        rank of a title must not linger beside its new one. Returns how many were dropped.
        """
        with self.transaction():
            cursor = self.db.conn.executemany(
                f"delete from {CHART_ENTRIES} where chart = ? and region = ? and category = ? "
                "and period_start = ? and rank not in (select value from json_each(?))",
                (
                    (chart, region, category, start, json.dumps(sorted(ranks)))
                    for (region, category, start), ranks in periods.items()
                ),
            )
        return int(cursor.rowcount)

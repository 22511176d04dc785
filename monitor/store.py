"""Everything that touches SQLite. One file, plain enough to open in Datasette.

Table names and migrations live in :mod:`monitor.schema`; every other module goes through
:class:`Store` and the queries here.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlite_utils

from .config import Title
from .errors import StoreError
from .language import READS
from .schema import (
    CHART_ENTRIES,
    CURSORS,
    DAILY_MENTIONS,
    DAILY_SENTIMENT,
    MENTIONS,
    MIGRATIONS,
    POLL_RUNS,
    POSTS,
    SCHEMA_VERSION,
    SENTIMENTS,
    STATE,
    TITLES,
    rebuild_daily,
)

BUSY_TIMEOUT_MS = 10_000

log = logging.getLogger("monitor.store")

Row = dict[str, Any]


def utcnow() -> str:
    """Now, as the ISO-8601 UTC text every timestamp column holds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def clean(value: Any) -> Any:
    """Text as SQLite and every export can hold it: NUL bytes dropped, lone surrogates
    (which UTF-8 cannot encode) replaced by U+FFFD. Anything else passes unchanged."""
    if isinstance(value, str) and _UNSTORABLE.search(value):
        return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", value)
    return value


def iso(moment: datetime) -> str:
    """A datetime as stored: UTC, seconds, a trailing ``Z``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the store --------------------------------------------------------------------------


class Store:
    """The monitor's SQLite database."""

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise StoreError(
                f"{self.path}: no such database",
                hint="run `monitor init` or a poll first, or pass --db PATH",
            )
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder, not a database file")
        _check_header(self.path)
        self.read_only = self.path.exists() and not self.path.stat().st_mode & 0o222
        try:
            conn = sqlite3.connect(
                _uri(self.path, self.read_only), timeout=BUSY_TIMEOUT_MS / 1000, uri=True
            )
            self.db = sqlite_utils.Database(conn)
            self.version = self._read_version()
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
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from None

    def _read_version(self) -> int:
        try:
            return int(self.db.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.DatabaseError as exc:
            raise _store_error(self.path, exc) from None

    def migrate(self) -> None:
        """Bring the schema forward to :data:`SCHEMA_VERSION`, one step per transaction."""
        if self.read_only:
            raise StoreError(
                f"{self.path}: the database is read-only and needs an upgrade from schema "
                f"version {self.version} to {SCHEMA_VERSION}",
                hint="make it writable once (chmod u+w) and run any monitor command",
            )
        if self.version:
            log.info(
                "%s: upgrading the schema from version %d to %d",
                self.path,
                self.version,
                SCHEMA_VERSION,
            )
        while self.version < SCHEMA_VERSION:
            with self.db.atomic():
                MIGRATIONS[self.version](self.db)
                self.db.execute(f"PRAGMA user_version = {self.version + 1}")
            self.version += 1

    def recount_daily(self) -> tuple[int, int]:
        """Count the daily totals afresh (the triggers keep them; this repairs what another
        tool's writes left off). Returns how many rows they hold and how many were off."""
        tables = (DAILY_MENTIONS, DAILY_SENTIMENT)

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
            with self.db.atomic():
                yield
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from None

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
            self.db[TITLES].upsert_all(rows, pk="name")  # type: ignore[union-attr]

    def upsert_posts(self, rows: Iterable[Row]) -> None:
        """Insert or refresh posts by ``id``; a post marked deleted stays deleted."""
        self._upsert(
            POSTS, ("id",), ({k: clean(v) for k, v in r.items()} for r in rows), _POST_GUARDS
        )

    def upsert_mentions(self, rows: Iterable[Row]) -> None:
        self._upsert(
            MENTIONS,
            ("post_id", "title"),
            (
                {
                    **r,
                    "terms": r["terms"] if isinstance(r["terms"], str) else json.dumps(r["terms"]),
                }
                for r in rows
            ),
        )

    def upsert_sentiments(self, rows: Iterable[Row]) -> None:
        self._upsert(SENTIMENTS, ("post_id", "model"), rows)

    def set_languages(self, langs: dict[str, str | None]) -> None:
        """Store each post's detected language (``{post id: code or None}``)."""
        self.db.conn.executemany(
            f"update {POSTS} set lang = ? where id = ?", [(v, k) for k, v in langs.items()]
        )

    def upsert_chart_entries(self, rows: Iterable[Row]) -> None:
        """Insert or refresh chart rows by their key; columns a row leaves out are kept."""
        self._upsert(CHART_ENTRIES, CHART_KEY, rows)

    def _upsert(
        self,
        table: str,
        key: tuple[str, ...],
        rows: Iterable[Row],
        guards: tuple[tuple[str, str], ...] = (),
    ) -> None:
        """Insert or update ``rows`` by ``key`` in one transaction; absent columns are kept.

        Plain ``executemany`` per 1,000 rows, grouped by column set: this is the hot path of
        every poll and chart update, and sqlite-utils' per-value work would dominate it.
        """
        with self.transaction():
            for batch in _batches(rows, 1000):
                by_columns: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
                for row in batch:
                    by_columns.setdefault(tuple(row), []).append(tuple(row.values()))
                for columns, values in by_columns.items():
                    self.db.conn.executemany(_upsert_sql(table, key, columns, guards), values)

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

    # --- cursors and state ------------------------------------------------------------

    def get_cursor(self, source: str, title: str, query: str) -> str | None:
        row = self.db.execute(
            f"select value from {CURSORS} where source = ? and title = ? and query = ?",
            [source, title, query],
        ).fetchone()
        return None if row is None else str(row[0])

    def set_cursor(self, source: str, title: str, query: str, value: str) -> None:
        with self.transaction():
            self.db[CURSORS].upsert(  # type: ignore[union-attr]
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
                self.db[STATE].upsert(  # type: ignore[union-attr]
                    {"key": key, "value": value, "updated_at": utcnow()}, pk="key"
                )

    # --- poll runs --------------------------------------------------------------------

    def start_poll_run(self, source: str, title: str, query: str = "") -> int:
        with self.transaction():
            table = self.db[POLL_RUNS]
            table.insert(  # type: ignore[union-attr]
                {
                    "source": source,
                    "title": title,
                    "query": query,
                    "started": utcnow(),
                    "status": "running",
                }
            )
            return int(table.last_pk or 0)  # type: ignore[union-attr]

    def finish_poll_run(self, run_id: int, *, status: str, **fields: Any) -> None:
        with self.transaction():
            self.db[POLL_RUNS].update(  # type: ignore[union-attr]
                run_id, {"finished": utcnow(), "status": status, **fields}
            )

    # --- reads ------------------------------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Iterator[Row]:
        try:
            yield from self.db.query(sql, params)
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from None

    def count(self, table: str) -> int:
        return int(self.db.execute(f"select count(*) from [{table}]").fetchone()[0])

    def title_counts(self) -> list[Row]:
        """Each tracked title with its post counts per platform (off the daily totals) and
        the time of its newest post."""
        return list(
            self.query(
                f"""
                select t.name as title, t.released,
                  coalesce(sum(d.posts), 0) as posts,
                  coalesce(sum(case d.platform when 'reddit' then d.posts end), 0) as reddit,
                  coalesce(sum(case d.platform when 'bluesky' then d.posts end), 0) as bluesky,
                  (select max(p.created_at) from {POSTS} p
                     where p.created_at >= max(d.day) and exists (
                       select 1 from {MENTIONS} m where m.post_id = p.id and m.title = t.name)
                  ) as last_post
                from {TITLES} t
                left join {DAILY_MENTIONS} d on d.title = t.name
                group by t.name order by t.name
                """
            )
        )

    def last_polls(self) -> list[Row]:
        """The latest poll run per source and title, with failure counts."""
        return list(
            self.query(
                f"""
                select source, title, max(started) as last_started,
                  (select status from {POLL_RUNS} r2 where r2.source = r.source
                     and r2.title = r.title order by started desc, id desc limit 1) as status,
                  sum(new) as new_total, sum(status = 'failed') as failures,
                  sum(cap_hit) as caps_hit, count(*) as runs
                from {POLL_RUNS} r group by source, title order by source, title
                """
            )
        )

    # --- charts (added with `monitor charts`) ------------------------------------------

    def chart_spellings(self) -> list[str]:
        """Every distinct ``chart_title`` in the charts."""
        return [
            str(r["chart_title"])
            for r in self.query(f"select distinct chart_title from {CHART_ENTRIES}")
        ]

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

    def chart_history(self, title: str | None, chart_titles: Sequence[str] = ()) -> list[Row]:
        """Chart entries of a tracked title or of these chart spellings, oldest first.

        ``latest`` is the newest period the same chart and region holds, for "still on".
        """
        return list(
            self.query(
                f"""
                select c.chart, c.region, c.category, c.period_start, c.period_end, c.rank,
                  c.chart_title, c.season,
                  (select max(l.period_start) from {CHART_ENTRIES} l
                     where l.chart = c.chart and l.region = c.region) as latest
                from {CHART_ENTRIES} c
                where c.title = :title
                   or c.chart_title in (select value from json_each(:spellings))
                order by c.chart, c.region, c.period_start, c.rank
                """,
                {"title": title, "spellings": json.dumps(list(chart_titles))},
            )
        )


CHART_KEY = ("chart", "region", "category", "period_start", "rank")


#: On conflict, these columns take this expression instead of the new value.
_POST_GUARDS = (
    ("text", f"case when {POSTS}.deleted = 1 then null else excluded.text end"),
    ("author", f"case when {POSTS}.deleted = 1 then null else excluded.author end"),
    ("deleted", f"max({POSTS}.deleted, excluded.deleted)"),
)


@lru_cache(maxsize=256)
def _upsert_sql(
    table: str,
    key: tuple[str, ...],
    columns: tuple[str, ...],
    guards: tuple[tuple[str, str], ...],
) -> str:
    guard = dict(guards)
    names = ", ".join(f"[{c}]" for c in columns)
    marks = ", ".join("?" for _ in columns)
    updates = ", ".join(
        f"[{c}] = {guard.get(c, f'excluded.[{c}]')}" for c in columns if c not in key
    )
    conflict = f"do update set {updates}" if updates else "do nothing"
    keys = ", ".join(f"[{c}]" for c in key)
    return f"insert into [{table}] ({names}) values ({marks}) on conflict ({keys}) {conflict}"


def _batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _uri(path: Path, read_only: bool) -> str:
    """A SQLite URI; a file without write permission opens read-only, even for root.

    Without a pending write-ahead log it opens ``immutable`` too, so that SQLite leaves no
    ``-wal``/``-shm`` files beside a database it may not change.
    """
    mode = "ro" if read_only else "rwc"
    wal = Path(f"{path}-wal")
    if read_only and not (wal.exists() and wal.stat().st_size):
        mode += "&immutable=1"
    return f"file:{quote(str(path.absolute()))}?mode={mode}"


def _check_header(path: Path) -> None:
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
            hint="pass --db with the path of a monitor database, or a new file name",
        )


def _store_error(path: Path, exc: sqlite3.Error) -> StoreError:
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


# --- report and export queries (report branch) -------------------------------------------
#
# Read-only queries behind `monitor report` and `monitor export`. Each takes a title and an
# optional time window as ISO dates (``since`` inclusive, ``until`` inclusive) and joins the
# sentiment labels of one model (the caller passes ``monitor.sentiment.DEFAULT_MODEL``).

#: A day after every stored timestamp, for an open-ended window.
_FAR_FUTURE = "9999-12-31"


def _window(since: str | None, until: str | None) -> tuple[str, str]:
    """``[since, until]`` as dates -> ``[low, high)`` over ``created_at`` text."""
    return since or "", (until + "T99") if until else _FAR_FUTURE


def sentiment_models(store: Store, *, by_use: bool = False) -> list[str]:
    """The models that have labelled posts, read off the sentiments(model, …) index (a
    few milliseconds); ``by_use`` orders them by how many posts each labelled (a scan)."""
    if not by_use:
        return [str(r["model"]) for r in store.query(f"select distinct model from {SENTIMENTS}")]
    return [
        str(r["model"])
        for r in store.query(
            f"select model from {SENTIMENTS} group by model order by count(*) desc, model"
        )
    ]


def daily_counts(
    store: Store,
    title: str,
    model: str,
    *,
    since: str | None = None,
    until: str | None = None,
    platform: str | None = None,
) -> Iterator[Row]:
    """Per day and platform: posts, labelled posts, sum, sum of squares, highest and lowest
    of the compound score (bounds: see :mod:`monitor.schema`), and how many were positive
    and negative. Read off the daily totals the triggers keep: a few hundred rows a title,
    however many posts."""
    return store.query(
        f"""
        select d.day, d.platform, d.posts, coalesce(s.scored, 0) as scored,
          coalesce(s.sum_compound, 0.0) as sum_compound,
          coalesce(s.sum_squares, 0.0) as sum_squares,
          coalesce(s.positive, 0) as positive, coalesce(s.negative, 0) as negative,
          s.highest, s.lowest
        from {DAILY_MENTIONS} d
        left join {DAILY_SENTIMENT} s on (s.title, s.model, s.day, s.platform)
          = (d.title, :model, d.day, d.platform)
        where d.title = :title and d.day >= :since and d.day <= :until
          and (:platform is null or d.platform = :platform)
        order by d.day, d.platform
        """,
        {
            "title": title,
            "model": model,
            "since": since or "",
            "until": until or _FAR_FUTURE,
            "platform": platform,
        },
    )


def extreme_posts(
    store: Store,
    title: str,
    model: str,
    since: str,
    until: str,
    *,
    most: str = "positive",
    bound: float,
    limit: int = 3,
    platform: str | None = None,
) -> list[Row]:
    """The ``limit`` most positive (or negative) labelled posts of a window.

    ``bound`` is a score the answer is known to reach (at least ``limit`` posts of the
    window score ``bound`` or better), so the query walks the sentiments(model, compound)
    index from the extreme end and stops early instead of scanning the whole window."""
    low, high = _window(since, until)
    if most == "positive":
        order, where = "desc", "s.compound >= :bound"
    else:
        order, where = "asc", "s.compound <= :bound"
    return list(
        store.query(
            f"""
            select p.id, p.platform, p.url, p.author, p.created_at, p.text, s.compound
            from {SENTIMENTS} s indexed by idx_sentiments_model_compound
            join {POSTS} p on p.id = s.post_id
            join {MENTIONS} m on m.post_id = s.post_id and m.title = :title
            where s.model = :model and {where} and s.label = :most
              and +p.created_at >= :low and +p.created_at < :high and p.deleted = 0
              and (:platform is null or p.platform = :platform)
            order by s.compound {order}, p.created_at
            limit :limit
            """,
            {
                "title": title,
                "model": model,
                "low": low,
                "high": high,
                "limit": limit,
                "platform": platform,
                "most": most,
                "bound": bound,
            },
        )
    )


def chart_rows(store: Store, title: str) -> list[Row]:
    """The chart entries matched to ``title``, oldest first."""
    return list(
        store.query(
            f"""
            select chart, region, category, period_start, period_end, rank,
              chart_title, season, weeks_on_chart, hours_viewed, views
            from {CHART_ENTRIES}
            where title = :title
            order by period_start, chart, region, rank
            """,
            {"title": title},
        )
    )


Stream = tuple[list[str], Iterator[tuple[Any, ...]]]

#: A streamed query hands over rows in batches of this many, at most STREAM_DEPTH in flight.
STREAM_BATCH = 1000
STREAM_DEPTH = 8


def _stream(store: Store, sql: str, params: dict[str, Any]) -> Stream:
    """Column names and an iterator over the rows, never a list of them all.

    The rows are read by a thread on its own read-only connection, a batch at a time, so
    SQLite (which lets go of the GIL) works on one core while the caller formats rows on
    another. Nothing is opened until the iterator is first used; stopping early (or an
    error) stops the reader and closes its connection."""
    try:
        cursor = store.db.execute(f"select * from ({sql}) limit 0", params)
    except sqlite3.Error as exc:
        raise _store_error(store.path, exc) from None
    columns = [d[0] for d in cursor.description]
    cursor.close()
    return columns, _read_behind(store.path, sql, params, store.read_only)


def _read_behind(
    path: Path, sql: str, params: dict[str, Any], read_only: bool
) -> Iterator[tuple[Any, ...]]:
    batches: queue.Queue[list[tuple[Any, ...]] | StoreError | None] = queue.Queue(STREAM_DEPTH)
    stop = threading.Event()
    # a file we may not write opens as the store did; else read-only beside the writers
    uri = _uri(path, True) if read_only else f"file:{quote(str(path.absolute()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)

    def hand_over(item: list[tuple[Any, ...]] | StoreError | None) -> None:
        while not stop.is_set():
            try:
                batches.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def read() -> None:
        try:
            cursor = conn.execute(sql, params)
            while not stop.is_set():
                rows = cursor.fetchmany(STREAM_BATCH)
                if not rows:
                    break
                hand_over(rows)
            cursor.close()
            hand_over(None)
        except sqlite3.Error as exc:
            hand_over(_store_error(path, exc))

    reader = threading.Thread(target=read, name="monitor-stream", daemon=True)
    reader.start()
    try:
        while True:
            item = batches.get()
            if item is None:
                return
            if isinstance(item, StoreError):
                raise item
            yield from item
    finally:
        stop.set()
        reader.join()
        conn.close()


def export_posts(
    store: Store,
    model: str,
    *,
    title: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Stream:
    """Every (post, title) mention as a stream, in the order the posts were stored: a plain
    scan of ``posts`` with one look-up per row (ordering by time would read the table in
    random order, several times slower). A deleted post keeps its metadata and loses its
    text and author."""
    low, high = _window(since, until)
    return _stream(
        store,
        f"""
        select p.id, m.title, p.platform, p.created_at, p.url, p.community,
          case when p.deleted then null else p.author end as author,
          case when p.deleted then null else p.text end as text,
          p.score, p.likes, p.replies, p.reposts, p.quotes, p.num_comments, p.deleted,
          m.relevance, s.compound, s.label
        from {POSTS} p
        cross join {MENTIONS} m on m.post_id = p.id
        left join {SENTIMENTS} s on s.post_id = p.id and s.model = :model
        where (:title is null or m.title = :title)
          and +p.created_at >= :low and +p.created_at < :high
        order by p.rowid, m.title
        """,
        {"title": title, "model": model, "low": low, "high": high},
    )


def export_chart(
    store: Store, *, title: str | None = None, since: str | None = None, until: str | None = None
) -> Stream:
    """Chart entries (of one title, or all) whose period overlaps the window, oldest first,
    as a stream."""
    return _stream(
        store,
        f"""
        select chart, region, category, period_start, period_end, rank, title,
          chart_title, season, weeks_on_chart, hours_viewed, views
        from {CHART_ENTRIES}
        where (:title is null or title = :title)
          and coalesce(period_end, period_start) >= :since and period_start <= :until
        order by period_start, chart, region, category, rank
        """,
        {"title": title, "since": since or "", "until": until or _FAR_FUTURE},
    )


# --- running unattended: recheck, retention, gaps (ops) ----------------------------------


def recent_post_ids(store: Store, platform: str, since: str) -> list[str]:
    """Ids of the live (not deleted) posts of ``platform`` created at or after ``since``."""
    return [
        str(r["id"])
        for r in store.query(
            f"select id from {POSTS} where platform = ? and created_at >= ? and deleted = 0 "
            f"order by created_at",
            [platform, since],
        )
    ]


def prune_text(store: Store, before: str) -> int:
    """Drop the text and author of posts created before ``before``; keep every other row.

    Mentions, sentiment labels and the posts' metadata stay, so the daily aggregates of the
    report are unchanged. Returns how many posts lost their text.
    """
    with store.transaction():
        cursor = store.db.execute(
            f"update {POSTS} set text = null, author = null "
            f"where created_at < ? and (text is not null or author is not null)",
            [before],
        )
    return int(cursor.rowcount)


def threads_about(store: Store, post_ids: Sequence[str]) -> dict[str, tuple[int, frozenset[str]]]:
    """Of these posts, the ones about a tracked title: their stored comment count and the
    titles they are about."""
    return {
        str(r["id"]): (int(r["num_comments"] or 0), frozenset(json.loads(r["titles"])))
        for r in store.query(
            f"select p.id, p.num_comments, json_group_array(m.title) as titles "
            f"from {POSTS} p join {MENTIONS} m on m.post_id = p.id "
            f"where p.id in (select value from json_each(?)) group by p.id",
            [json.dumps(list(post_ids))],
        )
    }


def name_authors(store: Store, names: Iterable[tuple[str, str, str]]) -> int:
    """``(post id, author id, handle)``: where a live post names its author by that id (a
    Bluesky DID: all the stream knows), put the handle instead. Returns how many changed."""
    with store.transaction():
        cursor = store.db.conn.executemany(
            f"update {POSTS} set author = ? where id = ? and author = ? and deleted = 0",
            ((handle, pid, did) for pid, did, handle in names),
        )
    return int(cursor.rowcount)


def open_gaps(store: Store) -> list[Row]:
    """Poll runs that could not reach everything, oldest first.

    A failed run, or one still marked ``running`` (killed, or in progress), is closed by a
    later run of the same source and title that finished ``ok`` without hitting the cap (it
    resumed from the stored cursor). A run that finished but hit
    the cap or cut a rate-limit wait short stays open: those posts were passed over.
    """
    return list(
        store.query(
            f"""
            select r.id, r.source, r.title, r.started, r.status, r.cap_hit, r.error,
              coalesce(r.gap_start, r.started) as gap_start,
              coalesce(r.gap_end, r.finished, r.started) as gap_end
            from {POLL_RUNS} r
            where (r.status in ('failed', 'running') or r.cap_hit = 1
                   or r.gap_start is not null)
              and not (
                r.status in ('failed', 'running') and r.cap_hit = 0
                and exists (
                  select 1 from {POLL_RUNS} later
                  where later.source = r.source and later.title = r.title
                    and later.id > r.id and later.status = 'ok' and later.cap_hit = 0
                )
              )
            order by r.started, r.id
            """
        )
    )


# --- signal stage: posts to (re)label --------------------------------------------------


#: A post the sentiment model reads: its language is one it reads, or not yet known.
_READ = "(p.lang is null or p.lang in ({}))".format(", ".join(f"'{c}'" for c in sorted(READS)))


def posts_to_label(
    store: Store, model: str, *, relabel: bool = False, after: str = "", limit: int = 500
) -> list[Row]:
    """Posts with a mention and text, by id after ``after``, that ``model`` has not labelled
    (every one with ``relabel``); each with ``names``, a JSON list of the mentioned titles'
    names and aliases."""
    return list(
        store.query(
            f"""
            select p.id, p.text, p.lang, json_group_array(t.name) as names,
              json_group_array(coalesce(t.aliases, '[]')) as aliases
            from {POSTS} p
            join {MENTIONS} m on m.post_id = p.id
            join {TITLES} t on t.name = m.title
            where p.id > :after and p.deleted = 0 and coalesce(p.text, '') != ''
              and {_READ}
              and (:relabel or not exists (
                select 1 from {SENTIMENTS} s where s.post_id = p.id and s.model = :model))
            group by p.id order by p.id limit :limit
            """,
            {"after": after, "relabel": int(relabel), "model": model, "limit": limit},
        )
    )


def count_to_label(store: Store, model: str, *, relabel: bool = False) -> int:
    """How many posts :func:`posts_to_label` would go through."""
    rows = store.query(
        f"""
        select count(distinct p.id) as n from {POSTS} p join {MENTIONS} m on m.post_id = p.id
        where p.deleted = 0 and coalesce(p.text, '') != '' and {_READ}
          and (:relabel or not exists (
            select 1 from {SENTIMENTS} s where s.post_id = p.id and s.model = :model))
        """,
        {"relabel": int(relabel), "model": model},
    )
    return int(next(rows)["n"])

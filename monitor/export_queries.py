"""The exports' queries, streamed: rows are read a batch at a time, never listed whole."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .database import BUSY_TIMEOUT_MS, store_error, uri
from .queries import FAR_FUTURE, window
from .schema import CHART_ENTRIES, MENTIONS, POSTS, SENTIMENTS
from .store import Store

Stream = tuple[list[str], Iterator[tuple[Any, ...]]]

#: A streamed query reads rows in batches of this many.
STREAM_BATCH = 1000
#: A text starting with one of these, a spreadsheet runs as a formula (OWASP's list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _stream(store: Store, sql: str, params: dict[str, Any]) -> Stream:
    """Column names and an iterator over the rows, never a list of them all.

    The rows are read on a connection of their own, read-only beside the writers, a batch
    at a time. (A reader thread was tried: the tuples it builds and the CSV writer both
    need the GIL, and the hand-over cost more than it saved.) Nothing is opened until the
    iterator is first used; stopping early, or an error, closes the connection."""
    return columns_of(store, sql, params), read_rows(store.path, sql, params, store.read_only)


def columns_of(store: Store, sql: str, params: dict[str, Any]) -> list[str]:
    """The names of the columns ``sql`` gives (an error in it is raised here, at once)."""
    try:
        cursor = store.db.execute(f"select * from ({sql}) limit 0", params)
    except sqlite3.Error as exc:
        raise store_error(store.path, exc) from None
    columns = [d[0] for d in cursor.description]
    cursor.close()
    return columns


def read_rows(
    path: Path, sql: str, params: dict[str, Any], read_only: bool
) -> Iterator[tuple[Any, ...]]:
    """The rows of ``sql``, read on a connection of this process's own."""
    # a file we may not write opens as the store did; else read-only beside the writers
    address = uri(path, True) if read_only else f"file:{quote(str(path.absolute()))}?mode=ro"
    try:
        conn = sqlite3.connect(address, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            cursor = conn.execute(sql, params)
            while rows := cursor.fetchmany(STREAM_BATCH):
                yield from rows
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise store_error(path, exc) from None


def csv_safe(column: str, name: str) -> str:
    """SQL for ``column`` as ``name``, a text that a spreadsheet would run as a formula
    prefixed with ``'`` (:data:`FORMULA_START`): SQLite does it as it reads the row."""
    starts = ", ".join(f"char({ord(c)})" for c in FORMULA_START)
    quote_mark = "''''"  # SQL's string literal of one apostrophe
    return (
        f"case when substr({column}, 1, 1) in ({starts}) then {quote_mark} || {column} "
        f"else {column} end as {name}"
    )


#: The ``rowid`` range of every post.
ALL_ROWS = (0, 2**63 - 1)


def export_posts(
    store: Store,
    model: str,
    *,
    title: str | None = None,
    since: str | None = None,
    until: str | None = None,
    for_csv: bool = False,
) -> Stream:
    """Every (post, title) mention as a stream, in the order the posts were stored: a plain
    scan of ``posts`` with one look-up per row (ordering by time would read the table in
    random order, several times slower). A deleted post keeps its metadata and loses its
    text and author. ``for_csv``: the text columns come formula-safe (:func:`csv_safe`)."""
    return _stream(store, *posts_query(model, title, since, until, for_csv=for_csv))


def posts_query(
    model: str,
    title: str | None,
    since: str | None,
    until: str | None,
    *,
    for_csv: bool = False,
    rows: tuple[int, int] = ALL_ROWS,
) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters of :func:`export_posts`, for the posts whose ``rowid`` is in
    ``rows`` (from, up to but not including)."""
    low, high = window(since, until)

    def text(column: str, name: str) -> str:
        return csv_safe(column, name) if for_csv else f"{column} as {name}"

    sql = f"""
        select {text("p.id", "id")}, {text("m.title", "title")}, p.platform, p.created_at,
          {text("p.url", "url")}, {text("p.community", "community")},
          {text("case when p.deleted then null else p.author end", "author")},
          {text("case when p.deleted then null else p.text end", "text")},
          p.score, p.likes, p.replies, p.reposts, p.quotes, p.num_comments, p.deleted,
          m.relevance, s.compound, s.label,
          {text("coalesce(p.copy_group, p.id)", "copy_group")}, {text("p.langs", "langs")}
        from {POSTS} p
        cross join {MENTIONS} m on m.post_id = p.id
        left join {SENTIMENTS} s on s.post_id = p.id and s.model = :model
        where p.rowid >= :first_row and p.rowid < :end_row
          and (:title is null or m.title = :title)
          and +p.created_at >= :low and +p.created_at < :high
        order by p.rowid, m.title
        """
    params = {
        "title": title,
        "model": model,
        "low": low,
        "high": high,
        "first_row": rows[0],
        "end_row": rows[1],
    }
    return sql, params


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
        {"title": title, "since": since or "", "until": until or FAR_FUTURE},
    )

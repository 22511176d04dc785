"""The exports' queries, streamed: rows are read behind the caller, never listed whole."""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .database import BUSY_TIMEOUT_MS, store_error, uri
from .errors import StoreError
from .queries import FAR_FUTURE, window
from .schema import CHART_ENTRIES, MENTIONS, POSTS, SENTIMENTS
from .store import Store

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
        raise store_error(store.path, exc) from None
    columns = [d[0] for d in cursor.description]
    cursor.close()
    return columns, _read_behind(store.path, sql, params, store.read_only)


def _read_behind(
    path: Path, sql: str, params: dict[str, Any], read_only: bool
) -> Iterator[tuple[Any, ...]]:
    batches: queue.Queue[list[tuple[Any, ...]] | StoreError | None] = queue.Queue(STREAM_DEPTH)
    stop = threading.Event()
    # a file we may not write opens as the store did; else read-only beside the writers
    address = uri(path, True) if read_only else f"file:{quote(str(path.absolute()))}?mode=ro"
    conn = sqlite3.connect(
        address, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )

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
            hand_over(store_error(path, exc))

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
    low, high = window(since, until)
    return _stream(
        store,
        f"""
        select p.id, m.title, p.platform, p.created_at, p.url, p.community,
          case when p.deleted then null else p.author end as author,
          case when p.deleted then null else p.text end as text,
          p.score, p.likes, p.replies, p.reposts, p.quotes, p.num_comments, p.deleted,
          m.relevance, s.compound, s.label, coalesce(p.copy_group, p.id) as copy_group,
          p.langs
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
        {"title": title, "since": since or "", "until": until or FAR_FUTURE},
    )

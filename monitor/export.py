"""CSV and JSON lines, streamed row by row: ``posts``, ``daily`` and ``chart``.

CSV follows RFC 4180 (UTF-8, a header line, CRLF line ends, newlines kept inside quoted
fields). Text that a spreadsheet would run as a formula, starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return, is prefixed with ``'`` so it shows as text.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from operator import itemgetter
from typing import Any, TextIO

from . import alert_queries, export_halves, export_queries
from .config import Title
from .errors import MonitorError, NothingStored
from .export_queries import FORMULA_START, Stream
from .report import build_report, check_window, label_model
from .store import Store

KINDS = ("posts", "daily", "chart", "themes", "alerts")
FORMATS = ("csv", "jsonl")
DAILY_COLUMNS = [
    "title",
    "date",
    "platform",
    "posts",
    "unscored",
    "mean_sentiment",
    "positive",
    "negative",
    "rank",
    "texts",
    "authors",
]
THEME_COLUMNS = [
    "title",
    "phase",
    "start",
    "end",
    "rank",
    "term",
    "z",
    "posts",
    "share",
    "example_id",
    "example_url",
    "example_text",
]


#: ``alerts``: the columns written and the query's fields they come from.
ALERT_COLUMNS = ["title", "kind", "when", "late", "message", "figures", "raised_at", "sent_at"]
ALERT_FIELDS = ["title", "kind", "moment", "late", "message", "figures", "raised_at", "notified_at"]

_FORMULA = frozenset(FORMULA_START)


def inert(value: Any) -> Any:
    """A text that starts like a formula, prefixed with ``'``; anything else unchanged."""
    if value.__class__ is str and value[:1] in _FORMULA:
        return "'" + value
    return value


def _inert_row(row: Sequence[Any], _n: int) -> list[Any]:
    return [("'" + v) if v.__class__ is str and v[:1] in _FORMULA else v for v in row]


def write_csv(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO, *, safe: bool = False
) -> int:
    """Write a header and ``rows`` as RFC 4180 CSV; return how many rows.

    ``out`` must be opened with ``newline=""`` so newlines inside fields stay as they are.
    ``safe``: the rows' text is formula-safe already, written as it is.
    """
    csv.writer(out, lineterminator="\r\n").writerow(columns)
    return (write_safe_rows if safe else _write_rows)(rows, out)


def write_safe_rows(rows: Iterable[Sequence[Any]], out: TextIO) -> int:
    """Formula-safe ``rows`` as CSV lines, all in C (no Python call per row); how many."""
    counter = itertools.count()  # zip() advances it once per row
    csv.writer(out, lineterminator="\r\n").writerows(
        map(itemgetter(0), zip(rows, counter, strict=False))
    )
    return next(counter)


def _write_rows(rows: Iterable[Sequence[Any]], out: TextIO) -> int:
    counter = itertools.count()  # map() advances it once per row
    csv.writer(out, lineterminator="\r\n").writerows(map(_inert_row, rows, counter))
    return next(counter)


def write_jsonl(columns: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO) -> int:
    """One JSON object per line, keys in column order; return how many rows."""
    count = 0
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    for row in rows:
        out.write(dumps(dict(zip(columns, row, strict=True))))
        out.write("\n")
        count += 1
    return count


def stream(
    store: Store,
    kind: str,
    titles: Sequence[Title],
    *,
    title: str | None = None,
    since: date | None = None,
    until: date | None = None,
    model: str | None = None,
) -> Stream:
    """The columns and rows of one export. ``titles`` are the tracked titles (``daily``
    covers each of them, or just ``title``)."""
    check_window(since, until)
    model = model or label_model(store)
    low = since.isoformat() if since else None
    high = until.isoformat() if until else None
    if kind == "posts":
        return export_queries.export_posts(store, model, title=title, since=low, until=high)
    if kind == "chart":
        return export_queries.export_chart(store, title=title, since=low, until=high)
    if kind == "alerts":
        return ALERT_COLUMNS, (
            tuple(r[c] for c in ALERT_FIELDS)
            for r in alert_queries.alerts(store, title=title, since=low)
            if high is None or r["moment"] <= high
        )
    if kind == "daily":
        chosen = [t for t in titles if title is None or t.name == title]
        return DAILY_COLUMNS, _daily(store, chosen, since, until, model)
    if kind == "themes":
        chosen = [t for t in titles if t.name == title]
        if not chosen:
            raise MonitorError("the themes export is of one title", hint="name it with --title")
        return THEME_COLUMNS, _themes(store, chosen[0], since, until, model)
    raise MonitorError(f"unknown export {kind!r}", hint=f"use one of: {', '.join(KINDS)}")


def _daily(
    store: Store,
    titles: Sequence[Title],
    since: date | None,
    until: date | None,
    model: str,
) -> Iterator[tuple[Any, ...]]:
    """The series the figure draws, one title after another (titles with nothing stored
    are left out)."""
    for title in titles:
        try:
            report = build_report(store, title, since=since, until=until, model=model, quotes=False)
        except NothingStored:
            continue
        for r in report.rows:
            yield (
                title.name,
                r.day.isoformat(),
                r.platform,
                r.posts,
                r.unscored,
                r.mean_sentiment,
                r.positive,
                r.negative,
                r.rank,
                r.texts,
                r.authors,
            )


def _themes(
    store: Store, title: Title, since: date | None, until: date | None, model: str
) -> Iterator[tuple[Any, ...]]:
    """Each phase's themes, best first; with a window, its themes against the other days
    (phase ``window``)."""
    report = build_report(store, title, since=since, until=until, model=model)
    groups = [(p.name, p.start, p.end, p.themes) for p in report.phases]
    if report.window_themes:
        groups.append(("window", report.start, report.end, report.window_themes))
    for name, start, end, found in groups:
        for n, t in enumerate(found, 1):
            yield (
                title.name,
                name,
                start.isoformat(),
                end.isoformat(),
                n,
                t.term,
                round(t.z, 3),
                t.count,
                round(t.share, 4),
                t.example.id,
                t.example.url,
                t.example.text,
            )


def export(
    store: Store,
    kind: str,
    titles: Sequence[Title],
    out: TextIO,
    fmt: str,
    *,
    title: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> int:
    """Write one export to ``out`` in ``fmt``; return how many rows.

    Posts to CSV, the big one, come formula-safe from SQLite and go to the CSV writer
    untouched, in two processes for a large database (:mod:`monitor.export_halves`); the
    rest is streamed by :func:`stream` and written by :func:`write`."""
    if kind == "posts" and fmt == "csv":
        check_window(since, until)
        model = label_model(store)
        low = since.isoformat() if since else None
        high = until.isoformat() if until else None

        def query(rows: tuple[int, int]) -> tuple[str, dict[str, Any]]:
            return export_queries.posts_query(model, title, low, high, for_csv=True, rows=rows)

        sql, params = query(export_queries.ALL_ROWS)
        columns = export_queries.columns_of(store, sql, params)
        cut = export_halves.split_point(store)
        if cut is None:
            rows = export_queries.read_rows(store.path, sql, params, store.read_only)
            return write_csv(columns, rows, out, safe=True)
        csv.writer(out, lineterminator="\r\n").writerow(columns)
        return export_halves.write_in_halves(store, query, cut, out, write_safe_rows)
    columns, rows = stream(store, kind, titles, title=title, since=since, until=until)
    return write(columns, rows, out, fmt)


def write(columns: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO, fmt: str) -> int:
    """Write an export in ``fmt`` (``csv`` or ``jsonl``); return how many rows."""
    if fmt == "csv":
        return write_csv(columns, rows, out)
    if fmt == "jsonl":
        return write_jsonl(columns, rows, out)
    raise MonitorError(f"unknown format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}")

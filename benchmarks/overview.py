"""The overview page and the alerts check for 200 titles over a 1,000,000-post database.

The database is the report stage's (:mod:`benchmarks.report`: the same posts, labels and
builder), with each post's mention spread over 200 titles, and the chart run given to
the first; cached beside it. Figures, each beside a bare SQL ``GROUP BY`` title and day
over posts ⨝ mentions (what a page without the daily totals would start from), timed in
the same run, interleaved:

- building and writing ``index.html`` for the 200 titles (target < 5 s);
- the alerts check of ``monitor run``: every detector over every title's history.
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks import report as bench
from benchmarks.common import Figure, median_seconds
from monitor import overview
from monitor.alerts import detect
from monitor.config import Title, slugify
from monitor.sentiment import DEFAULT_MODEL
from monitor.store import Store

TITLES = 200
VERSION = 1
REPEAT = 5


def titles() -> list[Title]:
    return [Title(bench.TITLE)] + [Title(f"Title {n:03d}") for n in range(1, TITLES)]


def _spread(rows: Iterator[bench.Rows], names: list[str]) -> Iterator[bench.Rows]:
    """The report stage's rows with post ``n``'s mention moved to title ``n mod 200``."""
    for n, (post, mention, label) in enumerate(rows):
        yield post, (mention[0], names[n % len(names)], *mention[2:]), label


def database(posts: int = bench.POSTS) -> Path:
    """The generated database, built on first use."""
    path = bench.cache_dir() / f"overview-{posts}-{TITLES}-v{bench.VERSION}.{VERSION}.db"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    print(f"generating {posts:,} posts over {TITLES} titles …", file=sys.stderr, flush=True)
    with Store(partial) as store:
        store.sync_titles(titles())
    conn = sqlite3.connect(partial)
    with conn:
        names = [t.name for t in titles()]
        bench._insert(conn, _spread(bench._generated(posts), names))
        start = bench.FIRST_DAY + timedelta(days=bench.DAYS // 2 - 28)
        conn.executemany(
            "insert into chart_entries (chart, region, category, period_start, period_end, "
            "rank, title, chart_title) values ('netflix', 'US', 'Films', ?, ?, ?, ?, ?)",
            [
                (
                    (start + timedelta(weeks=w)).isoformat(),
                    (start + timedelta(weeks=w, days=6)).isoformat(),
                    rank,
                    name,
                    name,
                )
                for w in range(7)
                for rank, name in enumerate(names[:10], 1)
            ],
        )
    conn.execute("analyze")
    conn.close()
    Store(partial).close()
    partial.rename(path)
    return path


BARE = """
select m.title, substr(p.created_at, 1, 10) as day, count(*)
from mentions m join posts p on p.id = m.post_id group by m.title, day
"""


def run() -> list[Figure]:
    db = database()
    out = Path(tempfile.mkdtemp(prefix="monitor-bench-overview-"))
    tracked = titles()
    end = bench.FIRST_DAY + timedelta(days=bench.DAYS - 1)
    at = datetime.combine(end, datetime.min.time(), UTC) + timedelta(hours=12)

    def bare() -> None:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        conn.execute(BARE).fetchall()
        conn.close()

    def page() -> None:
        with Store(db) as store:
            overview.write(store, tracked, out, DEFAULT_MODEL)

    def check() -> None:
        with Store(db) as store:
            detect(store, tracked, at, DEFAULT_MODEL)

    timings: dict[str, list[float]] = {"bare": [], "page": [], "check": []}
    for _ in range(REPEAT):
        for name, fn in (("bare", bare), ("page", page), ("check", check)):
            timings[name].append(median_seconds(fn, repeat=1))
    bare_s, page_s, check_s = (statistics.median(timings[k]) for k in ("bare", "page", "check"))
    html = (out / overview.INDEX).read_text("utf-8")
    assert html.count("<tr><td>") == TITLES and slugify(bench.TITLE) in html.lower()
    return [
        Figure(
            "overview",
            f"index.html, {TITLES} titles, 1M posts, s",
            page_s,
            "s",
            bare_s,
            "bare SQL GROUP BY title, day",
            "< 5 s",
        ),
        Figure(
            "overview",
            f"alerts check, {TITLES} titles, 1M posts, s",
            check_s,
            "s",
            bare_s,
            "bare SQL GROUP BY title, day",
            "",
        ),
    ]


if __name__ == "__main__":
    from benchmarks.common import print_table

    print_table(run())

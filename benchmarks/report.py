"""`monitor report` and `monitor export posts` on a generated database of 1,000,000 posts.

The database is built once (executemany in one transaction, the daily-total triggers
firing as on any write) and cached under ``$MONITOR_BENCH_DIR`` (default: the system temp
folder). Figures:

- the report, beside a bare SQL ``GROUP BY`` day over the same rows (posts ⨝ mentions ⨝
  sentiments) timed in the same run, interleaved: once in-process (build the report, draw
  it, write the PNG and HTML) and once as the `monitor report` command (Python start-up
  and imports included); target < 3 s and ≤ 1.5×.
- what the daily totals cost: counting them afresh for the whole database (an upgrade
  does it once), beside the bare ``GROUP BY``; and posts written per second with the
  triggers, beside the same writes without them.
- `monitor export posts` rows per second and peak memory, measured in a subprocess
  (``ru_maxrss``): target ≥ 100,000 rows/s and < 200 MB.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path

import sqlite_utils

from benchmarks.common import Figure, median_seconds, timed_process
from monitor import html
from monitor.config import Title
from monitor.report import build_report
from monitor.schema import rebuild_daily
from monitor.sentiment import DEFAULT_MODEL, label
from monitor.store import Store

POSTS = 1_000_000
DAYS = 365
FIRST_DAY = date(2023, 6, 1)
TITLE = "Backtrace"
#: Bump when the generated data changes, so a stale cache is not reused.
VERSION = 7
REPEAT = 5

CONFIG = """
[[titles]]
name = "Backtrace"
released = 2018-12-14
"""

SAMPLE = (
    "Backtrace was dreary but Stallone tried. So bad it's good, honestly. Watched it on "
    "Netflix last night; the amnesia plot is a mess. #Backtrace =cmd|'/C calc'!A0 and a "
    "newline\nin the middle 🎬"
)
WORDS = SAMPLE.split()


def cache_dir() -> Path:
    return Path(os.environ.get("MONITOR_BENCH_DIR") or tempfile.gettempdir()) / "monitor-bench"


def database(posts: int = POSTS) -> Path:
    """The generated database, built on first use."""
    path = cache_dir() / f"report-{posts}-v{VERSION}.db"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    print(f"generating {posts:,} posts into {path} …", file=sys.stderr, flush=True)
    Store(partial).close()  # the schema, migrations, indexes and daily-total triggers
    conn = sqlite3.connect(partial)
    with conn:
        conn.execute("insert into titles (name, slug) values (?, ?)", (TITLE, "backtrace"))
        _insert(conn, _generated(posts))
        start = FIRST_DAY + timedelta(days=DAYS // 2 - 28)
        ranks = [9, 6, 4, 4, 5, 8, 10]
        conn.executemany(
            "insert into chart_entries (chart, region, category, period_start, period_end, "
            "rank, title, chart_title, weeks_on_chart) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    "netflix-weekly",
                    "US",
                    "Films (English)",
                    (start + timedelta(weeks=w)).isoformat(),
                    (start + timedelta(weeks=w, days=6)).isoformat(),
                    rank,
                    TITLE,
                    TITLE,
                    w + 1,
                )
                for w, rank in enumerate(ranks)
            ],
        )
        conn.execute(
            "insert into poll_runs (source, title, started, finished, status, cap_hit, "
            "gap_start, gap_end) values ('bluesky', ?, ?, ?, 'ok', 1, ?, ?)",
            (
                TITLE,
                "2023-11-20T00:00:00Z",
                "2023-11-20T00:05:00Z",
                "2023-11-18T00:00:00Z",
                "2023-11-19T12:00:00Z",
            ),
        )
    conn.execute("analyze")
    conn.close()
    Store(partial).close()  # back to WAL, checkpointed
    partial.rename(path)
    return path


Rows = tuple[tuple[object, ...], tuple[object, ...], tuple[object, ...]]


def _generated(posts: int, seed: int = 4) -> Iterator[Rows]:
    """A post, its mention and its label, ``posts`` times; talk swells around the chart run,
    in the middle of the year. One post in ten is in a group of copies (groups of five
    consecutive posts, as :mod:`monitor.copies` would mark them)."""
    rng = random.Random(seed)
    seconds = DAYS * 86400
    for n in range(posts):
        t = min(seconds - 1, max(0, int(rng.gauss(seconds / 2, seconds / 5))))
        day = FIRST_DAY + timedelta(seconds=t)
        created = f"{day.isoformat()}T{t % 86400 // 3600:02d}:{t % 3600 // 60:02d}:00Z"
        platform = "reddit" if n % 3 else "bluesky"
        pid = f"{platform}:{n}"
        text = " ".join(rng.choices(WORDS, k=rng.randint(5, 30)))
        compound = round(rng.uniform(-1, 1), 4)
        yield (
            (
                pid,
                platform,
                str(n),
                f"https://example.invalid/{n}",
                f"user{n % 5000}",
                "movies" if platform == "reddit" else "",
                text,
                created,
                n % 50,
                0,
                _group_of(n) if n % 50 < 5 else None,
            ),
            (pid, TITLE, 1.0, '["Backtrace"]'),
            (
                pid,
                DEFAULT_MODEL,
                compound,
                max(compound, 0),
                0.5,
                max(-compound, 0),
                label(compound),
            ),
        )


def _group_of(n: int) -> str:
    """The group id of post ``n``: the first post of its run of five."""
    first = n - n % 50
    return f"{'reddit' if first % 3 else 'bluesky'}:{first}"


def _insert(conn: sqlite3.Connection, rows: Iterable[Rows], batch: int = 50_000) -> None:
    """Posts, mentions and labels, a batch of each at a time."""
    chunk: list[Rows] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == batch:
            _flush(conn, chunk)
            chunk = []
    _flush(conn, chunk)


def _flush(conn: sqlite3.Connection, rows: list[Rows]) -> None:
    posts, mentions, sentiments = zip(*rows, strict=True) if rows else ((), (), ())
    conn.executemany(
        "insert into posts (id, platform, native_id, url, author, community, text, "
        "created_at, score, deleted, copy_group) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        posts,
    )
    conn.executemany(
        "insert into mentions (post_id, title, relevance, terms) values (?, ?, ?, ?)", mentions
    )
    conn.executemany(
        "insert into sentiments (post_id, model, compound, pos, neu, neg, label) "
        "values (?, ?, ?, ?, ?, ?, ?)",
        sentiments,
    )


#: Posts (each with its mention and label) written to measure what the triggers cost.
WRITE_POSTS = 50_000


def write_rate(triggers: bool = True) -> float:
    """Posts with their mention and label written per second into a new database, in
    batches of 1,000 as a poll writes them; ``triggers=False`` drops the daily-total
    triggers first."""
    folder = Path(tempfile.mkdtemp(prefix="monitor-bench-write-"))
    try:
        Store(folder / "w.db").close()
        conn = sqlite3.connect(folder / "w.db")
        if not triggers:
            for (name,) in conn.execute("select name from sqlite_master where type = 'trigger'"):
                conn.execute(f"drop trigger {name}")
        conn.execute("insert into titles (name, slug) values (?, ?)", (TITLE, "backtrace"))
        conn.commit()
        rows = list(_generated(WRITE_POSTS, seed=5))
        start = time.perf_counter()
        with conn:
            _insert(conn, rows, batch=1000)
        took = time.perf_counter() - start
        conn.close()
        return WRITE_POSTS / took
    finally:
        shutil.rmtree(folder)


def recount(db: Path) -> None:
    """Count the daily totals of the whole database afresh (what upgrading an older
    database does once), then roll back."""
    conn = sqlite3.connect(db)
    conn.execute("begin")
    rebuild_daily(sqlite_utils.Database(conn))
    conn.rollback()
    conn.close()


BARE_GROUP_BY = """
select substr(p.created_at, 1, 10) as day, count(*), avg(s.compound)
from mentions m join posts p on p.id = m.post_id
left join sentiments s on s.post_id = m.post_id and s.model = ?
where m.title = ? group by day
"""


def run() -> list[Figure]:
    db = database()
    work = Path(tempfile.mkdtemp(prefix="monitor-bench-"))
    config = work / "monitor.toml"
    config.write_text(CONFIG, encoding="utf-8")

    def bare() -> None:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        conn.execute(BARE_GROUP_BY, (DEFAULT_MODEL, TITLE)).fetchall()
        conn.close()

    def monitor(*args: str) -> list[str]:
        """A quiet ``monitor`` command line against the benchmark database."""
        return [
            sys.executable,
            "-m",
            "monitor",
            "--config",
            str(config),
            "--db",
            str(db),
            "-q",
            *args,
        ]

    def report() -> None:
        subprocess.run(
            monitor("report", TITLE, "--out", str(work / "out")),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def in_process() -> None:
        with Store(db) as store:
            html.write([build_report(store, Title(TITLE))], work / "lib")

    # interleaved, so that a busy moment on the machine hits every figure alike
    timings: dict[str, list[float]] = {"bare": [], "cli": [], "lib": []}
    for _ in range(REPEAT):
        for name, fn in (("bare", bare), ("cli", report), ("lib", in_process)):
            timings[name].append(median_seconds(fn, repeat=1))
    bare_s, report_s, lib_s = (statistics.median(timings[k]) for k in ("bare", "cli", "lib"))
    recount_s = median_seconds(lambda: recount(db), repeat=3)
    writes: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(3):
        for triggers in (True, False):
            writes[triggers].append(write_rate(triggers))

    export_cmd = monitor("export", "posts", "-o", str(work / "posts.csv"))
    runs = sorted(timed_process(export_cmd) for _ in range(3))
    took, peak_kb = runs[len(runs) // 2]
    rows = POSTS
    return [
        Figure(
            "report",
            "report in-process: build+draw+write, s",
            lib_s,
            "s",
            bare_s,
            "bare SQL GROUP BY day",
            "≤ 1.5×",
        ),
        Figure(
            "report",
            "monitor report (1M posts), s",
            report_s,
            "s",
            bare_s,
            "bare SQL GROUP BY day",
            "< 3 s, ≤ 1.5×",
        ),
        Figure(
            "report",
            "upgrade: count the daily totals, s",
            recount_s,
            "s",
            bare_s,
            "bare SQL GROUP BY day",
            "once",
        ),
        Figure(
            "report",
            "posts written/s, with daily totals",
            statistics.median(writes[True]),
            "posts/s",
            statistics.median(writes[False]),
            "the same without the triggers",
            "",
        ),
        Figure("report", "export posts, rows/s", rows / took, "rows/s", None, "", "≥ 100,000"),
        Figure("report", "export posts, peak memory, MB", peak_kb / 1024, "MB", None, "", "< 200"),
    ]


if __name__ == "__main__":
    from benchmarks.common import print_table

    print_table(run())
    print(json.dumps({"database": str(database())}))

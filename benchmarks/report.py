"""`monitor report` and `monitor export posts` on a generated database of 1,000,000 posts.

The database is built once (executemany in one transaction) and cached under
``$MONITOR_BENCH_DIR`` (default: the system temp folder). Figures:

- the report, beside a bare SQL ``GROUP BY`` day over the same rows (posts ⨝ mentions ⨝
  sentiments) timed in the same run, interleaved: once in-process (build the report, draw
  it, write the PNG and HTML) and once as the `monitor report` command (Python start-up
  and imports included); target < 3 s and ≤ 1.5×.
- `monitor export posts` rows per second and peak memory, measured in a subprocess
  (``ru_maxrss``): target ≥ 100,000 rows/s and < 200 MB.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from benchmarks.common import Figure, median_seconds
from monitor import html
from monitor.config import Title
from monitor.report import build_report
from monitor.sentiment import DEFAULT_MODEL, label
from monitor.store import Store

POSTS = 1_000_000
DAYS = 365
FIRST_DAY = date(2023, 6, 1)
TITLE = "Backtrace"
#: Bump when the generated data changes, so a stale cache is not reused.
VERSION = 4
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
    Store(partial).close()  # the schema, migrations and indexes
    conn = sqlite3.connect(partial)
    rng = random.Random(4)
    seconds = DAYS * 86400
    with conn:
        conn.execute("insert into titles (name, slug) values (?, ?)", (TITLE, "backtrace"))
        post_rows, mention_rows, sentiment_rows = [], [], []
        for n in range(posts):
            # talk swells around the chart run, in the middle of the year
            t = min(seconds - 1, max(0, int(rng.gauss(seconds / 2, seconds / 5))))
            day = FIRST_DAY + timedelta(seconds=t)
            created = f"{day.isoformat()}T{t % 86400 // 3600:02d}:{t % 3600 // 60:02d}:00Z"
            platform = "reddit" if n % 3 else "bluesky"
            pid = f"{platform}:{n}"
            text = " ".join(rng.choices(WORDS, k=rng.randint(5, 30)))
            compound = round(rng.uniform(-1, 1), 4)
            post_rows.append(
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
                )
            )
            mention_rows.append((pid, TITLE, 1.0, '["Backtrace"]'))
            sentiment_rows.append(
                (
                    pid,
                    DEFAULT_MODEL,
                    compound,
                    max(compound, 0),
                    0.5,
                    max(-compound, 0),
                    label(compound),
                )
            )
            if len(post_rows) == 50_000:
                _flush(conn, post_rows, mention_rows, sentiment_rows)
        _flush(conn, post_rows, mention_rows, sentiment_rows)
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


def _flush(conn: sqlite3.Connection, posts: list, mentions: list, sentiments: list) -> None:  # type: ignore[type-arg]
    conn.executemany(
        "insert into posts (id, platform, native_id, url, author, community, text, "
        "created_at, score, deleted) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
    posts.clear()
    mentions.clear()
    sentiments.clear()


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

    probe = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "took = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(took, peak)\n"
    )
    export_cmd = monitor("export", "posts", "-o", str(work / "posts.csv"))
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", probe, *export_cmd],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        runs.append((float(out[0]), int(out[1])))
    runs.sort()
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
        Figure("report", "export posts, rows/s", rows / took, "rows/s", None, "", "≥ 100,000"),
        Figure("report", "export posts, peak memory, MB", peak_kb / 1024, "MB", None, "", "< 200"),
    ]


if __name__ == "__main__":
    from benchmarks.common import print_table

    print_table(run())
    print(json.dumps({"database": str(database())}))

"""`monitor publish` on the report benchmark's database of 1,000,000 posts.

Figures, each run interleaved with its baseline so that a busy moment hits both alike:

- `monitor publish DIR` as a command (start-up included), beside a plain ``VACUUM INTO``
  of the same file (what any consistent copy costs): target < 30 s;
- its peak memory (``ru_maxrss`` of the child): target < 200 MB;
- the slowest canned query on the published copy, run as Datasette runs it (plain SQLite):
  Datasette stops a query after 1 s by default.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Figure, timed_process
from benchmarks.report import TITLE, database
from monitor.publish_queries import canned_queries

REPEAT = 3


def vacuum_into(db: Path, work: Path) -> float:
    """Seconds for a plain consistent copy of the whole file."""
    target = work / "plain.db"
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    start = time.perf_counter()
    conn.execute("vacuum into ?", [str(target)])
    took = time.perf_counter() - start
    conn.close()
    target.unlink()
    return took


def publish(db: Path, work: Path) -> tuple[float, int]:
    """Seconds and peak RSS (kB) of `monitor publish` as a command."""
    out = work / "site"
    command = [sys.executable, "-m", "monitor", "--db", str(db), "-q", "publish", str(out)]
    return timed_process(command)


def slowest_query(copy: Path) -> float:
    """Seconds of the slowest canned query (every phase for the posts of a phase)."""
    conn = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    phases = [r[0] for r in conn.execute("select phase from phases where title = ?", [TITLE])]
    worst = 0.0
    for name, query in canned_queries().items():
        for phase in phases if name == "phase_posts" else [""]:
            params = {"title": TITLE, "phase": phase, "top": ""}
            start = time.perf_counter()
            conn.execute(query["sql"], params).fetchall()
            worst = max(worst, time.perf_counter() - start)
    conn.close()
    return worst


def run() -> list[Figure]:
    db = database()
    work = Path(tempfile.mkdtemp(prefix="monitor-bench-publish-"))
    try:
        plain: list[float] = []
        runs: list[tuple[float, int]] = []
        for i in range(REPEAT):
            plain.append(vacuum_into(db, work))
            runs.append(publish(db, work))
            if i < REPEAT - 1:
                shutil.rmtree(work / "site")
        worst = slowest_query(work / "site" / "monitor.db")
    finally:
        shutil.rmtree(work)
    took = statistics.median(t for t, _ in runs)
    peak = statistics.median(p for _, p in runs) / 1024
    base = statistics.median(plain)
    return [
        Figure(
            "publish",
            "monitor publish (1M posts), s",
            took,
            "s",
            base,
            "plain VACUUM INTO of the same file",
            "< 30 s",
        ),
        Figure("publish", "monitor publish, peak memory, MB", peak, "MB", None, "", "< 200"),
        Figure(
            "publish",
            "slowest canned query on the copy, s",
            worst,
            "s",
            None,
            "",
            "< 1 s (Datasette's limit)",
        ),
    ]


if __name__ == "__main__":
    from benchmarks.common import print_table

    print_table(run())
    print(json.dumps({"database": str(database())}))

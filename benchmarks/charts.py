"""Netflix Top 10: a generated 30 MB countries file, served locally, ingested in a subprocess.

Figures: wall time and peak RSS of ``netflix.update`` (the configured countries kept), each
beside a bare ``csv``-module read of the same file and the ``sqlite3`` shell's ``.import``
of it; the requests and bytes of an unchanged re-run beside the first run's.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Figure
from monitor.charts.netflix import COUNTRIES
from monitor.replay import ReplayServer
from monitor.replay.netflix import Top10Files, country_lines, weeks_for_size, write_tsv

STAGE = "charts"
SIZE = 30_000_000
KEEP = ("US", "GB", "FR", "DE", "BR")
REPEAT = 3

#: Peak RSS of this process in MB. Linux keeps ``ru_maxrss`` across exec (it would report
#: the forking parent's), so read the new image's high-water mark, VmHWM, where there is one.
PEAK = """
def peak_mb():
    try:
        with open("/proc/self/status") as fh:
            return next(int(l.split()[1]) for l in fh if l.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

#: Runs in a fresh interpreter: argv = source URL, database, countries as JSON.
INGEST = (
    PEAK
    + """
import json, sys, time
from monitor.charts.netflix import update
from monitor.config import Config, NetflixConfig
from monitor.store import Store
source, db, countries = sys.argv[1], sys.argv[2], tuple(json.loads(sys.argv[3]))
config = Config(netflix=NetflixConfig(source=source, countries=countries))
start = time.perf_counter()
with Store(db) as store:
    results = update(store, config)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rss_mb": peak_mb(), "rows": sum(r.rows for r in results)}))
"""
)

CSV_READ = (
    PEAK
    + """
import csv, json, sys, time
start = time.perf_counter()
with open(sys.argv[1], encoding="utf-8", newline="") as fh:
    rows = sum(1 for _ in csv.reader(fh, delimiter="\\t"))
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rss_mb": peak_mb(), "rows": rows}))
"""
)

SQLITE_IMPORT = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(["sqlite3", sys.argv[2], "-cmd", ".mode tabs", ".import " + sys.argv[1] + " t"],
               check=True)
seconds = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rss_mb": rss, "rows": None}))
"""


def _child(code: str, *args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def _median(runs: list[dict[str, float]], key: str) -> float:
    return sorted(r[key] for r in runs)[len(runs) // 2]


def run() -> list[Figure]:
    work = Path(tempfile.mkdtemp(prefix="monitor-bench-charts-"))
    try:
        path = work / COUNTRIES
        size = write_tsv(path, country_lines(weeks_for_size(SIZE)))
        files = Top10Files({COUNTRIES: path})
        with ReplayServer(files) as server:
            source = f"{server.url}/top10"
            ours, csv_read, shell = [], [], []
            for i in range(REPEAT):
                ours.append(_child(INGEST, source, str(work / f"ours{i}.db"), json.dumps(KEEP)))
                if i == 0:
                    first_requests = float(server.count("/top10"))
                csv_read.append(_child(CSV_READ, str(path)))
                if shutil.which("sqlite3"):
                    shell.append(_child(SQLITE_IMPORT, str(path), str(work / f"shell{i}.db")))
            every = _child(INGEST, source, str(work / "all.db"), json.dumps(_all_codes(path)))
            requests, sent = server.count("/top10"), server.bytes_sent
            _child(INGEST, source, str(work / "ours0.db"), json.dumps(KEEP))
            again_requests = server.count("/top10") - requests
            again_bytes = server.bytes_sent - sent
    finally:
        shutil.rmtree(work, ignore_errors=True)
    kept = f"{len(KEEP)} kept"
    bases = [("csv-module read", csv_read)] + ([("sqlite3 shell .import", shell)] if shell else [])
    figures = [
        *(
            _fig(f"ingest {size / 1e6:.0f} MB countries, {kept}", ours, name, base, "seconds")
            for name, base in bases
        ),
        *(_fig(f"ingest peak RSS, {kept}", ours, name, base, "rss_mb") for name, base in bases),
        _fig(f"all countries kept ({every['rows']:,.0f} rows)", [every], kept, ours, "seconds"),
        _fig("all countries kept: peak RSS", [every], kept, ours, "rss_mb"),
        Figure(
            STAGE,
            "unchanged re-run: requests",
            again_requests,
            "requests",
            first_requests,
            "first run",
            "= 1",
        ),
        Figure(
            STAGE,
            "unchanged re-run: bytes served",
            again_bytes,
            "bytes",
            float(size),
            "the file",
            "headers only",
        ),
    ]
    return figures


def _fig(
    what: str, runs: list[dict[str, float]], base_what: str, base: list[dict[str, float]], key: str
) -> Figure:
    unit, target = ("s", "< 10") if key == "seconds" else ("MB", "< 150")
    return Figure(STAGE, what, _median(runs, key), unit, _median(base, key), base_what, target)


def _all_codes(path: Path) -> list[str]:
    """Every ISO-2 code in the generated file."""
    with path.open(encoding="utf-8") as fh:
        next(fh)
        return sorted({line.split("\t", 2)[1] for line in fh})


if __name__ == "__main__":
    from benchmarks.common import print_table

    start = time.perf_counter()
    print_table(run())
    print(f"({time.perf_counter() - start:.0f} s)", file=sys.stderr)

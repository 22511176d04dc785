"""Follow a chart at full size: how many titles a followed Netflix Top 10 brings, what a run
costs with that many, and how the database grows.

A year of weeks in the real file shape (the global file's four categories and the countries
file's every country, Films and TV, ranks 1-10), served by the replay Netflix server and
loaded week by week as Netflix publishes it; after each week ``monitor.follow.update``
runs, as ``monitor run`` does. The replay generator draws from 30 titles only, so the
titles here follow a churn model instead: a title stays on a chart for a geometric number
of weeks (mean ~3, as the global lists' ``cumulative_weeks_in_top_10`` suggest); countries
share the global hits of their category and add titles local to their language group.
Then one ``monitor run`` poll of that many titles against the local fake Reddit and Bluesky
(the real praw and atproto clients), beside the same run of the two titles of the example
config; the platforms' limits (Reddit 100 requests a minute, Bluesky 3,000 per 5 minutes)
turn its requests into the least time a real run can take.

    python -m benchmarks follow
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchmarks.common import Figure
from monitor.charts.netflix import COUNTRIES, GLOBAL
from monitor.charts.netflix import update as update_netflix
from monitor.config import Follow, Title, credentials, parse_config
from monitor.follow import ACTIVE, BACKFILLING, chart_titles
from monitor.follow import update as follow_update
from monitor.replay import ReplayServer
from monitor.replay.netflix import COUNTRIES as COUNTRY_NAMES
from monitor.replay.netflix import COUNTRIES_HEADER, GLOBAL_HEADER, Top10Files
from monitor.run import poll_sources
from monitor.store import Store
from tests.fakes.world import World

STAGE = "follow"
CAP = Follow.max_titles  # the default
WEEKS = 52
LAST = date(2024, 6, 30)
STAY = 0.35  # the chance a title leaves a list in a week: ~2.9 weeks on it
GROUPS = 12  # language groups sharing local titles
LOCAL = 4  # of a country's ten, the titles local to its group
REDDIT_PER_MINUTE = 100
BLUESKY_PER_MINUTE = 3000 / 5


class Lists:
    """Ten titles that churn week by week, each new title a new name."""

    def __init__(self, rng: random.Random, prefix: str, size: int = 10) -> None:
        self.rng, self.prefix, self.size, self.made = rng, prefix, size, 0
        self.titles: list[str] = [self._new() for _ in range(size)]

    def _new(self) -> str:
        self.made += 1
        return f"{self.prefix} {self.made:04d}"

    def step(self) -> list[str]:
        self.titles = [self._new() if self.rng.random() < STAY else t for t in self.titles]
        self.rng.shuffle(self.titles)
        return list(self.titles)


def weekly_lines(weeks: int, seed: int = 14) -> Iterator[tuple[date, list[str], list[str]]]:
    """Per week, oldest first: its global lines and its countries lines."""
    rng = random.Random(seed)
    global_lists = {
        c: Lists(rng, c.split()[0] + (" EN" if "(English)" in c else " XX"))
        for c in ("Films (English)", "Films (Non-English)", "TV (English)", "TV (Non-English)")
    }
    local = {
        (g, c): Lists(rng, f"{c} local{g}", LOCAL) for g in range(GROUPS) for c in ("Films", "TV")
    }
    for n in range(weeks):
        sunday = LAST - timedelta(weeks=weeks - 1 - n)
        day = sunday.isoformat()
        hits = {c: lists.step() for c, lists in global_lists.items()}
        glob = [
            f"{day}\t{c}\t{rank}\t{name}\t{'N/A' if c.startswith('Films') else name + ': Season 1'}"
            f"\t{1_000_000 // rank}\t2.0\t{500_000 // rank}\t1\tFalse\t"
            for c, names in hits.items()
            for rank, name in enumerate(names, 1)
        ]
        locals_now = {key: lists.step() for key, lists in local.items()}
        countries = []
        for i, (country, code) in enumerate(COUNTRY_NAMES):
            for category in ("Films", "TV"):
                pool = hits[f"{category} (English)"][:4] + hits[f"{category} (Non-English)"][:2]
                ten = pool + locals_now[(i % GROUPS, category)]
                rng.shuffle(ten)
                countries += [
                    f"{country}\t{code}\t{day}\t{category}\t{rank}\t{name}\tN/A\t1"
                    for rank, name in enumerate(ten, 1)
                ]
        yield sunday, glob, countries


def _file(header: str, weeks: list[list[str]]) -> bytes:
    return ("\n".join([header, *(x for w in reversed(weeks) for x in w)]) + "\n").encode()


def simulate(folder: Path, regions: list[str]) -> dict[str, list[float]]:
    """Load the year week by week with ``regions`` followed; per week: titles active,
    titles new, database bytes."""
    files = Top10Files()
    out: dict[str, list[float]] = {"active": [], "new": [], "bytes": [], "retired": []}
    with ReplayServer(files) as server:
        config = parse_config(
            {
                "follow": [{"regions": regions, "max_titles": 100_000}],
                "netflix": {"source": server.url, "countries": regions},
            }
        )
        glob: list[list[str]] = []
        countries: list[list[str]] = []
        db = folder / f"follow-{len(regions)}-{regions[0]}.db"
        with Store(db) as store:
            for _, g, c in weekly_lines(WEEKS):
                glob.append(g)
                countries.append(c)
                files.put(GLOBAL, _file(GLOBAL_HEADER, glob))
                files.put(COUNTRIES, _file(COUNTRIES_HEADER, countries))
                update_netflix(store, config)
                result = follow_update(store, config)
                active = chart_titles(store, (ACTIVE, BACKFILLING))
                out["active"].append(len(active))
                out["new"].append(len(result.added) + len(result.returned))
                out["retired"].append(len(result.retired))
                store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                out["bytes"].append(db.stat().st_size)
    return out


def poll_cost(folder: Path, count: int) -> tuple[dict[str, int], float, int, int, int]:
    """One run's poll of ``count`` titles against the fakes: requests per platform, seconds,
    database bytes it added, the bytes the next run (nothing new) adds, and the bytes each
    run after that (nothing new either) adds. Three posts about each title wait on each
    platform."""
    folder.mkdir(parents=True, exist_ok=True)
    with World(folder) as world:
        os.environ.update(world.env())
        now = datetime.now(UTC)
        names = [f"Films EN {n:04d}" for n in range(1, count + 1)]
        for i, name in enumerate(names):
            for k in range(3):
                when = now - timedelta(hours=3 * k + i % 5)
                world.reddit.submission(
                    f"Just watched {name} on Netflix ({k})", created_utc=when.timestamp()
                )
                world.bluesky.add_post(f"Watching {name} tonight, on Netflix ({k})", when)
        config = parse_config(
            {
                "reddit": {
                    "oauth_url": world.reddit_server.url,
                    "reddit_url": world.reddit_server.url,
                    "comments": 0,
                },
                "bluesky": {"service": world.bluesky_server.url},
            }
        )
        titles = [Title(name) for name in names]
        db = folder / f"poll-{count}.db"
        with Store(db) as store:
            store.sync_titles(titles)
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            before = db.stat().st_size
            start = time.perf_counter()
            results, _, _ = poll_sources(
                store, config, credentials(), ["reddit", "bluesky"], titles
            )
            seconds = time.perf_counter() - start
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            first = db.stat().st_size
            # the next run finds nothing new: what every later run adds (its poll runs)
            poll_sources(store, config, credentials(), ["reddit", "bluesky"], titles)
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            again = db.stat().st_size - first
            # and the runs after it: each drops the quiet run before it (see ingest)
            for _ in range(2):
                poll_sources(store, config, credentials(), ["reddit", "bluesky"], titles)
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            later = (db.stat().st_size - first - again) // 2
    requests = {s: sum(r.requests for r in results if r.source == s) for s in ("reddit", "bluesky")}
    return requests, seconds, first - before, again, later


def run() -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        every = ["global", *(code for _, code in COUNTRY_NAMES)]
        scenarios = {"global": ["global"], "US": ["US"], "every country": every}
        counts: dict[str, dict[str, list[float]]] = {}
        for label, regions in scenarios.items():
            started = time.perf_counter()
            counts[label] = sim = simulate(folder, regions)
            spent = time.perf_counter() - started
            later = slice(8, None)  # after the first weeks' fill-up
            figures += [
                Figure(
                    STAGE,
                    f"{label}: titles active/week (median)",
                    statistics.median(sim["active"][later]),
                    "titles",
                    target="weeks 9-52",
                ),
                Figure(STAGE, f"{label}: titles active/week (max)", max(sim["active"]), "titles"),
                Figure(
                    STAGE,
                    f"{label}: new titles/week (median)",
                    statistics.median(sim["new"][1:]),
                    "titles",
                ),
                Figure(
                    STAGE,
                    f"{label}: weeks over max_titles={CAP}",
                    sum(a > CAP for a in sim["active"]),
                    "weeks",
                ),
                Figure(
                    STAGE,
                    f"{label}: DB growth/week (median)",
                    statistics.median(
                        a - b for a, b in zip(sim["bytes"][1:], sim["bytes"], strict=False)
                    )
                    / 1e3,
                    "kB",
                    target="charts + titles",
                ),
                Figure(STAGE, f"{label}: load + follow, 52 weeks", spent, "s"),
            ]
        titles = int(statistics.median(counts["every country"]["active"][8:]))
        poll_cost(folder / "warm-up", 2)  # imports and first connections out of the figures
        base_requests, base_seconds, base_bytes, base_again, base_later = poll_cost(
            folder / "two", 2
        )
        requests, seconds, grown, again, later_runs = poll_cost(folder / "many", titles)
        for platform, per_minute in (
            ("reddit", REDDIT_PER_MINUTE),
            ("bluesky", BLUESKY_PER_MINUTE),
        ):
            figures.append(
                Figure(
                    STAGE,
                    f"{platform} requests, run of {titles} titles",
                    requests[platform],
                    "requests",
                    base_requests[platform],
                    "run of 2 titles",
                )
            )
            figures.append(
                Figure(
                    STAGE,
                    f"{platform}: least minutes at its limit",
                    requests[platform] / per_minute,
                    "min",
                    base_requests[platform] / per_minute,
                    "run of 2 titles",
                    f"{per_minute:g}/min",
                )
            )
        figures.append(
            Figure(
                STAGE,
                f"run time, {titles} titles (local)",
                seconds,
                "s",
                base_seconds,
                "run of 2 titles",
            )
        )
        figures.append(
            Figure(
                STAGE,
                f"DB growth, first run of {titles} titles",
                grown / 1e3,
                "kB",
                base_bytes / 1e3,
                "run of 2 titles",
                "6 posts a title",
            )
        )
        figures.append(
            Figure(
                STAGE,
                f"DB growth, a run of {titles}, nothing new",
                again / 1e3,
                "kB",
                base_again / 1e3,
                "run of 2 titles",
                "poll runs",
            )
        )
        figures.append(
            Figure(
                STAGE,
                f"DB growth, each later run of {titles}, nothing new",
                later_runs / 1e3,
                "kB",
                base_later / 1e3,
                "run of 2 titles",
                "quiet runs dropped",
            )
        )
    return figures


if __name__ == "__main__":
    from benchmarks.common import print_table

    print_table(run())

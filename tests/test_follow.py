"""Follow a chart, end to end: the real praw and atproto clients against the local fakes.

A config with only ``[[follow]]``: week 1 the chart does not list *Backtrace*; week 2 it
enters at #9; the next ``monitor run`` tracks it and backfills the four weeks before its
entry within the per-run budget, over several runs; the report then shows a populated
*before* phase and no gap. Reddit's listing limit shows up as a recorded gap.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes import Sleeps
from fakes.world import World

from monitor.config import Config, Credentials, credentials, load_config
from monitor.follow import chart_titles, with_chart_titles
from monitor.queries import open_gaps
from monitor.replay.netflix import COUNTRIES_HEADER, GLOBAL_HEADER
from monitor.report import build_report
from monitor.run import run_once
from monitor.sources import bluesky, reddit
from monitor.sources.base import Source
from monitor.sources.bluesky import Settings
from monitor.store import Store

BUDGET = 4
SLEEPS = Sleeps()
#: Week 2 is the last full week: Backtrace enters at #9.
WEEK2_END = date.today() - timedelta(days=(date.today().weekday() + 1) % 7 or 7)
WEEK2 = WEEK2_END - timedelta(days=6)
WEEK1_END = WEEK2_END - timedelta(days=7)
FILLERS = [f"Quiet Harbour Part {n}" for n in range(1, 11)]

CONFIG = """\
[[follow]]
chart = "netflix"
regions = ["global"]
categories = ["Films (English)"]

[backfill]
requests = {budget}

[reddit]
oauth_url = "{reddit}"
reddit_url = "{reddit}"
comments = 0

[bluesky]
service = "{bluesky}"

[netflix]
source = "{netflix}"
countries = ["global"]
"""


def week_lines(sunday: date, titles: list[str]) -> list[str]:
    """One week of the global file's English films, in the real layout."""
    return [
        f"{sunday}\tFilms (English)\t{rank}\t{name}\tN/A\t{1_000_000 - rank}\t1.5\t"
        f"{500_000 - rank}\t1\t\t"
        for rank, name in enumerate(titles, start=1)
    ]


def serve(world: World, weeks: list[list[str]]) -> None:
    """Put the global file (newest week first) and an empty countries file on the server."""
    lines = [GLOBAL_HEADER, *(line for week in reversed(weeks) for line in week)]
    world.netflix.put("all-weeks-global.tsv", ("\n".join(lines) + "\n").encode())
    world.netflix.put("all-weeks-countries.tsv", (COUNTRIES_HEADER + "\n").encode())


def fast_build(name: str, config: Config, creds: Credentials) -> Source:
    if name == "reddit":
        return reddit.build(
            config, creds, timeout=2, backoff=0.0, sleep=SLEEPS, listing_cap=LISTING_CAP
        )
    return bluesky.build(
        config, creds, settings=Settings(timeout=2, backoff=0.0, max_wait=60.0), sleep=SLEEPS
    )


LISTING_CAP = 1000


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setattr("monitor.run.build", fast_build)
    with World(tmp_path) as w:
        for name, value in w.env().items():
            monkeypatch.setenv(name, value)
        w.config_path.write_text(
            CONFIG.format(
                budget=BUDGET,
                reddit=w.reddit_server.url,
                bluesky=w.bluesky_server.url,
                netflix=w.netflix_server.url,
            ),
            encoding="utf-8",
        )
        yield w


def talk_before(world: World, reddit_posts: int, bluesky_posts: int) -> None:
    """What people said about Backtrace in the four weeks before it charted."""
    start = datetime.combine(WEEK2, datetime.min.time(), UTC) - timedelta(days=27)
    span = timedelta(days=26).total_seconds()
    for i in range(reddit_posts):
        when = start + timedelta(seconds=span * i / reddit_posts)
        world.reddit.submission(
            f"Just watched Backtrace, the Stallone heist movie (#{i})",
            author=f"viewer{i % 31}",
            created_utc=when.timestamp(),
        )
    for i in range(bluesky_posts):
        when = start + timedelta(seconds=span * i / bluesky_posts)
        world.bluesky.add_post(
            f"Just watched Backtrace on Netflix, a tense little thriller (#{i})",
            when,
            author=f"fan{i % 29}.bsky.social",
        )


def run(world: World, store: Store) -> dict[str, Any]:
    """One ``monitor run`` (charts due every time); its backfill requests per source."""
    config = load_config(world.config_path)
    before = {r["id"] for r in store.query("select id from poll_runs")}
    report = run_once(store, config, credentials(), charts_every=timedelta(0), build=fast_build)
    spent: dict[str, int] = {}
    for r in store.query("select source, requests, id from poll_runs"):
        if r["id"] not in before and r["source"].endswith("backfill"):
            spent[r["source"]] = spent.get(r["source"], 0) + r["requests"]
    return {"ok": report.ok, "spent": spent, "summary": report.summary()}


def backtrace(store: Store) -> Any:
    return next((t for t in chart_titles(store) if t.name == "Backtrace"), None)


def report_page(run_cli: Any, world: World, tmp_path: Path) -> str:
    """``monitor report Backtrace``: the HTML page it writes."""
    out = tmp_path / "reports"
    shown = run_cli("--config", str(world.config_path), "report", "Backtrace", "--out", str(out))
    assert shown.exit_code == 0, shown.output
    return (out / "backtrace.html").read_text("utf-8")


def test_a_title_entering_the_chart_is_tracked_and_backfilled_within_the_budget(
    world: World, tmp_path: Path, run_cli: Any
) -> None:
    week1 = week_lines(WEEK1_END, FILLERS)
    week2 = week_lines(WEEK2_END, [*FILLERS[:8], "Backtrace (2018)", FILLERS[8]])
    talk_before(world, reddit_posts=150, bluesky_posts=330)
    serve(world, [week1])
    db = tmp_path / "monitor.db"
    with Store(db) as store:
        first = run(world, store)
        assert first["ok"], first["summary"]
        assert backtrace(store) is None  # week 1 does not list it
        # only the latest week's entries are followed, each found once
        assert sorted(t.name for t in chart_titles(store)) == sorted(FILLERS)

        serve(world, [week1, week2])
        runs = [run(world, store)]
        title = backtrace(store)
        assert title is not None
        assert (title.chart, title.region, title.category, title.first_week, title.state) == (
            "netflix",
            "global",
            "Films (English)",
            WEEK2.isoformat(),
            "backfilling",
        )
        assert title.backfill_since == f"{WEEK2 - timedelta(days=28)}T00:00:00Z"
        # while it backfills, what is not fetched yet shows as a gap, not as silence
        waiting = [g for g in open_gaps(store) if g["title"] == "Backtrace"]
        assert waiting and all(g["source"].endswith("backfill") for g in waiting)
        assert min(g["gap_start"] for g in waiting) == title.backfill_since
        page = report_page(run_cli, world, tmp_path)
        assert "Collection gaps" in page and "backfill not done yet" in page
        while backtrace(store).state == "backfilling":
            assert len(runs) < 12, "backfill never finished"
            runs.append(run(world, store))
        for each in runs:
            assert each["ok"], each["summary"]
            # every request counts, the login too (no comments here: a page is one request)
            assert all(spent <= BUDGET for spent in each["spent"].values()), each
        # it needed more than one run's budget, and the budget spread it over several runs
        assert sum(each["spent"].get("bluesky backfill", 0) for each in runs) > BUDGET
        assert len(runs) >= 2
        config = with_chart_titles(load_config(world.config_path), store)
        report = build_report(store, config.title("Backtrace"), since=WEEK2 - timedelta(28))
        before = next(p for p in report.phases if p.name == "before")
        assert before.posts == 150 + 330  # every post of the four weeks before it charted
        assert report.chart is not None and report.chart.entry.start == WEEK2
        assert report.gaps == ()
    page = report_page(run_cli, world, tmp_path)  # `monitor report Backtrace`
    assert "Collection gaps" not in page and "Backtrace" in page
    # the chart title answers to --title NAME like a config title
    shown = run_cli("--config", str(world.config_path), "titles")
    assert shown.exit_code == 0
    assert "From the charts (11)" in shown.output and "Backtrace" in shown.output
    exported = run_cli(
        "--config", str(world.config_path), "export", "posts", "--title", "backtrace"
    )
    assert exported.exit_code == 0, exported.output
    assert exported.output.count("Just watched Backtrace") == 480


def test_what_reddit_listing_cannot_reach_is_a_recorded_gap(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(__name__ + ".LISTING_CAP", 100)
    world.reddit.listing_cap = 100
    talk_before(world, reddit_posts=250, bluesky_posts=0)
    serve(world, [week_lines(WEEK2_END, [*FILLERS[:8], "Backtrace (2018)", FILLERS[8]])])
    with Store(tmp_path / "monitor.db") as store:
        for _ in range(12):
            run(world, store)
            if backtrace(store).state == "active":
                break
        assert backtrace(store).state == "active"
        gaps = [g for g in open_gaps(store) if g["title"] == "Backtrace"]
        capped = [g for g in gaps if g["source"] == "reddit backfill"]
        assert capped and all(g["cap_hit"] for g in capped)
        # from the window's start to the oldest post the listing reached
        assert capped[0]["gap_start"] == f"{WEEK2 - timedelta(days=28)}T00:00:00Z"
        stored = store.count("posts")
        assert 100 <= stored < 250

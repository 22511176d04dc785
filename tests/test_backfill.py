"""Backfill through the real praw and atproto clients against the local fakes: what a
backfilled page is judged against, and the gap a partly backfilled title shows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.world import World
from test_follow import CONFIG, WEEK2, WEEK2_END, fast_build

from monitor.backfill import run_backfill
from monitor.config import Config, credentials, load_config
from monitor.follow import update, with_chart_titles
from monitor.report import build_report
from monitor.rows import ChartEntryRow
from monitor.store import Store

OTHER = """
[[titles]]
name = "The Man from Toronto"
"""


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with World(tmp_path) as w:
        for name, value in w.env().items():
            monkeypatch.setenv(name, value)
        w.config_path.write_text(
            CONFIG.format(
                budget=200,
                reddit=w.reddit_server.url,
                bluesky=w.bluesky_server.url,
                netflix=w.netflix_server.url,
            )
            + OTHER,
            encoding="utf-8",
        )
        yield w


def chart_with_backtrace(store: Store, config: Config) -> Config:
    """Week 2's chart, followed: Backtrace becomes a chart title that is backfilling."""
    rows: list[ChartEntryRow] = [
        {
            "chart": "netflix",
            "region": "global",
            "category": "Films (English)",
            "period_start": WEEK2.isoformat(),
            "period_end": WEEK2_END.isoformat(),
            "rank": 9,
            "chart_title": "Backtrace (2018)",
            "season": None,
        }
    ]
    store.upsert_chart_entries(rows)
    assert update(store, config).added == ["Backtrace"]
    merged = with_chart_titles(config, store)
    store.sync_titles(merged.titles)
    return merged


def test_a_backfilled_post_that_names_another_tracked_title_is_counted_for_it(
    world: World, tmp_path: Path
) -> None:
    when = datetime.combine(WEEK2, datetime.min.time(), UTC) - timedelta(days=10)
    both = world.bluesky.add_post(
        "Watched Backtrace and then The Man from Toronto on Netflix, what a double bill", when
    )
    only = world.bluesky.add_post("Backtrace is a better thriller than I expected", when)
    with Store(tmp_path / "monitor.db") as store:
        config = chart_with_backtrace(store, load_config(world.config_path))
        report = run_backfill(store, config, credentials(), ["bluesky"], fast_build)
        assert report.finished == ["Backtrace"]
        mentions = {
            (r["post_id"], r["title"]) for r in store.query("select post_id, title from mentions")
        }
    two, one = f"bluesky:{both['uri']}", f"bluesky:{only['uri']}"
    assert mentions == {
        (two, "Backtrace"),
        (two, "The Man from Toronto"),  # fetched for Backtrace, and it names this title too
        (one, "Backtrace"),
    }


def test_a_partly_backfilled_title_shows_a_gap_on_exactly_the_days_not_fetched_yet(
    world: World, tmp_path: Path
) -> None:
    path = world.config_path
    path.write_text(path.read_text("utf-8").replace("requests = 200", "requests = 3"), "utf-8")
    start = datetime.combine(WEEK2, datetime.min.time(), UTC) - timedelta(days=27)
    for i in range(330):  # a post every ~2 hours over the 4 weeks before it charted
        when = start + timedelta(hours=2 * i)
        world.bluesky.add_post(f"Just watched Backtrace on Netflix, a tense thriller (#{i})", when)
    with Store(tmp_path / "monitor.db") as store:
        config = chart_with_backtrace(store, load_config(path))
        since = WEEK2 - timedelta(days=28)
        partial: list[int] = []  # posts stored after each run that left the backfill pending
        shown = []  # the gap after each such run
        while True:
            assert len(partial) < 10, "backfill never finished"
            done = run_backfill(store, config, credentials(), ["bluesky"], fast_build).finished
            report = build_report(store, config.title("Backtrace"), since=since)
            if done:
                break
            stored = sorted(
                r["created_at"]
                for r in store.query("select created_at from posts where platform = 'bluesky'")
            )
            partial.append(len(stored))
            if not report.gaps:  # every day fetched; only the sweep's last check is left
                assert len(stored) == 330
                continue
            (gap,) = report.gaps
            assert gap.source == "bluesky backfill"
            assert "backfill not done yet" in gap.reason
            # from the window's start to the oldest post fetched so far: newest first, the
            # days after it are done and show no gap
            assert gap.start == datetime.combine(since, datetime.min.time(), UTC)
            oldest = datetime.fromisoformat(stored[0].replace("Z", "+00:00"))
            assert oldest <= gap.end <= oldest + timedelta(seconds=1)
            shaded = {d.day for d in report.days if gap.start.date() <= d.day <= gap.end.date()}
            unfetched = {d.day for d in report.days if d.day < WEEK2 and d.posts == 0}
            # exactly the days nothing is fetched for yet, and the day it stopped part way
            assert shaded == unfetched | {oldest.date()}
            assert since in shaded and WEEK2 - timedelta(days=1) not in shaded
            shown.append(gap)
        assert partial[0] < 330 and len(partial) >= 2  # the budget spread it over runs
        assert shown and shown[0].end > shown[-1].start  # a part of the window, not all
        assert report.gaps == ()  # none once the backfill is done
        assert store.count("posts") == 330

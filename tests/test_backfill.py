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

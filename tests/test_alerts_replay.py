"""The demo scenario replayed as it happened: posts appear on the local Reddit and Bluesky
as the simulated clock reaches them, each chart week is published the Tuesday after it
ends, and ``monitor run`` (the real pollers) runs hourly around the moments that matter
and every six hours between. Each event is raised once, by the first run that could see it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor import notify
from monitor.charts import netflix
from monitor.config import Credentials
from monitor.demo import (
    BLUESKY_HANDLE,
    BLUESKY_PASSWORD,
    REDDIT_ID,
    REDDIT_SECRET,
    scenario_config,
)
from monitor.replay import ReplayServer, scenario
from monitor.replay.bluesky import FakeBluesky
from monitor.replay.netflix import Top10Files
from monitor.replay.reddit import FakeReddit
from monitor.run import run_once
from monitor.store import Store

pytestmark = pytest.mark.slow

DAY0 = datetime.combine(scenario.START, datetime.min.time(), UTC)
#: A chart week (its file's date is the Sunday it ends) is published this long after.
PUBLISHED = timedelta(days=2, hours=19)


def published(upto: datetime) -> bytes:
    """The countries file as Netflix would serve it at ``upto``: each week from 19:00 on
    the Tuesday after it ends."""
    lines = scenario.top10_countries().decode().splitlines()
    head, rows = lines[0], lines[1:]
    shown = [
        r
        for r in rows
        if datetime.fromisoformat(r.split("\t")[2]).replace(tzinfo=UTC) + PUBLISHED <= upto
    ]
    return ("\n".join([head, *shown]) + "\n").encode()


def schedule() -> list[datetime]:
    """Hourly through the spike day and through each Tuesday evening a chart week is
    published, every twelve hours otherwise; to the Tuesday after the scenario's last week."""
    tuesdays = {7 * w + 8 for w in range(scenario.WEEKS)}
    times = []
    for day in range(7 * scenario.WEEKS + 2):
        hours = range(0, 24, 12)
        if day == scenario.BUZZ_DAY:
            hours = range(24)
        elif day in tuesdays:
            hours = [0, *range(16, 24)]
        times += [DAY0 + timedelta(days=day, hours=h) for h in hours]
    return times


def test_the_scenario_raises_its_spike_entry_peak_and_exit_once_each_in_time(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    reddit = FakeReddit(client_id=REDDIT_ID, client_secret=REDDIT_SECRET)
    bluesky = FakeBluesky(BLUESKY_HANDLE, BLUESKY_PASSWORD)
    pending = list(scenario.posts())
    top10 = Top10Files()
    creds = Credentials(REDDIT_ID, REDDIT_SECRET, BLUESKY_HANDLE, BLUESKY_PASSWORD)
    clock: list[datetime] = [DAY0]
    monkeypatch.setattr(notify, "now", lambda: clock[0])
    raised: dict[str, datetime] = {}
    with (
        ReplayServer(reddit.handle) as reddit_server,
        ReplayServer(bluesky) as bluesky_server,
        ReplayServer(top10) as netflix_server,
        Store(tmp_path / "monitor.db") as store,
    ):
        config = scenario_config(reddit_server.url, bluesky_server.url, netflix_server.url)
        store.sync_titles(config.titles)
        for now in schedule():
            clock[0] = now
            while pending and pending[0].created <= now:
                post = pending.pop(0)
                if post.platform == "bluesky":
                    bluesky.add_post(post.text, post.created, author=post.author)
                    continue
                thing = reddit.submission(
                    post.title,
                    post.text,
                    subreddit=post.subreddit,
                    author=post.author,
                    created_utc=post.created.timestamp(),
                )
                for n, body in enumerate(post.comments):
                    reddit.comment(thing, body, author=f"{post.author}_{n}")
            top10.put(netflix.COUNTRIES, published(now))
            result = run_once(store, config, creds, charts_every=timedelta(0))
            assert result.ok, result.summary()
            for row in store.query("select key from alerts"):
                raised.setdefault(row["key"], now)
        rows = {r["key"]: r for r in store.query("select * from alerts")}

    def day(n: int) -> str:
        return (scenario.START + timedelta(days=n)).isoformat()

    spike = f"Backtrace|spike|{day(scenario.BUZZ_DAY)}"
    entry_week = min(scenario.US_RANKS)
    peak_week = min(scenario.US_RANKS, key=lambda w: (scenario.US_RANKS[w], w))
    exit_week = max(scenario.US_RANKS) + 1
    entered = f"Backtrace|entered|netflix|US|{day(7 * entry_week)}"
    peak = f"Backtrace|best|netflix|US|{day(7 * peak_week)}"
    left = f"Backtrace|left|netflix|US|{day(7 * exit_week)}"
    assert {spike, entered, peak, left} <= set(rows), sorted(rows)
    # each once: the table has one row per key, and no other spike and no second entry
    kinds = sorted(r["kind"] for r in rows.values() if r["kind"] != "mood")
    assert kinds == ["best", "best", "entered", "left", "spike"], sorted(rows)
    # in time: the spike while its day runs, a chart event the hour its week is published
    assert DAY0 + timedelta(days=scenario.BUZZ_DAY) < raised[spike]
    assert raised[spike] < DAY0 + timedelta(days=scenario.BUZZ_DAY + 1)
    for key, week in ((entered, entry_week), (peak, peak_week), (left, exit_week)):
        assert raised[key] == DAY0 + timedelta(days=7 * week + 6) + PUBLISHED, key
    assert not any(r["late"] for r in rows.values())
    assert "it entered" not in rows[entered]["message"]
    assert rows[entered]["message"] == (
        "Backtrace entered Netflix US at #9 in the week of Mon 20 May 2024."
    )
    assert rows[peak]["message"].startswith("Backtrace reached #4 on Netflix US, its best yet")

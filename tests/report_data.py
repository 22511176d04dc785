"""Known scenarios for the report, export and plot tests, written straight into a store."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from monitor.sentiment import DEFAULT_MODEL, label
from monitor.store import Store

START = date(2024, 1, 1)


def add_post(
    store: Store,
    n: int,
    day: date,
    compound: float | None,
    *,
    platform: str = "reddit",
    title: str = "Backtrace",
    text: str | None = None,
    hour: int = 12,
    **extra: Any,
) -> str:
    """One post about ``title`` on ``day``, labelled with ``compound`` (None: unlabelled)."""
    pid = f"{platform}:{n}"
    store.upsert_posts(
        [
            {
                "id": pid,
                "platform": platform,
                "native_id": str(n),
                "url": f"https://example.invalid/{platform}/{n}",
                "author": f"user{n}",
                "community": "movies" if platform == "reddit" else "",
                "text": text if text is not None else f"post {n} about {title}",
                "created_at": f"{day.isoformat()}T{hour:02d}:00:00Z",
                "score": n % 7,
                **extra,
            }
        ]
    )
    store.upsert_mentions([{"post_id": pid, "title": title, "relevance": 1.0, "terms": [title]}])
    if compound is not None:
        store.upsert_sentiments(
            [
                {
                    "post_id": pid,
                    "model": DEFAULT_MODEL,
                    "compound": compound,
                    "pos": max(compound, 0),
                    "neu": 0.5,
                    "neg": max(-compound, 0),
                    "label": label(compound),
                }
            ]
        )
    return pid


def add_chart(
    store: Store,
    ranks: dict[date, int],
    *,
    days: int = 7,
    title: str = "Backtrace",
    region: str = "US",
    chart: str = "netflix-weekly",
) -> None:
    """One chart entry per period start in ``ranks``; each period lasts ``days`` days."""
    store.upsert_chart_entries(
        [
            {
                "chart": chart,
                "region": region,
                "category": "Films",
                "period_start": start.isoformat(),
                "period_end": (start + timedelta(days=days - 1)).isoformat(),
                "rank": rank,
                "title": title,
                "chart_title": title,
                "weeks_on_chart": i + 1,
            }
            for i, (start, rank) in enumerate(sorted(ranks.items()))
        ]
    )


def add_gap(store: Store, source: str, start: str, end: str, *, status: str = "ok") -> None:
    run = store.start_poll_run(source, "Backtrace")
    store.finish_poll_run(
        run, status=status, cap_hit=int(status == "ok"), gap_start=start, gap_end=end
    )


def chart_run_scenario(store: Store) -> None:
    """Eight weeks: two quiet weeks, climbing #9 -> #6, two weeks at #4, falling to #8, gone.

    Posts per day: 2 before, 6 while climbing, 10 at best, 4 falling, 1 after; reddit and
    bluesky alternate. Sentiment: -0.5 before, +0.6 at best, 0 otherwise.
    """
    weeks = [START + timedelta(weeks=w) for w in range(8)]
    add_chart(store, {weeks[2]: 9, weeks[3]: 6, weeks[4]: 4, weeks[5]: 4, weeks[6]: 8})
    plan = [(2, -0.5), (2, -0.5), (6, 0.0), (6, 0.0), (10, 0.6), (10, 0.6), (4, 0.0), (1, 0.0)]
    n = 0
    for w, (per_day, compound) in enumerate(plan):
        for d in range(7):
            day = weeks[w] + timedelta(days=d)
            for _ in range(per_day):
                n += 1
                add_post(store, n, day, compound, platform=("reddit", "bluesky")[n % 2])

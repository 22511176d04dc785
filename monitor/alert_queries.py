"""Read queries behind the alerts and the overview page: chart periods and ranks, daily
posts and sentiment windows, the stored alerts and their deliveries."""

from __future__ import annotations

from .rows import Row
from .schema import (
    ALERT_DELIVERIES,
    ALERTS,
    CHART_ENTRIES,
    DAILY_MENTIONS,
    DAILY_SENTIMENT,
    MENTIONS,
    POSTS,
    SENTIMENTS,
)
from .store import Store


def chart_periods(store: Store) -> dict[tuple[str, str], list[Row]]:
    """Every period each (chart, region) holds, oldest first: a week a title is missing
    from is a week it was off that chart."""
    out: dict[tuple[str, str], list[Row]] = {}
    for r in store.query(
        f"select chart, region, period_start, max(period_end) as period_end "
        f"from {CHART_ENTRIES} group by chart, region, period_start "
        "order by chart, region, period_start"
    ):
        out.setdefault((r["chart"], r["region"]), []).append(r)
    return out


def daily_posts(store: Store, since: str) -> list[Row]:
    """Posts per title and day (every platform) from ``since`` on, off the daily totals."""
    return list(
        store.query(
            f"select title, day, sum(posts) as posts from {DAILY_MENTIONS} "
            "where day >= ? group by title, day order by title, day",
            [since],
        )
    )


def window_sentiment(store: Store, model: str, since: str, until: str) -> list[Row]:
    """Per title: labelled posts, sum and sum of squares of the compound score over
    ``[since, until]``, off the daily totals."""
    return list(
        store.query(
            f"select title, sum(scored) as scored, total(sum_compound) as sum_compound, "
            f"total(sum_squares) as sum_squares from {DAILY_SENTIMENT} "
            "where model = ? and day >= ? and day <= ? group by title",
            [model, since, until],
        )
    )


def latest_chart_ranks(store: Store) -> list[Row]:
    """Per tracked title and (chart, region): its newest period there, the rank it held
    then, and the newest period the chart itself holds (equal: still on the chart)."""
    return list(
        store.query(
            f"""
            with mine as (
              select title, chart, region, period_start, min(rank) as rank
              from {CHART_ENTRIES} where title is not null
              group by title, chart, region, period_start
            ), newest as (
              select title, chart, region, max(period_start) as period_start
              from mine group by title, chart, region
            )
            select m.title, m.chart, m.region, m.period_start, m.rank,
              (select max(l.period_start) from {CHART_ENTRIES} l
                 where l.chart = m.chart and l.region = m.region) as latest
            from mine m join newest n using (title, chart, region, period_start)
            order by m.title, m.rank
            """
        )
    )


def alerts(
    store: Store,
    *,
    title: str | None = None,
    since: str | None = None,
    pending: bool = False,
    limit: int | None = None,
) -> list[Row]:
    """Stored alerts, oldest moment first (newest first with ``limit``): of one title, from
    ``since`` on (an ISO date, by moment), only those not yet delivered with ``pending``."""
    order = "desc" if limit else "asc"
    return list(
        store.query(
            f"""
            select id, key, title, kind, moment, figures, message, late, raised_at, notified_at
            from {ALERTS}
            where (:title is null or title = :title) and moment >= :since
              and (not :pending or notified_at is null)
            order by moment {order}, id {order} limit :limit
            """,
            {
                "title": title,
                "since": since or "",
                "pending": int(pending),
                "limit": -1 if limit is None else limit,
            },
        )
    )


def latest_alerts(store: Store) -> dict[str, Row]:
    """Each title's latest alert (by moment)."""
    return {
        str(r["title"]): r
        for r in store.query(
            f"select a.title, a.kind, a.moment, a.message from {ALERTS} a "
            f"where a.id = (select b.id from {ALERTS} b where b.title = a.title "
            "order by b.moment desc, b.id desc limit 1)"
        )
    }


def delivery_status(store: Store) -> list[Row]:
    """Per channel: alerts delivered, alerts waiting after a failure, the last error."""
    return list(
        store.query(
            f"""
            select d.channel, sum(d.sent_at is not null) as sent,
              sum(d.sent_at is null) as failing, max(d.tried_at) as last_try,
              (select e.error from {ALERT_DELIVERIES} e where e.channel = d.channel
                 and e.sent_at is null order by e.tried_at desc limit 1) as error
            from {ALERT_DELIVERIES} d group by d.channel order by d.channel
            """
        )
    )


def extra_copies(store: Store, model: str, until: str) -> list[Row]:
    """Per title and day up to ``until``, what the copies after the first of their group
    (that day, on that platform) add to the daily totals: posts, labelled posts, sum and
    sum of squares of the score. The same rule as :func:`monitor.voices.counted_once`, for
    every title in one pass over the copies (their partial index)."""
    return list(
        store.query(
            f"""
            select c.title, c.day, count(*) as posts, count(s.compound) as scored,
              total(s.compound) as total, total(s.compound * s.compound) as squares
            from (
              select m.title, substr(p.created_at, 1, 10) as day, p.id,
                row_number() over (partition by m.title, substr(p.created_at, 1, 10),
                  p.platform, p.copy_group order by p.created_at, p.id) as n
              from {POSTS} p indexed by idx_{POSTS}_copies
              join {MENTIONS} m on m.post_id = p.id
              where p.copy_group is not null and p.created_at < :high
            ) c
            left join {SENTIMENTS} s on s.post_id = c.id and s.model = :model
            where c.n > 1
            group by c.title, c.day
            """,
            {"model": model, "high": until + "T99"},
        )
    )

"""Pure: a title's days and chart run -> the daily series with its rolling band, and the
phases (before, climbing, at best, falling, after) the report compares."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

from .report_types import ChartRun, DayTotal, Phase, RankStep
from .rows import Row

#: Days in the rolling sentiment window (trailing: the day and the six before it).
ROLLING_DAYS = 7
#: Fewer labelled posts than this in a window and the rolling mean is left out.
MIN_POSTS = 10
#: 95 % normal band: mean ± Z · sd / √n.
Z = 1.96


def chart_run(entries: Sequence[Row], region: str | None = None) -> ChartRun | None:
    """The title's run on the chart it spent most periods on, in ``region`` or in the region
    where it ranked best. Several categories in one period keep the best rank."""
    if not entries:
        return None
    if region is None:
        region = min(
            {e["region"] for e in entries},
            key=lambda g: (
                min(e["rank"] for e in entries if e["region"] == g),
                -sum(e["region"] == g for e in entries),
                g,
            ),
        )
    mine = [e for e in entries if e["region"] == region]
    if not mine:
        return None
    charts = sorted({e["chart"] for e in mine}, key=lambda c: -sum(e["chart"] == c for e in mine))
    mine = [e for e in mine if e["chart"] == charts[0]]
    best: dict[str, Row] = {}
    for e in mine:
        if e["period_start"] not in best or e["rank"] < best[e["period_start"]]["rank"]:
            best[e["period_start"]] = e
    steps = []
    for e in sorted(best.values(), key=lambda e: e["period_start"]):
        first = date.fromisoformat(e["period_start"])
        last = date.fromisoformat(e["period_end"]) if e["period_end"] else first
        steps.append(RankStep(first, last, int(e["rank"])))
    daily = all(s.start == s.end for s in steps)
    return ChartRun(chart=charts[0], region=region, daily=daily, steps=tuple(steps))


def daily_totals(
    grouped: Sequence[Row], start: date, end: date, chart: ChartRun | None
) -> tuple[DayTotal, ...]:
    """Every day of ``[start, end]`` over all platforms, with the trailing rolling mean."""
    by_day: dict[str, list[float]] = {}
    for r in grouped:
        acc = by_day.setdefault(r["day"], [0, 0, 0.0, 0.0, 0, 0])
        acc[0] += r["posts"]
        acc[1] += r["scored"]
        acc[2] += r["sum_compound"]
        acc[3] += r["sum_squares"]
        acc[4] += int(r["texts"] if "texts" in r else r["posts"])
        acc[5] += int(r.get("authors") or 0)
    span = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    sums = [by_day.get(d.isoformat(), [0, 0, 0.0, 0.0, 0, 0]) for d in span]
    out = []
    for i, d in enumerate(span):
        posts, scored, total, _, texts, authors = sums[i]
        window = sums[max(0, i - ROLLING_DAYS + 1) : i + 1]
        n = sum(w[1] for w in window)
        rolling = low = high = None
        if n >= MIN_POSTS:
            s, sq = sum(w[2] for w in window), sum(w[3] for w in window)
            rolling = s / n
            sd = math.sqrt(max(0.0, (sq - n * rolling * rolling) / (n - 1)))
            half = Z * sd / math.sqrt(n)
            low, high = rolling - half, rolling + half
        out.append(
            DayTotal(
                day=d,
                posts=int(posts),
                scored=int(scored),
                mean_sentiment=total / scored if scored else None,
                rolling=rolling,
                low=low,
                high=high,
                rank=chart.rank_on(d) if chart else None,
                texts=int(texts),
                authors=int(authors),
            )
        )
    return tuple(out)


def phases_of(
    days: Sequence[DayTotal],
    chart: ChartRun | None,
    start: date,
    end: date,
    grouped: Sequence[Row],
) -> list[Phase]:
    """Before, climbing, at best, falling, after: each clipped to ``[start, end]``.

    Without a chart run the whole window is one phase, "all days"."""
    one = timedelta(days=1)
    if chart is None:
        bounds = [("all days", start, end)]
    else:
        bounds = [
            ("before", date.min, chart.entry.start - one),
            ("climbing", chart.entry.start, chart.peak.start - one),
            ("at best", chart.peak.start, chart.best_until),
            ("falling", chart.best_until + one, chart.exit.end),
            ("after", chart.exit.end + one, date.max),
        ]
    labels: dict[str, tuple[float, float]] = {}
    for r in grouped:
        pos, neg = labels.get(r["day"], (0.0, 0.0))
        labels[r["day"]] = (pos + r["positive"], neg + r["negative"])
    phases = []
    for name, first, last in bounds:
        first, last = max(first, start), min(last, end)
        inside = [d for d in days if first <= d.day <= last]
        posts = sum(d.posts for d in inside)
        scored = sum(d.scored for d in inside)
        total = sum(d.mean_sentiment * d.scored for d in inside if d.mean_sentiment is not None)
        pos = sum(labels.get(d.day.isoformat(), (0, 0))[0] for d in inside)
        neg = sum(labels.get(d.day.isoformat(), (0, 0))[1] for d in inside)
        phases.append(
            Phase(
                name=name,
                start=first,
                end=last,
                days=max(0, (last - first).days + 1),
                posts=posts,
                mean_sentiment=total / scored if scored else None,
                share_positive=pos / scored if scored else None,
                share_negative=neg / scored if scored else None,
                texts=sum(d.texts for d in inside),
            )
        )
    return phases

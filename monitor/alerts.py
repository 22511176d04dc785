"""Events worth telling someone about, found in the stored data after each ``monitor run``.

Five kinds, each judged in data time (the chart's weeks, the posts' days), so that a
backfilled or replayed history raises its events too:

- ``entered``, ``best``, ``left``: a title entered a chart (in a region), reached a rank
  better than any it held there before, or was no longer listed in a week the chart has;
- ``spike``: a day's distinct texts (a group of copies once, see :mod:`monitor.voices`)
  far above the previous 14 days (median and MAD, with a floor for small counts and a
  minimum count, so 1 → 3 posts is not a spike);
- ``mood``: the 7-day mean sentiment moved: a week's 95 % band clear of the previous
  week's, by at least :data:`MIN_SHIFT`.

Each event has a key (title, kind, where, moment): the ``alerts`` table keeps one row per
key, so an event is raised once however many runs see it (:mod:`monitor.alert_store`).
The detectors are pure functions over plain series; :func:`detect` reads the series.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from . import alert_queries, queries
from .config import Title
from .rows import Row
from .store import Store

#: Days of trailing baseline a spike is judged against, and how many must be known.
BASELINE_DAYS = 14
MIN_HISTORY = 7
#: A spike needs at least this many posts, and this many robust deviations above the median.
MIN_POSTS = 10
SPIKE_DEVIATIONS = 5.0
#: MAD to a normal standard deviation.
MAD_SCALE = 1.4826
#: Sentiment windows: days each, labelled posts each needs, the smallest shift worth a word.
MOOD_DAYS = 7
MIN_SCORED = 20
MIN_SHIFT = 0.15
Z = 1.96
#: A chart week is published a few days after it ends: an event of it is late only after.
CHART_DELAY = timedelta(days=3)


@dataclass(frozen=True)
class Event:
    """One event: ``moment`` is when it happened in data time (an ISO date), ``seen`` when
    a run could first have seen it (for "late")."""

    title: str
    kind: str
    moment: str
    key: str
    message: str
    seen: datetime
    figures: dict[str, Any] = field(default_factory=dict)


def _day_name(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, UTC)


# --- charts ---------------------------------------------------------------------------------


def chart_label(chart: str, region: str) -> str:
    """``netflix``, ``US`` -> ``Netflix US``."""
    return f"{chart.replace('-', ' ').title()} {region}"


def chart_events(
    title: str,
    entries: Sequence[Row],
    periods: Mapping[tuple[str, str], Sequence[Row]],
    today: date | None = None,
) -> list[Event]:
    """Entries, new best ranks and exits of ``title`` on each chart and region (in the
    periods that started by ``today``).

    ``entries`` are the title's chart rows; ``periods`` every period each (chart, region)
    holds (``period_start``, ``period_end``), whoever ranked: a week the chart has and the
    title is missing from is a week off the chart."""
    mine: dict[tuple[str, str], dict[str, int]] = {}
    for e in entries:
        ranks = mine.setdefault((e["chart"], e["region"]), {})
        start = str(e["period_start"])
        ranks[start] = min(int(e["rank"]), ranks.get(start, 10**6))
    out: list[Event] = []
    for (chart, region), ranks in sorted(mine.items()):
        where = chart_label(chart, region)
        on, best, weeks, previous = False, 0, 0, 0
        for period in periods.get((chart, region), ()):
            start = str(period["period_start"])
            if today is not None and start > today.isoformat():
                break
            first = date.fromisoformat(start)
            end = date.fromisoformat(str(period["period_end"] or start))
            seen = _end_of(end) + CHART_DELAY
            base = {"chart": chart, "region": region, "period_start": start}
            rank = ranks.get(start)
            if rank is None:
                if on:
                    out.append(
                        Event(
                            title,
                            "left",
                            start,
                            f"{title}|left|{chart}|{region}|{start}",
                            f"{title} left {where} in the week of {_day_name(first)}, after "
                            f"{weeks} week{'s' * (weeks != 1)} (best #{best}).",
                            seen,
                            {**base, "weeks": weeks, "best": best},
                        )
                    )
                on = False
                continue
            if not on:
                text = f"{title} entered {where} at #{rank} in the week of {_day_name(first)}"
                if best:
                    text += f" (back on; best before #{best})"
                out.append(
                    Event(
                        title,
                        "entered",
                        start,
                        f"{title}|entered|{chart}|{region}|{start}",
                        text + ".",
                        seen,
                        {**base, "rank": rank},
                    )
                )
                on, weeks = True, 0
            elif rank < best:
                out.append(
                    Event(
                        title,
                        "best",
                        start,
                        f"{title}|best|{chart}|{region}|{start}",
                        f"{title} reached #{rank} on {where}, its best yet (was #{previous}), "
                        f"in the week of {_day_name(first)}.",
                        seen,
                        {**base, "rank": rank, "before": best},
                    )
                )
            weeks += 1
            best = min(best, rank) if best else rank
            previous = rank
    return out


# --- talk -----------------------------------------------------------------------------------


def _median_mad(values: Sequence[int]) -> tuple[float, float]:
    med = statistics.median(values)
    return med, statistics.median(abs(v - med) for v in values)


def spike_threshold(baseline: Sequence[int]) -> tuple[float, float]:
    """The usual day (median) and the count a day must reach to be a spike: the median
    plus :data:`SPIKE_DEVIATIONS` robust deviations, the deviation never below a Poisson
    count's (√median) nor 1, and never below :data:`MIN_POSTS`."""
    med, mad = _median_mad(baseline)
    spread = max(MAD_SCALE * mad, math.sqrt(med), 1.0)
    return med, max(float(MIN_POSTS), med + SPIKE_DEVIATIONS * spread)


def spikes(
    title: str,
    counts: Mapping[date, int],
    last: date,
    totals: Mapping[date, int] | None = None,
) -> list[Event]:
    """Days whose posts spike above the previous :data:`BASELINE_DAYS` days, up to
    ``last`` (a day in progress counts what it has so far).

    ``counts`` are posts per day (a missing day had none) since the title's first day:
    :func:`detect` gives distinct texts, a group of copies once a day, and ``totals``
    every post, for the sentence;
    a spike needs :data:`MIN_HISTORY` days of history, and only its first day is raised
    (a day after a spike day that is still high is the same spike)."""
    if not counts:
        return []
    first = min(counts)
    series = [counts.get(first + timedelta(days=i), 0) for i in range((last - first).days + 1)]
    out: list[Event] = []
    was = False
    for i in range(MIN_HISTORY, len(series)):
        posts = series[i]
        usual, needed = spike_threshold(series[max(0, i - BASELINE_DAYS) : i])
        now = posts >= needed
        if now and not was:
            day = first + timedelta(days=i)
            ratio = posts / usual if usual else None
            how = f"{ratio:.0f}× the usual {usual:g}" if ratio else "where none is usual"
            every = (totals or {}).get(day, posts)
            said = (
                f"{posts} posts"
                if every == posts
                else f"{posts} distinct posts ({every} with copies)"
            )
            out.append(
                Event(
                    title,
                    "spike",
                    day.isoformat(),
                    f"{title}|spike|{day.isoformat()}",
                    f"{title}: {said} on {_day_name(day)}, {how} a day.",
                    _end_of(day),
                    {"posts": posts, "with_copies": every, "usual": usual, "threshold": needed},
                )
            )
        was = now
    return out


# --- mood -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """A window's mean sentiment with its 95 % band."""

    n: int
    mean: float
    low: float
    high: float


def band(sums: Iterable[tuple[int, float, float]]) -> Band | None:
    """(labelled posts, sum, sum of squares) per day -> the window's band, or None when it
    has fewer than :data:`MIN_SCORED` labelled posts."""
    n = total = squares = 0.0
    for k, s, sq in sums:
        n, total, squares = n + k, total + s, squares + sq
    return _band(n, total, squares)


def _band(n: float, total: float, squares: float) -> Band | None:
    if n < MIN_SCORED:
        return None
    mean = total / n
    sd = math.sqrt(max(0.0, (squares - n * mean * mean) / (n - 1)))
    half = Z * sd / math.sqrt(n)
    return Band(int(n), mean, mean - half, mean + half)


def mood_shifts(
    title: str, labels: Mapping[date, tuple[int, float, float]], last: date
) -> list[Event]:
    """Weeks (Monday to Sunday, as the charts count them) up to ``last`` whose band is
    clear of the previous week's band by :data:`MIN_SHIFT` or more; raised on the Sunday,
    once per turn (a shift the same way within 14 days of the last one is the same turn).

    Judging whole weeks rather than every day's trailing week keeps chance out: noise
    clears the bands on some day of a year far more often than in some week of it."""
    if not labels:
        return []
    first = min(labels)
    # running sums: a window's totals are a difference of two of them
    sums = [(0.0, 0.0, 0.0)]
    for i in range((last - first).days + 1):
        k, t, sq = labels.get(first + timedelta(days=i), (0, 0.0, 0.0))
        n0, t0, sq0 = sums[-1]
        sums.append((n0 + k, t0 + t, sq0 + sq))

    def window(a: int, b: int) -> Band | None:  # days [a, b)
        return _band(*(y - x for x, y in zip(sums[a], sums[b], strict=True)))

    out: list[Event] = []
    raised: dict[int, date] = {}
    for i in range(2 * MOOD_DAYS - 1, len(sums) - 1):
        day = first + timedelta(days=i)
        if day.weekday() != 6:
            continue
        now = window(i + 1 - MOOD_DAYS, i + 1)
        before = window(i + 1 - 2 * MOOD_DAYS, i + 1 - MOOD_DAYS)
        if now and before and (now.low > before.high or now.high < before.low):
            sign = 1 if now.mean > before.mean else -1
            recent = raised.get(sign)
            if abs(now.mean - before.mean) >= MIN_SHIFT and (
                recent is None or (day - recent).days >= 2 * MOOD_DAYS
            ):
                raised[sign] = day
                word = "warmer" if sign > 0 else "colder"
                out.append(
                    Event(
                        title,
                        "mood",
                        day.isoformat(),
                        f"{title}|mood|{day.isoformat()}",
                        f"{title}: the mood turned {word}, mean sentiment {now.mean:+.2f} "
                        f"(95% band {now.low:+.2f} to {now.high:+.2f}) in the week to "
                        f"{_day_name(day)}, against {before.mean:+.2f} the week before.",
                        _end_of(day),
                        {
                            "mean": round(now.mean, 4),
                            "low": round(now.low, 4),
                            "high": round(now.high, 4),
                            "n": now.n,
                            "before": round(before.mean, 4),
                            "before_low": round(before.low, 4),
                            "before_high": round(before.high, 4),
                            "before_n": before.n,
                        },
                    )
                )
    return out


# --- reading the series ---------------------------------------------------------------------


def detect(store: Store, titles: Sequence[Title], now: datetime, model: str) -> list[Event]:
    """Every event the stored data holds for ``titles``, as of ``now`` (days after it are
    not judged; the sentiment only on days that are over). Talk and mood take each group
    of copies once a day."""
    today = now.astimezone(UTC).date()
    periods = alert_queries.chart_periods(store)
    # copies after the first of their group that day are taken back (monitor.voices)
    extra: dict[tuple[str, str], Row] = {
        (r["title"], r["day"]): r
        for r in alert_queries.extra_copies(store, model, today.isoformat())
    }
    none = {"posts": 0, "scored": 0, "total": 0.0, "squares": 0.0}
    out: list[Event] = []
    for title in titles:
        out += chart_events(title.name, queries.chart_rows(store, title.name), periods, today)
        counts: dict[date, int] = {}
        totals: dict[date, int] = {}
        labels: dict[date, tuple[int, float, float]] = {}
        for r in queries.daily_counts(store, title.name, model, until=today.isoformat()):
            day = date.fromisoformat(r["day"])
            if day not in totals:  # the first platform's row of the day: copies go once
                x = extra.get((title.name, r["day"]), none)
                totals[day], counts[day] = 0, -int(x["posts"])
                labels[day] = (-int(x["scored"]), -x["total"], -x["squares"])
            totals[day] += int(r["posts"])
            counts[day] += int(r["posts"])
            k, s, sq = labels[day]
            labels[day] = (k + int(r["scored"]), s + r["sum_compound"], sq + r["sum_squares"])
        out += spikes(title.name, counts, today, totals)
        out += mood_shifts(title.name, labels, today - timedelta(days=1))
    return out

"""Pure aggregation: what the report shows, as dataclasses built from the store.

:func:`build_report` reads one title's daily totals (kept by triggers, see
:mod:`monitor.schema`), its chart run, its collection gaps and the extreme posts of each
phase, and derives the rolling sentiment, the phases table and the lead/lag between talk
and rank. Drawing lives in :mod:`monitor.plot`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from . import leadlag, queries, themes, voices
from .bounds import EARLIEST, believable, latest
from .config import Title
from .errors import ConfigError, MonitorError, NothingStored
from .leadlag import LeadLag
from .rows import Row
from .sentiment import DEFAULT_MODEL
from .store import Store

#: Days in the rolling sentiment window (trailing: the day and the six before it).
ROLLING_DAYS = 7
#: Fewer labelled posts than this in a window and the rolling mean is left out.
MIN_POSTS = 10
#: 95 % normal band: mean ± Z · sd / √n.
Z = 1.96
#: A chart lists this many titles; off the chart counts as one place below the last.
CHART_SIZE = 10
#: How many of the most positive and negative posts to show per phase.
TOP_POSTS = 3


@dataclass(frozen=True)
class DayRow:
    """One day on one platform: the series the figure draws and ``export daily`` writes."""

    day: date
    platform: str
    posts: int
    scored: int
    mean_sentiment: float | None
    positive: int
    negative: int
    rank: int | None
    texts: int = 0  # distinct texts: each group of copies once
    authors: int = 0  # unique authors


@dataclass(frozen=True)
class DayTotal:
    """One day over every platform, with the rolling mean and its 95 % band."""

    day: date
    posts: int
    scored: int
    mean_sentiment: float | None
    rolling: float | None
    low: float | None
    high: float | None
    rank: int | None
    texts: int = 0
    authors: int = 0


@dataclass(frozen=True)
class RankStep:
    """One chart period: the rank held from ``start`` to ``end`` (inclusive)."""

    start: date
    end: date
    rank: int


@dataclass(frozen=True)
class ChartRun:
    """The title's run on one chart in one region."""

    chart: str
    region: str
    daily: bool
    steps: tuple[RankStep, ...]

    @property
    def entry(self) -> RankStep:
        return self.steps[0]

    @property
    def peak(self) -> RankStep:
        """The first period at the best rank."""
        return min(self.steps, key=lambda s: (s.rank, s.start))

    @property
    def exit(self) -> RankStep:
        """The last period on the chart."""
        return self.steps[-1]

    @property
    def best_until(self) -> date:
        """The end of the last period at the best rank."""
        return max(s.end for s in self.steps if s.rank == self.peak.rank)

    def rank_on(self, day: date) -> int | None:
        for step in self.steps:
            if step.start <= day <= step.end:
                return step.rank
        return None


@dataclass(frozen=True)
class PostRef:
    """A post worth quoting: the text is a stranger's, escape it before showing it."""

    id: str
    platform: str
    url: str | None
    author: str | None
    created_at: str
    text: str
    score: float


@dataclass(frozen=True)
class Phase:
    """One stretch of the chart run, with what people said during it."""

    name: str
    start: date
    end: date
    days: int
    posts: int
    mean_sentiment: float | None
    share_positive: float | None
    share_negative: float | None
    most_positive: tuple[PostRef, ...] = ()
    most_negative: tuple[PostRef, ...] = ()
    texts: int = 0  # distinct texts, a group of copies once a day
    themes: tuple[themes.Theme, ...] = ()

    @property
    def posts_per_day(self) -> float | None:
        return self.posts / self.days if self.days else None


@dataclass(frozen=True)
class Gap:
    """A stretch the collection could not see fully (see :func:`monitor.store.open_gaps`):
    a failed poll no later run made up for, a result cap, an interrupted run."""

    source: str
    start: datetime
    end: datetime
    reason: str


@dataclass(frozen=True)
class Report:
    title: Title
    start: date
    end: date
    platform: str | None
    rows: tuple[DayRow, ...]
    days: tuple[DayTotal, ...]
    chart: ChartRun | None
    phases: tuple[Phase, ...]
    lead_lag: LeadLag
    gaps: tuple[Gap, ...]
    platforms: tuple[str, ...] = ()
    model: str = ""  # the sentiment model whose labels the report reads
    floods: tuple[voices.Flood, ...] = ()  # authors posting copies many times, fast
    #: with --since/--until: the window's themes against the title's other posts
    window_themes: tuple[themes.Theme, ...] = ()

    @property
    def posts(self) -> int:
        return sum(d.posts for d in self.days)

    @property
    def texts(self) -> int:
        """Distinct texts: each group of copies once a day."""
        return sum(d.texts for d in self.days)


@dataclass(frozen=True)
class ShareOfVoice:
    """Several titles on one span of days: posts per day and each title's share of them."""

    days: tuple[date, ...]
    posts: tuple[tuple[int, ...], ...]  # per title, per day
    shares: tuple[tuple[float, ...], ...]  # per title, per day; 0 on a day without posts


def share_of_voice(reports: Sequence[Report]) -> ShareOfVoice:
    """The posts per day of each report over the span they cover together, and the shares."""
    start = min(r.start for r in reports)
    end = max(r.end for r in reports)
    span = tuple(start + timedelta(days=i) for i in range((end - start).days + 1))
    posts = []
    for r in reports:
        per_day = {d.day: d.posts for d in r.days}
        posts.append(tuple(per_day.get(day, 0) for day in span))
    totals = [sum(p[i] for p in posts) for i in range(len(span))]
    shares = tuple(
        tuple(p[i] / totals[i] if totals[i] else 0.0 for i in range(len(span))) for p in posts
    )
    return ShareOfVoice(span, tuple(posts), shares)


def check_window(since: date | None, until: date | None) -> None:
    """Refuse a window that ends before it starts."""
    if since and until and since > until:
        raise ConfigError(
            f"the window starts on {since}, after its last day {until}", param="since"
        )


def label_model(store: Store) -> str:
    """The sentiment model the report reads: the default one, or, in a database that the
    default never labelled (written by an older monitor), the model that labelled most."""
    models = queries.sentiment_models(store)
    if DEFAULT_MODEL in models or not models:
        return DEFAULT_MODEL
    return queries.sentiment_models(store, by_use=True)[0]


# --- building -------------------------------------------------------------------------


def _day_in_range(text: str | None) -> bool:
    try:
        return text is not None and believable(date.fromisoformat(text[:10]))
    except ValueError:
        return False


def _believable(rows: Iterable[Row]) -> list[Row]:
    """The daily rows whose day is in the range the report draws (see :mod:`monitor.bounds`)."""
    return [r for r in rows if _day_in_range(r["day"])]


def build_report(
    store: Store,
    title: Title,
    *,
    since: date | None = None,
    until: date | None = None,
    platform: str | None = None,
    region: str | None = None,
    model: str | None = None,
    quotes: bool = True,
) -> Report:
    """Everything the report shows for ``title``; a MonitorError when there is nothing.

    ``model`` is the sentiment model to read (default: :func:`label_model`);
    ``quotes=False`` leaves out the most positive and negative posts of each phase, the
    themes and the flagged authors."""
    check_window(since, until)
    model = model or label_model(store)
    low, high = (since.isoformat() if since else None), (until.isoformat() if until else None)
    daily = queries.daily_counts(store, title.name, model, since=low, until=high, platform=platform)
    grouped = voices.counted_once(
        store,
        title.name,
        model,
        _believable(daily),
        since=low,
        until=high,
        platform=platform,
    )
    entries = [  # a date from another century (stored before it was refused) is left out
        e
        for e in queries.chart_rows(store, title.name)
        if _day_in_range(e["period_start"]) and _day_in_range(e["period_end"])
    ]
    chart = chart_run(entries, region)
    if chart is None and entries and region is not None:
        regions = ", ".join(sorted({e["region"] for e in entries}))
        raise MonitorError(
            f"{title.name!r} has no chart entries in region {region!r}",
            hint=f"one of: {regions}",
            param="region",
        )
    chart_in_window = chart is not None and not (
        (since and chart.exit.end < since) or (until and chart.entry.start > until)
    )
    if not grouped and not chart_in_window:
        raise NothingStored(
            f"nothing stored for {title.name!r} in that window: no posts and no chart entries",
            hint="run `monitor poll` and `monitor charts update` first, or widen the window",
        )
    known = [date.fromisoformat(r["day"]) for r in grouped]
    if chart is not None and chart_in_window:
        known += [chart.entry.start, chart.exit.end]
    start = max(since or min(known), EARLIEST)
    end = min(until or max(max(known), start), latest())
    if start > end:
        raise MonitorError(
            f"the window {start} to {end} is outside the dates monitor draws "
            f"({EARLIEST} to {latest()})",
            hint="pass --since and --until within that range",
        )
    rows = tuple(
        DayRow(
            day=date.fromisoformat(r["day"]),
            platform=r["platform"],
            posts=r["posts"],
            scored=r["scored"],
            mean_sentiment=r["sum_compound"] / r["scored"] if r["scored"] else None,
            positive=int(r["positive"]),
            negative=int(r["negative"]),
            rank=chart.rank_on(date.fromisoformat(r["day"])) if chart else None,
            texts=r["texts"],
            authors=r["authors"],
        )
        for r in grouped
    )
    days = daily_totals(grouped, start, end, chart)
    gaps = tuple(
        g
        for g in (
            _gap(r, start) for r in queries.open_gaps(store) if r["title"] in (title.name, "", "*")
        )
        if _overlaps(g, start, end)
    )
    phases = tuple(
        _with_posts(store, p, title.name, model, platform, grouped) if quotes else p
        for p in phases_of(days, chart, start, end, grouped)
    )
    window_themes: tuple[themes.Theme, ...] = ()
    floods: tuple[voices.Flood, ...] = ()
    if quotes:
        phases, window_themes = _with_themes(store, title, phases, platform, since, until)
        floods = tuple(voices.floods(store, title.name, since=low, until=high, platform=platform))
    return Report(
        title=title,
        start=start,
        end=end,
        platform=platform,
        rows=rows,
        days=days,
        chart=chart,
        phases=phases,
        lead_lag=lead_lag(days, chart),
        gaps=gaps,
        platforms=tuple(sorted({r.platform for r in rows})),
        model=model,
        floods=floods,
        window_themes=window_themes,
    )


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


def _with_posts(
    store: Store,
    phase: Phase,
    title: str,
    model: str,
    platform: str | None,
    grouped: Sequence[Row],
) -> Phase:
    """The phase with its most positive and most negative posts."""
    if not phase.posts:
        return phase
    first, last = phase.start.isoformat(), phase.end.isoformat()
    inside = [r for r in grouped if first <= r["day"] <= last and r["scored"]]

    def refs(most: str) -> tuple[PostRef, ...]:
        # the daily extremes bound the phase's top posts: start the index walk there
        key, sign = ("highest", -1) if most == "positive" else ("lowest", 1)
        extremes = sorted(sign * r[key] for r in inside)
        bound = sign * extremes[TOP_POSTS - 1] if len(extremes) >= TOP_POSTS else sign * 1.0

        def top(bound: float) -> list[Row]:
            return queries.extreme_posts(
                store,
                title,
                model,
                first,
                last,
                most=most,
                bound=bound,
                limit=TOP_POSTS * 4,
                platform=platform,
            )

        rows = _once(top(bound))
        if len(rows) < TOP_POSTS and bound != sign * 1.0:  # deleted posts fell out: widen
            rows = _once(top(sign * 1.0))
        return tuple(
            PostRef(
                id=r["id"],
                platform=r["platform"],
                url=r["url"],
                author=r["author"],
                created_at=r["created_at"],
                text=r["text"] or "",
                score=float(r["compound"]),
            )
            for r in rows
        )

    return replace(phase, most_positive=refs("positive"), most_negative=refs("negative"))


def _once(rows: list[Row]) -> list[Row]:
    """The first post of each group of copies, at most :data:`TOP_POSTS`."""
    seen: set[str] = set()
    out: list[Row] = []
    for r in rows:
        if r["copy_group"] not in seen and len(out) < TOP_POSTS:
            seen.add(r["copy_group"])
            out.append(r)
    return out


def _with_themes(
    store: Store,
    title: Title,
    phases: tuple[Phase, ...],
    platform: str | None,
    since: date | None,
    until: date | None,
) -> tuple[tuple[Phase, ...], tuple[themes.Theme, ...]]:
    """Each phase with its themes against the other phases; with ``since`` or ``until``,
    the window's themes against the title's posts outside it."""
    docs = [
        voices.theme_docs(store, title.name, p.start, p.end, platform=platform, posts=p.posts)
        if p.posts
        else []
        for p in phases
    ]
    found = themes.distinctive(docs, title.names) if len(phases) > 1 else [[] for _ in phases]
    phases = tuple(replace(p, themes=tuple(t)) for p, t in zip(phases, found, strict=True))
    if not (since or until):
        return phases, ()
    outside = []
    if since:
        outside += voices.theme_docs(
            store, title.name, date(1970, 1, 1), since - timedelta(days=1), platform=platform
        )
    if until and until < date(9999, 12, 30):  # a window to the end of time has no after
        outside += voices.theme_docs(
            store, title.name, until + timedelta(days=1), date(9999, 12, 30), platform=platform
        )
    if not outside:
        return phases, ()
    inside = [d for group in docs for d in group]
    return phases, tuple(themes.distinctive([inside, outside], title.names)[0])


def lead_lag(days: Sequence[DayTotal], chart: ChartRun | None) -> LeadLag:
    """Daily mentions against chart strength (#1 strongest, off the chart weakest)."""
    if chart is None:
        return leadlag.unsure(len(days), "the title has no chart entries")
    return leadlag.cross_correlate(
        [float(d.posts) for d in days],
        [float(CHART_SIZE + 1 - d.rank) if d.rank else 0.0 for d in days],
    )


# --- gaps -----------------------------------------------------------------------------


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _gap(row: Row, since: date) -> Gap:
    """A gap row as a :class:`Gap`; one open towards the past starts at ``since``."""
    end = _moment(row["gap_end"])
    start = _moment(row["gap_start"] or f"{since.isoformat()}T00:00:00Z")
    if row["status"] == "failed":
        why = "poll failed"
    elif row["status"] == "running":
        why = "poll interrupted or running"
    elif row["cap_hit"]:
        why = "result cap hit"
    else:
        why = "not everything reached"
    return Gap(row["source"], min(start, end), max(start, end), f"{row['source']}: {why}")


def _overlaps(gap: Gap, start: date, end: date) -> bool:
    return gap.start.date() <= end and gap.end.date() >= start

"""What the report shows for a title, built from the store: :func:`build_report`.

It reads one title's daily totals (kept by triggers, see :mod:`monitor.schema`), its chart
run, its collection gaps and the extreme posts and themes of each phase, and derives the
series and phases (:mod:`monitor.phases`) and the lead/lag between talk and rank. The
dataclasses live in :mod:`monitor.report_types`; drawing in :mod:`monitor.plot`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from . import leadlag, queries, themes, voices
from .bounds import EARLIEST, believable, latest
from .config import Title
from .errors import ConfigError, MonitorError, NothingStored
from .leadlag import LeadLag
from .phases import MIN_POSTS, ROLLING_DAYS, chart_run, daily_totals, phases_of
from .report_types import (
    ChartRun,
    DayRow,
    DayTotal,
    Gap,
    Phase,
    PostRef,
    RankStep,
    Report,
    ShareOfVoice,
)
from .rows import Row
from .sentiment import DEFAULT_MODEL
from .store import Store

__all__ = [
    "MIN_POSTS",
    "ROLLING_DAYS",
    "ChartRun",
    "DayRow",
    "DayTotal",
    "Gap",
    "Phase",
    "PostRef",
    "RankStep",
    "Report",
    "ShareOfVoice",
    "build_report",
    "chart_run",
    "check_window",
    "describe",
    "label_model",
    "share_of_voice",
]

#: A chart lists this many titles; off the chart counts as one place below the last.
CHART_SIZE = 10
#: How many of the most positive and negative posts to show per phase.
TOP_POSTS = 3


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
    elif row["error"]:  # a window not backfilled yet
        why = row["error"]
    else:
        why = "not everything reached"
    return Gap(row["source"], min(start, end), max(start, end), f"{row['source']}: {why}")


def _overlaps(gap: Gap, start: date, end: date) -> bool:
    return gap.start.date() <= end and gap.end.date() >= start


def describe(report: Report) -> str:
    """One line: the window, the posts (how many went unscored, how many distinct texts),
    the chart run."""
    text = f"{report.start} to {report.end}: {report.posts:,} posts"
    if report.platform:
        text += f" on {report.platform}"
    elif report.platforms:
        text += f" ({', '.join(report.platforms)})"
    if report.unscored:
        text += (
            f", {report.unscored:,} of them ({report.unscored / report.posts:.0%}) unscored: "
            "in a language the sentiment model does not read, or no text"
        )
    text += f"; {report.texts:,} distinct texts"
    chart = report.chart
    if chart is None:
        return text + "; no chart entries stored."
    return text + (
        f"; {chart.chart} {chart.region}: entered {chart.entry.start} at #{chart.entry.rank}, "
        f"peaked at #{chart.peak.rank} from {chart.peak.start}, left after {chart.exit.end}."
    )

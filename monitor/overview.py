"""The overview page, ``index.html``: one row per tracked title, what moved most first.

Each row: a posts-per-day sparkline (inline SVG), the current best rank and its chart, the
last 7 days' posts (against the 7 before) and mean sentiment with its 95 % band, the
latest alert, and a link to the title's page. Everything is read off the daily totals in
a handful of queries, whatever the number of titles; the page has no script and loads
nothing (the same Content-Security-Policy as the title pages), and is written atomically.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from pathlib import Path

from . import alert_queries
from .alerts import Band, band, chart_label
from .config import Title
from .errors import MonitorError
from .files import write_text
from .html import CSP, user
from .store import Store

#: Days the sparkline covers, ending on the newest day any title has posts.
SPARK_DAYS = 60
WEEK = 7
INDEX = "index.html"


@dataclass(frozen=True)
class TitleRow:
    """One title on the overview."""

    title: Title
    posts: tuple[int, ...]  # per day, the last SPARK_DAYS days
    mood: Band | None  # the last 7 days
    rank: int | None  # on the chart now (its newest period is the chart's newest)
    chart: str | None
    last_rank: int | None  # the newest rank it held, on or off the chart now
    alert: str | None  # the latest alert's sentence
    alert_moment: str | None
    week_start: str = ""  # the first day of the last 7

    @property
    def week(self) -> int:
        return sum(self.posts[-WEEK:])

    @property
    def week_before(self) -> int:
        return sum(self.posts[-2 * WEEK : -WEEK])

    @property
    def movement(self) -> float:
        """How much it moved: the change of the week's posts on a log scale, plus one for
        an alert in the last 7 days, plus one for being on a chart now."""
        change = abs(math.log2((self.week + 1) / (self.week_before + 1)))
        recent = self.alert_moment is not None and self.alert_moment >= self.week_start
        return change + recent + (self.rank is not None) * 0.5


@dataclass(frozen=True)
class Overview:
    end: date
    rows: tuple[TitleRow, ...]


def build(store: Store, titles: Sequence[Title], model: str, end: date | None = None) -> Overview:
    """The overview of ``titles`` up to ``end`` (default: the newest day with posts)."""
    if end is None:
        newest = next(store.query("select max(day) as day from daily_mentions"))["day"]
        end = date.fromisoformat(newest) if newest else date.today()
    first = end - timedelta(days=SPARK_DAYS - 1)
    span = {(first + timedelta(days=i)).isoformat(): i for i in range(SPARK_DAYS)}
    per_day: dict[str, list[int]] = {}
    for r in alert_queries.daily_posts(store, first.isoformat()):
        at = span.get(r["day"])
        if at is not None:
            per_day.setdefault(r["title"], [0] * SPARK_DAYS)[at] = int(r["posts"])
    week_start = (end - timedelta(days=WEEK - 1)).isoformat()
    moods = {
        r["title"]: band([(int(r["scored"] or 0), r["sum_compound"], r["sum_squares"])])
        for r in alert_queries.window_sentiment(store, model, week_start, end.isoformat())
    }
    charts: dict[str, tuple[int | None, str | None, int | None]] = {}
    for r in alert_queries.latest_chart_ranks(store):  # best rank first per title
        on = r["period_start"] == r["latest"]
        held = charts.get(r["title"])
        if held is None or (on and held[0] is None):
            where = chart_label(r["chart"], r["region"])
            charts[r["title"]] = (int(r["rank"]) if on else None, where, int(r["rank"]))
    alerts = alert_queries.latest_alerts(store)
    rows = []
    for t in titles:
        rank, chart, last = charts.get(t.name, (None, None, None))
        alert = alerts.get(t.name)
        rows.append(
            TitleRow(
                title=t,
                posts=tuple(per_day.get(t.name, [0] * SPARK_DAYS)),
                mood=moods.get(t.name),
                rank=rank,
                chart=chart,
                last_rank=last,
                alert=str(alert["message"]) if alert else None,
                alert_moment=str(alert["moment"]) if alert else None,
                week_start=week_start,
            )
        )
    rows.sort(key=lambda r: (-r.movement, -r.week, r.title.name.casefold()))
    return Overview(end, tuple(rows))


def sparkline(values: Sequence[int], width: int = 160, height: int = 28) -> str:
    """An inline SVG line of ``values`` (zero at the bottom), with the last point marked."""
    top = max(max(values, default=0), 1)
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}" for i, v in enumerate(values)
    )
    last_x, last_y = points.rsplit(" ", 1)[-1].split(",")
    label = (
        f"posts per day, last {len(values)} days: peak {top}, latest {values[-1] if values else 0}"
    )
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(label)}"><polyline fill="none" stroke="#2563eb" '
        f'stroke-width="1.5" points="{points}"/><circle cx="{last_x}" cy="{last_y}" r="2" '
        'fill="#2563eb"/></svg>'
    )


STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1280px;
       padding: 0 1em; color: #111827; }
h1 { font-size: 1.6em; margin-bottom: .2em; } .muted { color: #6b7280; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: .35em .6em; border-bottom: 1px solid #e5e7eb; text-align: left;
         vertical-align: middle; }
th { position: sticky; top: 0; background: #fff; }
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.alert { max-width: 34em; font-size: .9em; }
.up { color: #047857; } .down { color: #b91c1c; }
"""


def _mood(mood: Band | None) -> str:
    if mood is None:
        return '<span class="muted">too few posts</span>'
    return (
        f"{mood.mean:+.2f} "
        f'<span class="muted">({mood.low:+.2f} to {mood.high:+.2f}, n={mood.n:,})</span>'
    )


def _week(row: TitleRow) -> str:
    before, now = row.week_before, row.week
    arrow = ""
    if now != before:
        kind = "up" if now > before else "down"
        arrow = f' <span class="{kind}">{"▲" if now > before else "▼"}</span>'
    return f'{now:,}{arrow} <span class="muted">({before:,} the week before)</span>'


def _chart(row: TitleRow) -> str:
    if row.rank is not None and row.chart:
        return f"<b>#{row.rank}</b> {user(row.chart)}"
    if row.last_rank is not None and row.chart:
        return f'<span class="muted">off; was #{row.last_rank} {user(row.chart)}</span>'
    return '<span class="muted">–</span>'


def render(overview: Overview, pages: Collection[str] = ()) -> str:
    """The page; a title whose ``<slug>.html`` is in ``pages`` links to it."""
    rows = []
    for row in overview.rows:
        name = user(row.title.name)
        page = f"{row.title.slug}.html"
        link = f'<a href="{escape(page)}">{name}</a>' if page in pages else name
        alert = (
            f'<span class="muted">{escape(row.alert_moment or "")}</span> {user(row.alert)}'
            if row.alert
            else '<span class="muted">none</span>'
        )
        rows.append(
            f"<tr><td>{link}</td><td>{sparkline(row.posts)}</td><td>{_chart(row)}</td>"
            f'<td class="n">{_week(row)}</td><td class="n">{_mood(row.mood)}</td>'
            f'<td class="alert">{alert}</td></tr>'
        )
    count = len(overview.rows)
    start = overview.end - timedelta(days=SPARK_DAYS - 1)
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            "<title>All titles · monitor</title>",
            f"<style>{STYLE}</style></head><body>",
            f"<h1>All titles ({count})</h1>",
            f'<p class="muted">Up to {overview.end}; sparklines from {start}. What moved most '
            "first: the change in the week's posts, a recent alert, a place on a chart.</p>",
            "<table><thead><tr><th>title</th><th>posts per day</th><th>chart now</th>"
            "<th>posts, last 7 days</th><th>mean sentiment, 7 days (95% band)</th>"
            "<th>latest alert</th></tr></thead><tbody>",
            *rows,
            "</tbody></table>",
            '<p class="muted">Written by monitor.</p>',
            "</body></html>",
        ]
    )


def write(
    store: Store,
    titles: Sequence[Title],
    out_dir: Path,
    model: str,
    end: date | None = None,
    inputs: Iterable[Path] = (),
) -> Path:
    """Build and write ``out_dir/index.html`` whole or not at all (never over one of
    ``inputs``); return its path."""
    overview = build(store, titles, model, end)
    path = out_dir / INDEX
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        pages = {p.name for p in out_dir.glob("*.html")}
    except OSError as exc:
        raise MonitorError(
            f"{out_dir}: cannot write the overview ({exc.strerror})",
            hint="choose a folder you can write to",
            param="out",
        ) from None
    write_text(path, render(overview, pages), inputs)
    return path

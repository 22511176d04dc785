"""The report's figures, drawn with matplotlib's Agg backend (no display, no network).

:func:`draw` is one title: mentions per day stacked by platform, the chart rank on an
inverted second axis, the daily and rolling mean sentiment with its band, the entry, peak
and exit marked and collection gaps shaded. :func:`draw_compare` puts several titles side
by side. Both return the Figure; :func:`png` renders it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import matplotlib
import numpy as np

matplotlib.use("Agg")

import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .glyphs import NOTE, drawable, use_fallback_fonts
from .report import CHART_SIZE, Report, share_of_voice

use_fallback_fonts()

PLATFORM_COLOURS = {"reddit": "#ff6314", "bluesky": "#1185fe"}
OTHER_COLOURS = ("#6b7280", "#10b981", "#a855f7", "#eab308")
TITLE_COLOURS = ("#2563eb", "#dc2626", "#059669", "#9333ea", "#d97706", "#0891b2")
RANK_COLOUR = "#111827"
GAP_COLOUR = "#9ca3af"
SIZE = (12, 8)
DPI = 100


def _num(day: date) -> float:
    return float(mdates.date2num(day))  # type: ignore[no-untyped-call]


def _moment(moment: datetime) -> float:
    return float(mdates.date2num(moment.replace(tzinfo=None)))  # type: ignore[no-untyped-call]


def platform_colour(platform: str, index: int) -> str:
    return PLATFORM_COLOURS.get(platform, OTHER_COLOURS[index % len(OTHER_COLOURS)])


def draw(report: Report) -> Figure:
    """The main figure for one title."""
    fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    talk, mood = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    days = [_num(d.day) for d in report.days]

    edges = [*days, _num(report.end + timedelta(days=1))]
    bottom = [0.0] * len(days)
    index = {d.day: i for i, d in enumerate(report.days)}
    for n, platform in enumerate(report.platforms):
        heights = [0.0] * len(days)
        for row in report.rows:
            if row.platform == platform and row.day in index:
                heights[index[row.day]] = row.posts
        top = [b + h for b, h in zip(bottom, heights, strict=True)]
        talk.stairs(  # one filled step outline per platform: fast for a year of days
            top,
            edges,
            baseline=bottom,
            fill=True,
            color=platform_colour(platform, n),
            label=f"{platform} posts",
        )
        bottom = top
    lines = (  # distinct texts only when copies were counted once
        (
            [d.texts for d in report.days],
            any(d.texts != d.posts for d in report.days),
            "#111827",
            (0, (1, 1)),
            "distinct texts",
        ),
        (
            [d.authors for d in report.days],
            any(d.authors for d in report.days),
            "#6b7280",
            (0, (4, 2)),
            "unique authors",
        ),
    )
    for values, shown, colour, style, label in lines:
        if shown:
            talk.stairs(values, edges, color=colour, linewidth=1.2, linestyle=style, label=label)
    talk.set_ylim(0, max(bottom, default=0) * 1.08 or 1)
    talk.set_ylabel("posts per day")
    (name,) = _names(fig, [report])
    talk.set_title(_heading(report, name), loc="left", fontsize=12)

    scored = [(_num(d.day) + 0.5, d.mean_sentiment) for d in report.days if d.scored]
    if scored:
        mood.scatter(
            [x for x, _ in scored],
            [y for _, y in scored],
            s=8,
            color="#9ca3af",
            label="daily mean",
            zorder=2,
        )
    centre = [_num(d.day) + 0.5 for d in report.days]
    mood.plot(
        centre,
        [d.rolling if d.rolling is not None else float("nan") for d in report.days],
        color="#111827",
        linewidth=1.8,
        label="7-day mean (trailing)",
        zorder=3,
    )
    mood.fill_between(
        centre,
        [d.low if d.low is not None else float("nan") for d in report.days],
        [d.high if d.high is not None else float("nan") for d in report.days],
        color="#60a5fa",
        alpha=0.35,
        linewidth=0,
        label="95% band",
    )
    mood.axhline(0, color="#d1d5db", linewidth=0.8, zorder=1)
    mood.set_ylim(-1.05, 1.05)
    mood.set_ylabel(f"mean sentiment ({report.model or 'compound'})")

    for ax in (talk, mood):
        _shade_gaps(ax, report, label=ax is talk)
    ranks = None
    if report.chart is not None:
        ranks = _rank_axis(talk, report)
        _mark_run(talk, mood, report)
    _date_axis(mood, report)
    if report.title.released is not None:
        _release_axis(talk, report.title.released)
    _legend(talk, ranks)
    mood.legend(loc="lower left", fontsize=8, frameon=False, ncols=3)
    return fig


def draw_compare(reports: Sequence[Report]) -> Figure:
    """Several titles: mentions, share of voice and rolling sentiment, each with its rank."""
    fig = Figure(figsize=(SIZE[0], SIZE[1] * 1.25), dpi=DPI, layout="constrained")
    talk, share, mood = fig.subplots(3, 1, sharex=True, height_ratios=(3, 2, 2))
    voice = share_of_voice(reports)
    counts, span = voice.posts, voice.days
    xs = [_num(d) + 0.5 for d in span]
    ranks = talk.twinx()
    names = _names(fig, reports)
    for n, r in enumerate(reports):
        colour = TITLE_COLOURS[n % len(TITLE_COLOURS)]
        talk.plot(xs, counts[n], color=colour, linewidth=1.4, label=names[n])
        mood.plot(
            [_num(d.day) + 0.5 for d in r.days],
            [d.rolling if d.rolling is not None else float("nan") for d in r.days],
            color=colour,
            linewidth=1.6,
            label=names[n],
        )
        if r.chart is not None:
            _rank_steps(ranks, r, colour, f"{names[n]} rank ({drawable(r.chart.region)[0]})")
    share.stackplot(
        xs,
        voice.shares,
        colors=[TITLE_COLOURS[n % len(TITLE_COLOURS)] for n in range(len(reports))],
        labels=names,
        step="mid",
    )
    share.set_ylim(0, 1)
    share.set_ylabel("share of voice")
    _finish_rank_axis(ranks)
    talk.set_ylabel("posts per day")
    talk.set_title("Compared: " + ", ".join(names), loc="left", fontsize=12)
    mood.axhline(0, color="#d1d5db", linewidth=0.8)
    mood.set_ylim(-1.05, 1.05)
    mood.set_ylabel("7-day mean sentiment")
    for ax in (talk, share, mood):
        for r in reports:
            _shade_gaps(ax, r, label=False)
    _date_axis(mood, reports[0])
    _legend(talk, ranks)
    return fig


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


# --- pieces ---------------------------------------------------------------------------


def _names(fig: Figure, reports: Sequence[Report]) -> list[str]:
    """The titles' names as the fonts can draw them; a note under the figure when a
    character could not be drawn."""
    names = [drawable(r.title.name) for r in reports]
    if any(lost for _, lost in names):
        fig.text(0.005, 0.002, NOTE, fontsize=8, color="#6b7280", va="bottom")
    return [name for name, _ in names]


def _heading(report: Report, name: str) -> str:
    where = f" on {report.platform}" if report.platform else ""
    return (
        f"{name}: {report.posts:,} posts{where}, "
        f"{report.start.isoformat()} to {report.end.isoformat()}"
    )


def _rank_steps(ax: Axes, report: Report, colour: str, label: str) -> None:
    """The rank as steps per chart period; off the chart leaves a break in the line."""
    assert report.chart is not None
    xs: list[float] = []
    ys: list[float] = []
    previous_end: date | None = None
    for step in report.chart.steps:
        if previous_end is not None and step.start > previous_end + timedelta(days=1):
            xs.append(_num(previous_end + timedelta(days=1)))
            ys.append(float("nan"))
        xs += [_num(step.start), _num(step.end + timedelta(days=1))]
        ys += [step.rank, step.rank]
        previous_end = step.end
    ax.plot(xs, ys, color=colour, linewidth=2.2, label=label, drawstyle="steps-post")


def _finish_rank_axis(ax: Axes) -> None:
    ax.set_ylim(CHART_SIZE + 0.5, 0.5)  # inverted: #1 at the top
    ax.set_yticks(range(1, CHART_SIZE + 1))
    ax.set_yticklabels([f"#{n}" for n in range(1, CHART_SIZE + 1)])
    ax.set_ylabel("chart rank")


def _rank_axis(talk: Axes, report: Report) -> Axes:
    assert report.chart is not None
    ranks = talk.twinx()
    step = "day" if report.chart.daily else "week"
    _rank_steps(
        ranks,
        report,
        RANK_COLOUR,
        f"rank, {report.chart.chart} {report.chart.region} (per {step})",
    )
    _finish_rank_axis(ranks)
    return ranks


def _mark_run(talk: Axes, mood: Axes, report: Report) -> None:
    chart = report.chart
    assert chart is not None
    marks = [
        (chart.entry.start, f"entered #{chart.entry.rank}"),
        (chart.peak.start, f"peak #{chart.peak.rank}"),
        (chart.exit.end + timedelta(days=1), "left the chart"),
    ]
    if chart.peak.start == chart.entry.start:  # it entered at its best: one mark, one label
        marks[:2] = [(chart.entry.start, f"entered at its peak, #{chart.peak.rank}")]
    for day, text in marks:
        x = _num(day)
        for ax in (talk, mood):
            ax.axvline(x, color="#374151", linestyle="--", linewidth=0.9, zorder=4)
        talk.annotate(
            text,
            (x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -12),
            textcoords="offset points",
            fontsize=9,
            color="#111827",
        )


def _shade_gaps(ax: Axes, report: Report, *, label: bool) -> None:
    for n, gap in enumerate(report.gaps):
        start = _moment(gap.start)
        end = max(_moment(gap.end), start + 0.25)  # a short gap still shows
        ax.axvspan(
            start,
            end,
            color=GAP_COLOUR,
            alpha=0.3,
            hatch="//",
            linewidth=0,
            label="collection gap" if label and n == 0 else None,
        )
        if label:  # out of the layout: a long reason must not squeeze the axes away
            ax.annotate(
                f"gap: {drawable(gap.reason)[0]}",
                (start, 0.5),
                xycoords=("data", "axes fraction"),
                rotation=90,
                fontsize=8,
                color="#374151",
                va="center",
            ).set_in_layout(False)


def _date_axis(ax: Axes, report: Report) -> None:
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    ax.set_xlim(_num(report.start), _num(report.end + timedelta(days=1)))


def _release_axis(ax: Axes, released: date) -> None:
    """Days since release along the top, so titles compare from their own start."""
    origin = _num(released)

    def since(x: Any) -> Any:
        return np.asarray(x) - origin

    def back(days: Any) -> Any:
        return np.asarray(days) + origin

    top = ax.secondary_xaxis("top", functions=(since, back))
    top.set_xlabel(f"days since release ({released.isoformat()})", fontsize=9)


def _legend(main: Axes, *others: Axes | None) -> None:
    """One legend on ``main`` for its artists and those of the axes drawn over it."""
    handles, labels = main.get_legend_handles_labels()
    for ax in others:
        if ax is not None:
            h, lab = ax.get_legend_handles_labels()
            handles += h
            labels += lab
    main.legend(handles, labels, loc="upper left", fontsize=8, frameon=False)

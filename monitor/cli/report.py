"""``monitor report``: the figure, the HTML page and a text summary for one or more titles."""

from __future__ import annotations

import importlib
import textwrap
import threading
from datetime import datetime
from pathlib import Path

import click

from .. import html
from ..errors import MonitorError
from ..report import Report, build_report, describe
from ..surprises import headline
from .app import App, cli, pass_app
from .options import day, out_option, platform_option, window_options
from .table import format_table

WIDTH = 80
#: Themes per phase in the summary.
THEMES = 3


def _percent(value: float | None) -> str | None:
    return None if value is None else f"{value:.0%}"


def summary(report: Report) -> list[str]:
    """The text summary: the run in one line, the phases table, the lead/lag sentence."""
    lines = textwrap.wrap(describe(report), WIDTH)
    rows = [
        {
            "phase": p.name,
            "days": p.days,
            "posts": p.posts,
            "texts": p.texts,
            "per_day": None if p.posts_per_day is None else f"{p.posts_per_day:.1f}",
            "mean": p.mean_sentiment,
            "positive": _percent(p.share_positive),
            "negative": _percent(p.share_negative),
        }
        for p in report.phases
    ]
    lines.append("")
    lines += format_table(
        rows,
        [
            ("phase", "phase"),
            ("days", "days"),
            ("posts", "posts"),
            ("texts", "texts"),
            ("per_day", "posts/day"),
            ("mean", "mean sentiment"),
            ("positive", "positive"),
            ("negative", "negative"),
        ],
        width=WIDTH,
    )
    lines.append("")
    lines += textwrap.wrap(report.lead_lag.sentence, WIDTH)
    themed = [p for p in report.phases if p.themes]
    if themed:
        lines.append("")
        lines.append("Themes (what sets each phase apart; copies count once):")
        for p in themed:
            lines += textwrap.wrap(
                f"{p.name}: " + ", ".join(f'"{t.term}" ({t.count})' for t in p.themes[:THEMES]),
                WIDTH,
                initial_indent="  ",
                subsequent_indent="    ",
            )
    if report.window_themes:
        lines += textwrap.wrap(
            f"{report.start} to {report.end} against the other days: "
            + ", ".join(f'"{t.term}" ({t.count})' for t in report.window_themes[:THEMES]),
            WIDTH,
            initial_indent="  ",
            subsequent_indent="    ",
        )
    if report.floods:
        lines.append("")
        lines += textwrap.wrap(
            f"Flagged: {len(report.floods)} author(s) posted copies of one text many times "
            "in a day: "
            + "; ".join(f"{f.author} ({f.posts} copies)" for f in report.floods[:5])
            + ". Copies count once in texts, sentiment and themes.",
            WIDTH,
        )
    if report.gaps:
        lines.append("")
        lines += textwrap.wrap(
            f"{len(report.gaps)} collection gap(s) shaded in the figure: "
            + "; ".join(f"{g.reason} from {g.start:%Y-%m-%d %H:%M}" for g in report.gaps),
            WIDTH,
        )
    return lines


@cli.command()
@click.argument("titles", nargs=-1)
@click.option(
    "--all",
    "every",
    is_flag=True,
    help="Every tracked title's page, and the overview of them all (index.html).",
)
@out_option(Path("reports"), "the HTML page and the PNG figure")
@window_options("first post")
@platform_option
@click.option("--region", help="Chart region, e.g. US or global (default: where it ranked best).")
@click.option(
    "--compare",
    "others",
    multiple=True,
    metavar="TITLE",
    help="Draw these titles beside the first (repeatable; more titles may follow it).",
)
@pass_app
def report(
    app: App,
    titles: tuple[str, ...],
    every: bool,
    out: Path,
    since: datetime | None,
    until: datetime | None,
    platform: str | None,
    region: str | None,
    others: tuple[str, ...],
) -> None:
    """Write the report for TITLE: an HTML page and a PNG figure, and print a summary.

    The figure shows mentions per day by platform, mean sentiment with its 7-day band, the
    chart rank, the chart run and any collection gaps. The page is one self-contained file
    that opens offline.

    \b
    Example:
        monitor report Backtrace --out reports
        monitor report Backtrace --since 2024-01-01 --platform reddit --region US
        monitor report Backtrace --compare "The Man from Toronto"
        monitor report --all --out reports
    """
    if every:
        if titles or others or since or until or platform or region:
            raise click.UsageError("--all writes every title over all its days: give it alone")
        _report_all(app, out)
        return
    if not titles:
        raise click.UsageError("name a TITLE, or pass --all")
    # matplotlib takes a while to import; do it while SQLite works (it releases the GIL)
    drawing = threading.Thread(target=importlib.import_module, args=("monitor.plot",))
    drawing.start()
    config = app.config
    chosen = [config.title(name) for name in dict.fromkeys((*titles, *others))]
    store = app.store(create=False, write=False)
    reports = [
        build_report(
            store,
            title,
            since=day(since),
            until=day(until),
            platform=platform,
            region=region,
        )
        for title in chosen
    ]
    drawing.join()
    png_path, html_path = html.write(reports, out, app.inputs())
    for n, r in enumerate(reports):
        if len(reports) > 1:
            click.echo(("\n" if n else "") + f"== {r.title.name}")
        if surprise := headline(store, config, r.title.name):
            click.echo(surprise)
        for line in summary(r):
            click.echo(line)
    click.echo("")
    click.echo(f"Wrote {html_path}")
    click.echo(f"Wrote {png_path}")


def _report_all(app: App, out: Path) -> None:
    """Each title's page and the overview; exit 1 when one of them failed."""
    from ..run import write_reports

    store = app.store(create=False, write=False)
    written, failed = write_reports(store, app.config, out)
    click.echo(f"Wrote {written} title pages and {out / 'index.html'}")
    if failed:
        raise MonitorError(f"could not write: {', '.join(failed)}", hint="see the log above")

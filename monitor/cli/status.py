"""``monitor titles``, ``monitor status`` and ``monitor recount``: what the database holds."""

from __future__ import annotations

import click

from ..follow import chart_title_rows
from ..queries import last_polls, open_gaps, title_counts
from ..store import Store
from .app import App, cli, pass_app
from .table import echo_table


@cli.command()
@pass_app
def titles(app: App) -> None:
    """List tracked titles with their post counts; then the titles a followed chart brought
    in: where each came from (chart, region, category, first week, season) and its state
    (backfilling, active, retired: no longer polled, its data kept).

    \b
    Example:
        monitor titles
    """
    store = app.store(write=False)
    rows = title_counts(store)
    if not rows:
        click.echo("No titles tracked yet. Add [[titles]] to the config file.")
        return
    echo_table(
        rows,
        [
            ("title", "title"),
            ("released", "released"),
            ("posts", "posts"),
            ("reddit", "reddit"),
            ("bluesky", "bluesky"),
            ("last_post", "last post"),
        ],
    )
    _echo_chart_titles(store)


def _echo_chart_titles(store: Store) -> None:
    rows = chart_title_rows(store)
    if not rows:
        return
    click.echo(f"\nFrom the charts ({len(rows)}):")
    echo_table(
        rows,
        [
            ("title", "title"),
            ("state", "state"),
            ("origin", "chart"),
            ("first_week", "first week"),
            ("season", "season"),
            ("known", "known"),
        ],
    )


@cli.command()
@pass_app
def status(app: App) -> None:
    """Show the last poll per source and title, with counts and failures.

    \b
    Example:
        monitor status
    """
    store = app.store(write=False)
    click.echo(f"Database: {store.path} (schema {store.version})")
    rows = last_polls(store)
    if not rows:
        click.echo("No polls yet. Run `monitor poll` or `monitor run`.")
        return
    echo_table(
        rows,
        [
            ("source", "source"),
            ("title", "title"),
            ("last_started", "last poll"),
            ("status", "status"),
            ("new_total", "new"),
            ("failures", "failed"),
            ("caps_hit", "capped"),
        ],
    )
    _echo_gaps(store)


_WHY = {"running": "interrupted, or still running", "failed": "failed"}


def _echo_gaps(store: Store) -> None:
    """Open gaps: runs that failed, hit the cap or cut a rate-limit wait short."""
    gaps = open_gaps(store)
    if not gaps:
        return
    click.echo(f"\nOpen gaps ({len(gaps)}): time ranges a poll could not reach")
    for gap in gaps:
        gap["why"] = "cap hit" if gap["cap_hit"] else gap["error"] or _WHY.get(gap["status"])
        for key in ("gap_start", "gap_end"):  # minutes are enough, and fit 80 columns
            gap[key] = (gap[key] or "")[:16].replace("T", " ")
    echo_table(
        gaps,
        [
            ("source", "source"),
            ("title", "title"),
            ("gap_start", "from"),
            ("gap_end", "to"),
            ("why", "why"),
        ],
    )


@cli.command()
@pass_app
def recount(app: App) -> None:
    """Count the daily totals the report reads afresh.

    monitor keeps them up to date on every write. Run this after changing the posts,
    mentions or sentiments tables with another tool that replaced rows (INSERT OR
    REPLACE without PRAGMA recursive_triggers = ON).

    \b
    Example:
        monitor recount
    """
    held, off = app.store(create=False).recount_daily()
    click.echo(f"Recounted the daily totals: {held} rows; {off} differed from the kept count.")

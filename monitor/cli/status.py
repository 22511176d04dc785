"""``monitor titles``, ``monitor status`` and ``monitor recount``: what the database holds."""

from __future__ import annotations

import click

from ..alert_queries import alerts, delivery_status
from ..coverage import coverage
from ..follow import chart_title_rows
from ..queries import last_polls, open_gaps, title_counts
from ..store import Store
from ..voices import FLOOD_HOURS, FLOOD_POSTS, floods
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
    stored = {r["title"] for r in rows}  # a reader syncs nothing: add what the config adds
    rows += [
        {"title": t.name, "released": t.released, "posts": 0, "reddit": 0, "bluesky": 0}
        for t in app.optional_config().titles
        if t.name not in stored
    ]
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
    cover = coverage(store)
    if cover.posts:
        click.echo(
            f"Posts: {cover.posts:,}; {cover.unread:,} ({cover.share_unread:.1%}) in a language "
            "the sentiment model does not read, left unscored"
        )
    rows = last_polls(store)
    if not rows:
        click.echo("No polls yet. Run `monitor poll` or `monitor run`.")
        _echo_alerts(store)
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
    _echo_floods(store)
    _echo_alerts(store)


def _echo_floods(store: Store) -> None:
    """Authors who posted many copies of one text in a short time (see monitor.voices)."""
    found = floods(store)
    if not found:
        return
    click.echo(
        f"\nFlagged authors ({len(found)}): {FLOOD_POSTS}+ copies of one text within "
        f"{FLOOD_HOURS} h; copies count once in the reports"
    )
    echo_table(
        [
            {
                "author": f.author,
                "posts": f.posts,
                "first": f.first[:16].replace("T", " "),
                "text": " ".join(f.text.split())[:30],
            }
            for f in found
        ],
        [("author", "author"), ("posts", "copies"), ("first", "from"), ("text", "text")],
    )


def _echo_alerts(store: Store) -> None:
    """Alerts waiting to be sent, and per channel what was delivered and what failed."""
    waiting = alerts(store, pending=True)
    channels = delivery_status(store)
    if not waiting and not channels:
        return
    click.echo(f"\nAlerts: {len(waiting)} waiting to be sent (`monitor alerts --dry-run`)")
    if channels:
        echo_table(
            channels,
            [
                ("channel", "channel"),
                ("sent", "sent"),
                ("failing", "failing"),
                ("last_try", "last try"),
                ("error", "last error"),
            ],
        )


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

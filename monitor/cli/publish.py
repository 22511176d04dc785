"""``monitor publish``: a copy of the database fit to share, with Datasette's metadata."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from .. import publish as publishing
from ..report import check_window
from .app import App, cli, pass_app
from .options import day, window_options


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--authors",
    type=click.Choice(publishing.AUTHOR_MODES),
    default="hash",
    show_default=True,
    help="hash: a pseudonym per author, salted for this copy; drop: none; keep: handles.",
)
@click.option("--title", help="Only this tracked title.")
@window_options()
@click.option("--site-title", help="The title Datasette shows (default: names the titles).")
@pass_app
def publish(
    app: App,
    folder: Path,
    authors: str,
    title: str | None,
    since: datetime | None,
    until: datetime | None,
    site_title: str | None,
) -> None:
    """Write a copy fit to publish into FOLDER: monitor.db and metadata.json for Datasette.

    The copy holds the titles, the posts about them, their sentiment, the daily totals,
    the chart entries and the report's phases, with no saved state, cursors or poll runs.
    Deleted and pruned posts come without text. A file in FOLDER that an earlier publish
    did not write is never replaced.

    \b
    Example:
        monitor publish site
        monitor publish site --title Backtrace --since 2024-01-01 --authors drop
        datasette site/monitor.db -m site/metadata.json
    """
    check_window(day(since), day(until))
    store = app.store(create=False, write=False)
    done = publishing.publish(
        store,
        folder,
        title=title,
        since=day(since),
        until=day(until),
        authors=authors,
        site_title=site_title,
    )
    if not app.quiet:
        click.echo(
            f"Wrote {done.database} ({done.posts:,} posts about {', '.join(done.titles)}; "
            f"authors: {done.authors}) and {done.metadata}."
        )
        click.echo(f"Open it: datasette {done.database} -m {done.metadata}")

"""``monitor poll``: fetch what is new for each tracked title from one or every source."""

from __future__ import annotations

import click

from ..run import poll_sources as poll_library
from ..run import poll_summary as summary
from ..sources import SOURCES
from .app import App, cli, pass_app
from .options import source_option

__all__ = ["poll", "summary"]


@cli.command()
@source_option
@click.option("--title", default=None, help="Poll only this tracked title.")
@pass_app
def poll(app: App, sources: tuple[str, ...], title: str | None) -> None:
    """Fetch new posts that mention the tracked titles.

    Exit status 1 when any source failed; what the others fetched is stored; 75 when a
    `monitor run` holds the database.

    \b
    Example:
        monitor poll --source reddit --title Backtrace
    """
    config = app.config
    with app.writer(lock=True) as store:
        results, _, _ = poll_library(
            store, config, app.credentials, list(sources or SOURCES), config.select(title)
        )
    click.echo(summary(results))
    if any(not r.ok for r in results):
        raise SystemExit(1)

"""``monitor poll``: fetch what is new for each tracked title from one or every source."""

from __future__ import annotations

import click

from ..ingest import PollResult
from ..lock import hold
from ..run import poll_sources as poll_library
from ..run import poll_summary as summary
from ..sources import SOURCES
from .app import App, cli, pass_app

__all__ = ["poll", "poll_sources", "source_option", "summary"]

#: ``--source``, repeatable, for the commands that poll (``poll`` and ``run``).
source_option = click.option(
    "--source",
    "sources",
    type=click.Choice(sorted(SOURCES)),
    multiple=True,
    help="Source to poll (repeatable); default every source with credentials.",
)


def poll_sources(app: App, names: list[str], title: str | None) -> list[PollResult]:
    """Poll each named source; a failed source is logged and the others still run."""
    config = app.config
    results, _, _ = poll_library(app.store(), config, app.credentials, names, config.select(title))
    return results


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
    with hold(app.resolve_db(app.config)):  # never beside a `monitor run` on the same file
        results = poll_sources(app, list(sources or SOURCES), title)
        app.close()
    click.echo(summary(results))
    if any(not r.ok for r in results):
        raise SystemExit(1)

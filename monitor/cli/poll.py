"""``monitor poll``: fetch what is new for each tracked title from one or every source."""

from __future__ import annotations

import logging

import click

from ..errors import AuthError
from ..sources import SOURCES, PollResult, build, has_credentials
from .app import App, cli, pass_app

log = logging.getLogger("monitor")


def poll_sources(app: App, names: list[str], title: str | None) -> list[PollResult]:
    """Poll each named source; a failed source is logged and the others still run."""
    config, creds = app.config, app.credentials
    titles = config.select(title)
    store = app.store()
    results: list[PollResult] = []
    for name in names:
        if not has_credentials(name, creds):
            log.warning("%s: skipped, no credentials in the environment (see README)", name)
            continue
        try:
            results.extend(build(name, config, creds).poll(store, titles))
        except AuthError as exc:
            log.error("%s: %s%s", name, exc, f" ({exc.hint})" if exc.hint else "")
            results.append(PollResult(name, "*", error=str(exc)))
    return results


def summary(results: list[PollResult]) -> str:
    """One line per source: new posts, requests, failures."""
    parts = []
    for name in dict.fromkeys(r.source for r in results):
        mine = [r for r in results if r.source == name]
        parts.append(
            f"{name}: {sum(r.new for r in mine)} new, {sum(r.requests for r in mine)} requests, "
            f"{sum(not r.ok for r in mine)} failed"
        )
    return "; ".join(parts) or "nothing polled"


@cli.command()
@click.option(
    "--source",
    "sources",
    type=click.Choice(sorted(SOURCES)),
    multiple=True,
    help="Source to poll (repeatable); default every source with credentials.",
)
@click.option("--title", default=None, help="Poll only this tracked title.")
@pass_app
def poll(app: App, sources: tuple[str, ...], title: str | None) -> None:
    """Fetch new posts that mention the tracked titles.

    Exit status 1 when any source failed; what the others fetched is stored.

    \b
    Example:
        monitor poll --source reddit --title Backtrace
    """
    results = poll_sources(app, list(sources or SOURCES), title)
    click.echo(summary(results))
    if any(not r.ok for r in results):
        raise SystemExit(1)

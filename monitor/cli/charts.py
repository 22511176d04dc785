"""``monitor charts``: load Netflix's Top 10 or a CSV chart, and show a title's rank history."""

from __future__ import annotations

from pathlib import Path

import click

from .. import follow, surprises
from ..charts import TitleMatcher, runs, title_key
from ..charts.netflix import update as update_netflix
from ..charts.table import import_csv
from ..errors import ConfigError
from ..queries import chart_history, chart_spellings
from ..tmdb import enrich
from .app import App, cli, pass_app
from .table import echo_table


@cli.group()
def charts() -> None:
    """Streaming charts: Netflix's official Top 10 and any chart from CSV."""


@charts.command()
@pass_app
def update(app: App) -> None:
    """Fetch Netflix's Top 10 files when they changed and store the configured countries.

    Reads [netflix] source (an http(s) base URL or a local folder) and countries. An
    unchanged file costs one conditional request and is not read again.

    \b
    Example:
        monitor charts update
    """
    config = app.config
    results = update_netflix(app.store(), config)
    for r in results:
        if r.changed:
            click.echo(f"{r.name}: {r.rows:,} rows stored from {r.lines:,} lines")
        else:
            click.echo(f"{r.name}: unchanged")
    if config.follows:  # the titles new on a followed chart are tracked from now on
        click.echo(follow.update(app.store(), config).note())
        enrich(app.store(), app.credentials.tmdb_api_key, config.tmdb.url)


@charts.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--chart", required=True, help="Chart name, e.g. prime-video or netflix-daily.")
@click.option("--region", default=None, help="Region for rows without one (default: global).")
@click.option("--platform", default=None, help="Platform for rows without one.")
@pass_app
def import_(app: App, file: Path, chart: str, region: str | None, platform: str | None) -> None:
    """Load a chart from CSV: columns date, rank, title; optional region, platform, category.

    One bad line stores nothing from the file; a re-import replaces the same rows.

    \b
    Example:
        monitor charts import prime-top10.csv --chart prime-video --region US
    """
    config = app.optional_config()
    rows = import_csv(
        app.store(), file, chart, TitleMatcher(config.titles), region=region, platform=platform
    )
    click.echo(f"{file}: {rows:,} rows stored in chart {chart.strip()}")
    if config.follows:
        click.echo(follow.update(app.store(), config).note())


@charts.command()
@click.argument("title")
@pass_app
def show(app: App, title: str) -> None:
    """Show a title's rank history per chart and region.

    TITLE is a tracked title, or any title as a chart spells it (case, punctuation and a
    trailing year do not matter). Weeks are named by their Monday; * = still on the chart.

    \b
    Example:
        monitor charts show Backtrace
    """
    config = app.optional_config()
    store = app.store(write=False)
    try:
        tracked: str | None = config.title(title).name
    except ConfigError:
        tracked = None
    key = title_key(title)
    spellings = [s for s in chart_spellings(store) if title_key(s) == key]
    history = runs(chart_history(store, tracked, spellings))
    if not history:
        click.echo(f"{title} has no chart entries. Run `monitor charts update` first?")
        return
    echo_table(
        [
            {
                "chart": r.chart,
                "region": r.region,
                "entered": r.first,
                "best": f"#{r.best}",
                "best_week": r.best_period,
                "on_chart": r.on_chart,
                "last": r.last + (" *" if r.still_on else ""),
            }
            for r in history
        ],
        [
            ("chart", "chart"),
            ("region", "region"),
            ("entered", "entered"),
            ("best", "best"),
            ("best_week", "best week"),
            ("on_chart", "on chart"),
            ("last", "last"),
        ],
    )


@charts.command("surprises")
@click.option(
    "--weeks", type=click.IntRange(min=1), default=4, show_default=True, help="Chart weeks to read."
)
@pass_app
def surprises_(app: App, weeks: int) -> None:
    """List the followed charts' surprises: a title on the chart a year or more after its
    release, one that climbed three or more places in a week, or one that entered a
    country's chart while absent from the global list.

    Reads the [[follow]] entries of the config; a release comes from the config or TMDB.

    \b
    Example:
        monitor charts surprises --weeks 8
    """
    config = app.config
    if not config.follows:
        raise ConfigError("no chart is followed", hint="add a [[follow]] entry to the config file")
    found = surprises.find(app.store(write=False), config, weeks)
    if not found:
        click.echo(f"No surprises in the followed charts' last {weeks} weeks.")
        return
    for s in found:  # one line each: the reason is the point, and too long for a table
        click.echo(
            f"{s.title}: #{s.rank} {s.chart} {s.region} {s.category}, week of {s.week}, "
            f"released {s.released or 'unknown'}: {s.why}"
        )

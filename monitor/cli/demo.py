"""``monitor demo``: the whole pipeline on a bundled scenario, with no account and no network."""

from __future__ import annotations

import textwrap
from pathlib import Path

import click

from ..files import inputs_of
from .app import App, cli, pass_app
from .options import out_option
from .report import WIDTH, summary


@cli.command()
@out_option(Path("monitor-demo"), "the demo's database, config and report")
@pass_app
def demo(app: App, out: Path) -> None:
    """Run the real pollers, labelling, chart update and report on a bundled scenario.

    Local servers answer like Reddit, Bluesky and Netflix's Top 10 with eleven weeks of
    talk about Backtrace (2018) climbing to #4 in the US, plus posts about debugger
    backtraces that must not count. Needs no account and no network.

    \b
    Example:
        monitor demo
        monitor demo --out /tmp/backtrace-demo
    """

    from .. import demo as demos  # the replay servers load only for the demo

    def progress(message: str) -> None:
        for line in textwrap.wrap(message, WIDTH):
            click.echo(line)

    # the user's own config and database are never the demo's to write
    result = demos.run(out, progress=progress, inputs=inputs_of(app.db_path, app.config_path))
    report = result.report
    click.echo("")
    for line in summary(report):
        click.echo(line)
    click.echo("")
    click.echo(f"Database: {result.database}  ({report.posts} posts about Backtrace)")
    click.echo(f"Report:   {result.html}")
    click.echo(f"Figure:   {result.png}")
    click.echo(f"Config:   {result.config}")
    click.echo(f"Next:     monitor --config {result.config} report Backtrace --out {out}")

"""``monitor run``: the cron entry. Lock, poll, re-check, summary line, exit status."""

from __future__ import annotations

import logging
import sys
from datetime import timedelta
from pathlib import Path

import click

from ..files import refuse_inputs
from ..run import CHARTS_EVERY, run_once
from ..sources import SOURCES
from .app import App, cli, pass_app, setup_logging
from .options import source_option
from .types import HOURS

log = logging.getLogger("monitor.run")


def _progress(done: int, total: int, what: str) -> None:
    """A one-line progress display on stderr, for terminals only (never under cron)."""
    end = "\n" if done == total else ""
    click.echo(f"\r\x1b[K[{done}/{total}] {what}", err=True, nl=False)
    click.echo(end, err=True, nl=False)


@cli.command("run")
@source_option
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Also append the log lines to this file.",
)
@click.option(
    "--charts-every",
    type=HOURS,
    default=CHARTS_EVERY.total_seconds() / 3600,
    show_default=True,
    help="Update the charts when the last update is older than this many hours.",
)
@click.option("--no-charts", is_flag=True, help="Leave the charts alone in this run.")
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write every title's report (HTML page and PNG figure) into this folder.",
)
@click.option(
    "--no-notify",
    is_flag=True,
    help="Store new alerts but send nothing (the log says what would go); they stay pending.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only (for cron).")
@pass_app
def run(
    app: App,
    sources: tuple[str, ...],
    log_file: Path | None,
    charts_every: float,
    no_charts: bool,
    report_dir: Path | None,
    no_notify: bool,
    quiet: bool,
) -> None:
    """Poll every source for every title, re-check recent posts, label, update the charts.

    Meant for cron: one summary line at the end, log lines on stderr, and a lock so that
    two runs on the same database never poll at once.

    New alerts (see `monitor alerts`) go to the channels in MONITOR_NOTIFY and [alerts];
    a delivery that fails is retried next run and never changes the exit status.

    \b
    Exit status:
      0   everything ran
      1   a source or a step failed (what the others fetched is stored)
      2   a config or usage error
      75  another run holds the database lock (cron tries again next time)

    \b
    Example:
        monitor run
        monitor run --quiet --log-file monitor.log --report reports
    """
    quiet = quiet or app.quiet
    creds = app.credentials
    if log_file is not None:
        refuse_inputs(log_file, app.inputs())  # a log line appended to the database ruins it
    if log_file is not None or quiet != app.quiet:
        setup_logging(app.verbose, quiet, creds.secrets(), log_file)
    config = app.config
    show_progress = sys.stderr.isatty() and not quiet
    with app.writer(lock=True) as store:
        report = run_once(
            store,
            config,
            creds,
            sources=list(sources or SOURCES),
            charts_every=None if no_charts else timedelta(hours=charts_every),
            report_dir=report_dir,
            progress=_progress if show_progress else None,
            notify=not no_notify,
        )
    log.info("%s", report.summary())
    if not report.ok:
        raise SystemExit(1)

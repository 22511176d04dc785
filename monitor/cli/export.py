"""``monitor export``: posts, the daily series or the chart, as CSV or JSON lines."""

from __future__ import annotations

import io
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TextIO

import click

from .. import export as exports
from ..errors import MonitorError
from ..files import atomic_output, refuse_inputs
from .app import App, cli, pass_app
from .options import day, window_options


@cli.command()
@click.argument("kind", type=click.Choice(exports.KINDS))
@click.option("--title", help="Only this tracked title.")
@window_options()
@click.option(
    "--format", "fmt", type=click.Choice(exports.FORMATS), default="csv", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@pass_app
def export(
    app: App,
    kind: str,
    title: str | None,
    since: datetime | None,
    until: datetime | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Stream posts, the daily series or the chart entries as CSV or JSON lines.

    KIND is posts (one row per post and title it mentions, with its group of copies and
    languages), daily (the series the report's figure draws, with distinct texts and unique
    authors), chart, themes (each phase's distinctive words and phrases; needs --title), or
    alerts (what `monitor alerts` lists). CSV is RFC 4180 in UTF-8; text that a spreadsheet
    would run as a formula is prefixed with '. Deleted posts come without text and author.

    \b
    Example:
        monitor export posts --title Backtrace -o backtrace.csv
        monitor export daily --format jsonl
        monitor export chart --title Backtrace --since 2024-01-01
        monitor export themes --title Backtrace --format jsonl
        monitor export alerts --format jsonl
    """
    if kind == "themes" and not title:
        raise click.UsageError("the themes export is of one title: name it with --title")
    config = app.optional_config()
    name = config.title(title).name if title else None
    if output is not None:
        refuse_inputs(output, app.inputs())  # before anything is opened
    store = app.store(create=False, write=False)

    def write(out: TextIO) -> int:
        return exports.export(
            store, kind, config.titles, out, fmt, title=name, since=day(since), until=day(until)
        )

    if output is None:
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        try:
            write(out)
            out.flush()
        except BrokenPipeError:  # the reader stopped early (`| head`): not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return
        except OSError as exc:
            raise MonitorError(f"cannot write to standard output ({exc.strerror})") from None
        finally:
            out.detach()
        return
    with atomic_output(output, app.inputs()) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        count = write(text)
        text.flush()
        text.detach()
    click.echo(f"Wrote {count:,} rows to {output}", err=True)

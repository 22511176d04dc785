"""Option bundles shared by several commands, so each is spelled, typed and helped once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from ..sources import SOURCES

F = TypeVar("F", bound=Callable[..., Any])

#: Dates as YYYY-MM-DD.
DAY = click.DateTime(["%Y-%m-%d"])


def day(value: datetime | None) -> date | None:
    """A ``DAY`` option's value as a date."""
    return value.date() if value else None


def window_options(default: str = "") -> Callable[[F], F]:
    """``--since`` and ``--until``, the first and last day of a window (both inclusive);
    ``default`` says what an absent bound means, e.g. "the first post"."""

    def decorate(fn: F) -> F:
        after = f" (default: the {default.replace('first', 'last')})" if default else ""
        before = f" (default: the {default})" if default else ""
        fn = click.option("--until", type=DAY, help=f"Last day, YYYY-MM-DD{after}.")(fn)
        return click.option("--since", type=DAY, help=f"First day, YYYY-MM-DD{before}.")(fn)

    return decorate


def out_option(default: Path, what: str) -> Callable[[F], F]:
    """``--out``: the folder a command writes ``what`` into."""
    return click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=default,
        show_default=True,
        help=f"Folder for {what}.",
    )


#: ``--platform``: one platform's posts only; the choices are the registered sources.
platform_option = click.option(
    "--platform", type=click.Choice(sorted(SOURCES)), help="Only posts from this platform."
)

#: ``--source``, repeatable, for the commands that poll (``poll`` and ``run``).
source_option = click.option(
    "--source",
    "sources",
    type=click.Choice(sorted(SOURCES)),
    multiple=True,
    help="Source to poll (repeatable); default every source with credentials.",
)

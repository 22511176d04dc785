"""Bounded option types: a number a user types is finite and within a sane range, or the
command stops at once with click's usage error (exit 2), before any work."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import click

from ..config import url_problem


class Number(click.ParamType):  # type: ignore[type-arg,unused-ignore]
    """A finite number from ``low`` to ``high`` (``nan``, ``inf`` and ``1e300`` refused)."""

    name = "number"

    def __init__(self, low: float, high: float, unit: str) -> None:
        self.low, self.high, self.unit = low, high, unit

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, float) and math.isfinite(value) and self.low <= value <= self.high:
            return value
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not (math.isfinite(number) and self.low <= number <= self.high):
            self.fail(
                f"{value!r} is not a number of {self.unit} from {_plain(self.low)} "
                f"to {_plain(self.high)}",
                param,
                ctx,
            )
        return number


def _plain(number: float) -> str:
    return f"{int(number):,}" if number == int(number) else f"{number:,}"


def url(
    what: str, *schemes: str
) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
    """A callback that checks an option's URL (see :func:`monitor.config.url_problem`)."""

    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        problem = None if value is None else url_problem(value, schemes)
        if problem:
            raise click.BadParameter(f"{value!r} is not a {what} URL: it {problem}", ctx, param)
        return value

    return check


def count(low: int, high: int) -> click.IntRange:
    """A whole number from ``low`` to ``high``: SQLite and every loop stay within bounds."""
    return click.IntRange(min=low, max=high)


#: ``run --charts-every``: up to a year, in hours.
HOURS = Number(0, 24 * 366, "hours")
#: ``stream --duration``: up to a year, in seconds.
SECONDS = Number(0, 366 * 86_400, "seconds")

"""A title's rank history per chart and region: entry, best rank, time on chart, exit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from ..rows import Row


@dataclass(frozen=True)
class Run:
    """One title's time on one chart in one region."""

    chart: str
    region: str
    first: str  # period_start of the first period on the chart
    best: int
    best_period: str  # period_start of the first period at the best rank
    periods: int  # distinct periods (weeks, or days for a daily chart) on the chart
    days_per_period: int
    last: str  # period_start of the last period on the chart
    still_on: bool  # the last period is the newest the chart holds for that region

    @property
    def on_chart(self) -> str:
        unit = "wk" if self.days_per_period == 7 else "d" if self.days_per_period == 1 else "x"
        return f"{self.periods} {unit}"


def runs(rows: Iterable[Row]) -> list[Run]:
    """Summarise ``Store.chart_history`` rows (sorted by chart, region, period)."""
    result = []
    for (chart, region), group in groupby(rows, key=lambda r: (r["chart"], r["region"])):
        entries = list(group)
        best = min(entries, key=lambda r: (r["rank"], r["period_start"]))
        first, last = entries[0], entries[-1]
        span = date.fromisoformat(first["period_end"]) - date.fromisoformat(first["period_start"])
        result.append(
            Run(
                chart=chart,
                region=region,
                first=first["period_start"],
                best=int(best["rank"]),
                best_period=best["period_start"],
                periods=len({r["period_start"] for r in entries}),
                days_per_period=span.days + 1,
                last=last["period_start"],
                still_on=last["period_start"] == last["latest"],
            )
        )
    return result

"""Any other chart from CSV: columns ``date, rank, title`` and optional ``region``,
``platform``, ``category``. One row per title per day (or per week: ``date`` is when the
period starts and ends alike). Named ``table`` so it does not shadow the stdlib ``csv``.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import InputError
from ..rows import ChartEntryRow
from ..store import Store
from .fields import Header
from .match import TitleMatcher

log = logging.getLogger("monitor.charts.table")

REQUIRED = ("date", "rank", "title")
OPTIONAL = ("region", "platform", "category")
DEFAULT_REGION = "global"
DEFAULT_CATEGORY = "all"
MAX_RANK = 100_000


class ChartCsv:
    """Iterates the ``chart_entries`` rows of one CSV chart, checking every line."""

    def __init__(
        self,
        lines: Iterable[str],
        file: str,
        chart: str,
        matcher: TitleMatcher,
        *,
        region: str | None = None,
        platform: str | None = None,
    ) -> None:
        self.lines_in = lines
        self.file = file
        self.chart = chart
        self.matcher = matcher
        self.region = region or DEFAULT_REGION
        self.platform = platform
        self.rows = 0
        #: (region, category, period_start) -> the ranks this file lists for it
        self.periods: dict[tuple[str, str, str], list[int]] = {}

    def __iter__(self) -> Iterator[ChartEntryRow]:
        # strict: a quote left open is an error, not the rest of the file in one field
        reader = csv.reader(self.lines_in, strict=True)
        seen: dict[tuple[str, str, str, int], int] = {}
        started = 1  # the line the record being read starts on
        try:
            names = next(reader, None)
            if names is None:
                raise InputError(f"{self.file}, line 1: the file is empty")
            h = Header(self.file, names, REQUIRED, OPTIONAL, only_known=True)
            started = reader.line_num + 1
            for fields in reader:
                n = reader.line_num
                if not any(f.strip() for f in fields):
                    continue
                row = self._row(h, n, fields)
                key = (row["region"], row["category"], row["period_start"], row["rank"])
                if key in seen:
                    raise h.error(
                        n,
                        "rank",
                        f"rank {row['rank']} on {row['period_start']} is also on "
                        f"line {seen[key]} (same region and category)",
                    )
                seen[key] = n
                self.periods.setdefault(key[:3], []).append(row["rank"])
                self.rows += 1
                started = n + 1
                yield row
        except csv.Error as exc:
            quoting = "end of data" in str(exc) or "expected after" in str(exc)
            raise InputError(
                f"{self.file}, line {started}: {exc}"
                + (" (a quote opened here is never closed)" if quoting else ""),
                hint='quote a field that holds commas or quotes whole: "Dune, Part Two"'
                if quoting
                else None,
            ) from None
        except UnicodeDecodeError:
            raise InputError(f"{self.file}, line {reader.line_num + 1}: not UTF-8 text") from None

    def _row(self, h: Header, n: int, fields: list[str]) -> ChartEntryRow:
        day = h.day(n, fields, "date").isoformat()
        rank = h.whole(n, fields, "rank", maximum=MAX_RANK)
        if rank < 1:
            raise h.error(n, "rank", "a rank starts at 1")
        chart_title = h.text(n, fields, "title")
        return {
            "chart": self.chart,
            "region": h.get(fields, "region") or self.region,
            "category": h.get(fields, "category") or DEFAULT_CATEGORY,
            "period_start": day,
            "period_end": day,
            "rank": rank,
            "title": self.matcher.match(chart_title),
            "chart_title": chart_title,
            "platform": h.get(fields, "platform") or self.platform,
        }


def import_csv(
    store: Store,
    path: Path,
    chart: str,
    matcher: TitleMatcher,
    *,
    region: str | None = None,
    platform: str | None = None,
) -> int:
    """Load a CSV chart in one transaction (a bad line stores nothing); rows stored.

    The file replaces what the chart held for the days (region, category) it covers.
    """
    chart = chart.strip()
    if not chart:
        raise InputError("a chart needs a name, e.g. prime-video", param="chart")
    try:
        fh = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    with fh:
        parsed = ChartCsv(fh, str(path), chart, matcher, region=region, platform=platform)
        with store.transaction():
            store.upsert_chart_entries(parsed)
            store.prune_chart_entries(chart, parsed.periods)
    log.debug("%s: %d rows stored in chart %s", path, parsed.rows, chart)
    return parsed.rows

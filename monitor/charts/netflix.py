"""Netflix's official Top 10 files -> ``chart_entries`` rows.

Two tab-separated files, newest week first: ``all-weeks-global.tsv`` (four categories, hours
and views) and ``all-weeks-countries.tsv`` (about 30 MB; ``Films`` and ``TV`` per country).
``week`` is the Sunday ending a Monday-Sunday week; ``season_title`` is ``N/A`` for films.
Each file is streamed line by line and written in one transaction with its fetch
validators, so a bad line or a failed download stores nothing from that file.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from ..config import Config
from ..errors import InputError
from ..rows import ChartEntryRow
from ..store import Store
from .fetch import TIMEOUT, fetch
from .fields import Header
from .match import TitleMatcher

log = logging.getLogger("monitor.charts.netflix")

CHART = "netflix"
PLATFORM = "netflix"
GLOBAL = "all-weeks-global.tsv"
COUNTRIES = "all-weeks-countries.tsv"

_COMMON = ("week", "category", "weekly_rank", "show_title", "season_title")
GLOBAL_COLUMNS = (*_COMMON, "weekly_hours_viewed", "cumulative_weeks_in_top_10")
#: Read when present: older files lack ``is_staggered_launch`` and ``episode_launch_details``
#: (and older still, ``runtime`` and ``weekly_views``).
GLOBAL_OPTIONAL = ("runtime", "weekly_views", "is_staggered_launch", "episode_launch_details")
COUNTRY_COLUMNS = ("country_name", "country_iso2", *_COMMON, "cumulative_weeks_in_top_10")


@dataclass
class FileResult:
    """What one update did with one file."""

    name: str
    changed: bool
    lines: int = 0
    rows: int = 0


class Top10File:
    """Iterates the ``chart_entries`` rows of one Top 10 file for the wanted regions.

    Every line is checked, kept or not; ``lines`` and ``rows`` count what was read and kept.
    """

    def __init__(
        self,
        lines: Iterable[bytes | str],
        file: str,
        regions: Collection[str],
        matcher: TitleMatcher,
    ) -> None:
        self.lines_in = lines
        self.file = file
        self.regions = frozenset(regions)
        self.matcher = matcher
        self.lines = 0
        self.rows = 0
        #: (region, category, period_start) -> the ranks this file lists for it
        self.periods: dict[tuple[str, str, str], list[int]] = {}
        self._weeks: dict[str, tuple[str, str]] = {}
        self._matches: dict[str, str | None] = {}

    def __iter__(self) -> Iterator[ChartEntryRow]:
        numbered = enumerate(self.lines_in, start=1)
        header: Header | None = None
        for number, raw in numbered:
            self.lines = number
            text = self._decode(number, raw).rstrip("\r\n")
            if header is None:
                header = self._header(text)
                continue
            if not text.strip():
                continue
            row = self._row(header, number, text.split("\t"))
            if row is not None:
                self.rows += 1
                yield row
        if header is None:
            raise InputError(f"{self.file}, line 1: the file is empty")

    def _decode(self, number: int, raw: bytes | str) -> str:
        if isinstance(raw, str):
            return raw
        try:
            return raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{self.file}, line {number}, byte {exc.start + 1}: not UTF-8 text"
            ) from None

    def _header(self, text: str) -> Header:
        names = text.split("\t")
        if "country_iso2" in (n.strip().lower() for n in names):
            return Header(self.file, names, COUNTRY_COLUMNS)
        return Header(self.file, names, GLOBAL_COLUMNS, GLOBAL_OPTIONAL)

    def _row(self, h: Header, n: int, fields: list[str]) -> ChartEntryRow | None:
        if len(fields) < h.width:
            h.check_width(n, fields)
        at = h.index
        if "country_iso2" in at:
            region = fields[at["country_iso2"]].strip().upper()
            if len(region) != 2 or not region.isalpha():
                raise h.error(n, "country_iso2", f"{region[:20]!r} is not an ISO-2 country code")
        else:
            region = "global"
        start, end = self._week(h, n, fields)
        category = fields[at["category"]].strip() or h.text(n, fields, "category")
        rank = _whole(h, n, fields, "weekly_rank")
        if rank < 1:
            raise h.error(n, "weekly_rank", "a rank starts at 1")
        chart_title = fields[at["show_title"]].strip() or h.text(n, fields, "show_title")
        season = fields[at["season_title"]].strip()
        weeks = _whole(h, n, fields, "cumulative_weeks_in_top_10", blank=True)
        hours = h.optional_whole(n, fields, "weekly_hours_viewed")
        views = h.optional_whole(n, fields, "weekly_views")
        if region not in self.regions:
            return None
        self.periods.setdefault((region, category, start), []).append(rank)
        return {
            "chart": CHART,
            "region": region,
            "category": category,
            "period_start": start,
            "period_end": end,
            "rank": rank,
            "title": self._match(chart_title),
            "chart_title": chart_title,
            "season": None if season in ("", "N/A") else season,
            "weeks_on_chart": weeks or None,
            "hours_viewed": hours,
            "views": views,
            "platform": PLATFORM,
        }

    def _week(self, h: Header, n: int, fields: list[str]) -> tuple[str, str]:
        text = fields[h.index["week"]]
        if text not in self._weeks:
            sunday = h.day(n, fields, "week")
            if sunday.weekday() != 6:
                raise h.error(n, "week", f"{text} is a {sunday:%A}; Netflix weeks end on Sunday")
            self._weeks[text] = ((sunday - timedelta(days=6)).isoformat(), sunday.isoformat())
        return self._weeks[text]

    def _match(self, chart_title: str) -> str | None:
        if chart_title not in self._matches:
            self._matches[chart_title] = self.matcher.match(chart_title)
        return self._matches[chart_title]


def _whole(h: Header, n: int, fields: list[str], column: str, *, blank: bool = False) -> int:
    """A small whole number, fast; anything unusual goes through ``Header.whole``."""
    text = fields[h.index[column]]
    if text.isdigit() and text.isascii():
        return int(text)
    return h.whole(n, fields, column, blank=blank)


def ingest(
    store: Store,
    lines: Iterable[bytes | str],
    file: str,
    regions: Collection[str],
    matcher: TitleMatcher,
    state: tuple[str, str] | None = None,
) -> Top10File:
    """Write one file's rows (and its fetch state) in one transaction: all or nothing.

    The file replaces what was stored for the weeks it covers (see ``prune_chart_entries``).
    """
    parsed = Top10File(lines, file, regions, matcher)
    with store.transaction():
        store.upsert_chart_entries(parsed)
        store.prune_chart_entries(CHART, parsed.periods)
        if state is not None:
            store.set_state(*state)
    return parsed


def files_for(regions: Collection[str]) -> list[str]:
    """The files that hold the wanted regions: the global one, the countries one, or both."""
    wanted = []
    if "global" in regions:
        wanted.append(GLOBAL)
    if any(r != "global" for r in regions):
        wanted.append(COUNTRIES)
    return wanted


def state_key(name: str) -> str:
    return f"charts.netflix:{name}"


def update(store: Store, config: Config, *, timeout: float = TIMEOUT) -> list[FileResult]:
    """Fetch (when changed) and load the Top 10 files for ``[netflix] countries``."""
    source, regions = config.netflix.source, config.netflix.countries
    matcher = TitleMatcher(config.titles)
    results = []
    for name in files_for(regions):
        key = state_key(name)
        previous = store.get_state(key)
        with fetch(
            source, name, json.loads(previous) if previous else None, timeout=timeout
        ) as got:
            if got is None:
                results.append(FileResult(name, changed=False))
                continue
            parsed = ingest(
                store, got.file, got.name, regions, matcher, (key, json.dumps(got.stamp))
            )
        log.debug("%s: %d lines read, %d rows kept", name, parsed.lines, parsed.rows)
        results.append(FileResult(name, True, parsed.lines, parsed.rows))
    return results

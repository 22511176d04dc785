"""The range of dates `monitor` believes: nothing it follows is older than 1990 (streaming
charts, Reddit and Bluesky are all younger) or more than a year ahead. A chart date outside
it is refused at import; the report draws nothing outside it, so its axis never spans
centuries (a date of 9999-12-31 once cost 29 s, 990 MB and an OverflowError)."""

from __future__ import annotations

from datetime import date, timedelta

EARLIEST = date(1990, 1, 1)
AHEAD = timedelta(days=366)


def latest(today: date | None = None) -> date:
    """The last day believed: a year after ``today``."""
    return (today or date.today()) + AHEAD


def believable(day: date, today: date | None = None) -> bool:
    return EARLIEST <= day <= latest(today)

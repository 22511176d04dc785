"""Time as every timestamp column holds it: ISO-8601 UTC text with a trailing ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

#: The earliest time a post or chart week can plausibly have (before any platform we read).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
#: How far ahead of now a platform's clock may run before its time is not believed.
AHEAD = timedelta(days=1)


def plausible(moment: datetime) -> bool:
    """Whether a time a platform sent can be a post's: from 2000 to a day ahead of now."""
    return EARLIEST <= moment <= datetime.now(UTC) + AHEAD


def from_epoch(value: object) -> datetime | None:
    """Epoch seconds (a number or numeric text) as an aware datetime, or None when the
    value is not a plausible time (NaN, out of range, 1e20, "0000-00-00"…)."""
    try:
        moment = datetime.fromtimestamp(float(value), UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return moment if plausible(moment) else None


def utcnow() -> str:
    """Now, as the ISO-8601 UTC text every timestamp column holds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso(moment: datetime) -> str:
    """A datetime as stored: UTC, seconds, a trailing ``Z``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

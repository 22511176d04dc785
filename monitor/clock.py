"""Time as every timestamp column holds it: ISO-8601 UTC text with a trailing ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> str:
    """Now, as the ISO-8601 UTC text every timestamp column holds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso(moment: datetime) -> str:
    """A datetime as stored: UTC, seconds, a trailing ``Z``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

"""Retention: how long strangers' words are kept.

:func:`parse_age` reads ``90d`` / ``12w`` / ``90``; :func:`prune` drops the text and author
of older posts while keeping every row the report aggregates (post metadata, mentions,
sentiment labels), so its daily counts and sentiment do not change.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

from .clock import iso
from .errors import ConfigError
from .store import Store

log = logging.getLogger("monitor.retention")

_UNITS = {"d": 1, "w": 7, "y": 365}
#: The longest age :func:`parse_age` takes: a cutoff stays a real date.
MAX_AGE_DAYS = 100 * 365


def parse_age(text: str) -> timedelta:
    """``"90d"`` -> 90 days; also ``12w``, ``1y``, or a bare number of days."""
    match = re.fullmatch(r"\s*(\d{1,9})\s*([dwy]?)\s*", text.lower())
    if not match or int(match.group(1)) == 0:
        raise ConfigError(
            f"{text!r} is not an age", hint="write a number of days, weeks or years: 90d, 12w, 1y"
        )
    days = int(match.group(1)) * _UNITS[match.group(2) or "d"]
    if days > MAX_AGE_DAYS:
        raise ConfigError(
            f"{text!r} is longer than {MAX_AGE_DAYS // 365} years",
            hint="write an age up to 100y (nothing monitor stores is older)",
        )
    return timedelta(days=days)


def prune(store: Store, older_than: timedelta, now: datetime | None = None) -> tuple[int, str]:
    """Drop text and author of posts created more than ``older_than`` ago.

    Returns how many posts were pruned and the cutoff, as stored text.
    """
    cutoff = iso((now or datetime.now(UTC)) - older_than)
    pruned = store.prune_text(cutoff)
    store.set_state("retention.last_cutoff", cutoff)
    log.debug("pruned the text of %d posts created before %s", pruned, cutoff)
    return pruned, cutoff

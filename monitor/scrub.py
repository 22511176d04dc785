"""Credential values blanked out of any text: log lines, tracebacks, stored errors."""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import quote, quote_plus


class Scrubber:
    """Replaces each secret, in every form it may be printed in, with ``***``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = _variants(s for s in secrets if len(s) >= 4)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def _variants(secrets: Iterable[str]) -> tuple[str, ...]:
    """Each secret as it may be printed: raw, URL-quoted, JSON-escaped, in a repr."""
    found: set[str] = set()
    for secret in secrets:
        found |= {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
        found.add(repr(secret)[1:-1])
    return tuple(sorted(found, key=len, reverse=True))

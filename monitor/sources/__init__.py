"""Platform sources. Each module offers a class following :class:`Source`.

The CLI and ``monitor run`` build sources through :func:`build`, so adding a platform means
one module here and one line in ``SOURCES``.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ..config import Config, Credentials, Title
from ..errors import ConfigError
from ..store import Store

#: name -> "module:Class" of each platform's source, imported only when used.
SOURCES = {
    "reddit": "monitor.sources.reddit:RedditSource",
    "bluesky": "monitor.sources.bluesky:BlueskySource",
}


@dataclass
class PollResult:
    """What one poll of one title on one source did."""

    source: str
    title: str
    new: int = 0
    fetched: int = 0
    requests: int = 0
    cap_hit: bool = False
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class Source(Protocol):
    """A platform: search it for titles, and re-check stored posts for deletion."""

    name: str

    def poll(self, store: Store, titles: Sequence[Title]) -> list[PollResult]:
        """Fetch what is new for each title and store it; one result per title.

        Raises AuthError when the platform refuses the credentials (the whole source stops);
        any other failure is recorded in that title's result and in ``poll_runs``.
        """
        ...

    def recheck(self, store: Store, post_ids: Sequence[str]) -> int:
        """Ask the platform about stored posts; mark the deleted ones; return how many."""
        ...


def has_credentials(name: str, creds: Credentials) -> bool:
    return bool(getattr(creds, name))


def build(name: str, config: Config, creds: Credentials) -> Source:
    """The source called ``name``, ready to poll."""
    if name not in SOURCES:
        raise ConfigError(f"unknown source {name!r}", hint=f"use one of: {', '.join(SOURCES)}")
    module_name, class_name = SOURCES[name].split(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    source: Source = cls(config, creds)
    return source

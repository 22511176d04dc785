"""Bluesky through the atproto SDK: search posts that mention each title; re-check stored ones.

Each search sweeps one phrase newest-first over a time window, one page (100 posts) per
request. Every page carries the sweep's progress as its cursor, so an interrupted sweep
resumes where it stopped. When Bluesky's result cap ends a sweep early, the window is
split at the oldest post reached and the search goes on below it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from atproto import models

from ..clock import utcnow
from ..config import Config, Credentials, Title
from ..errors import AuthError, SourceError
from ..rows import PostRow
from .base import (
    Answer,
    Authors,
    Budget,
    CursorReader,
    Event,
    Gap,
    Judge,
    OutOfBudget,
    Page,
    RecheckEvent,
    SessionKeeper,
    ThreadReader,
    Window,
)
from .bluesky_client import BlueskyClient, Settings
from .bluesky_rows import PLATFORM, parse_time, post_id, post_view_to_row, search_phrases, stamp

log = logging.getLogger("monitor.sources.bluesky")

NAME = PLATFORM
PAGE_SIZE = 100
LOOKUP_SIZE = 25
SEARCH = "app.bsky.feed.searchPosts"
LOOKUP = "app.bsky.feed.getPosts"

__all__ = ["BlueskySource", "Progress", "Settings", "build"]


def build(
    config: Config,
    creds: Credentials,
    *,
    settings: Settings | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> BlueskySource:
    """The Bluesky source for this config."""
    client = BlueskyClient(config.bluesky.service, creds, settings=settings, sleep=sleep)
    return BlueskySource(client)


# --- sweep progress (the cursor) --------------------------------------------------------


@dataclass
class Progress:
    """Where a phrase's search stands: stored as its cursor after every page.

    ``since``: everything before it is stored (the high-water mark, or None at first).
    ``until``: a sweep is under way and has reached back to here; ``newest`` is just after
    the newest post it saw, the next ``since`` once the sweep is done.
    """

    since: str | None = None
    until: str | None = None
    newest: str | None = None

    @classmethod
    def load(cls, value: str | None) -> Progress:
        if not value:
            return cls()
        try:
            data = json.loads(value)
            return cls(data.get("since"), data.get("until"), data.get("newest"))
        except (ValueError, AttributeError):
            log.warning("bluesky: unreadable cursor %r, searching from the start", value)
            return cls()

    def dump(self) -> str:
        return json.dumps({"since": self.since, "until": self.until, "newest": self.newest})


# --- the source -------------------------------------------------------------------------


class BlueskySource:
    """Search Bluesky for a title through a logged-in client; re-check stored posts."""

    name = NAME

    def __init__(self, client: BlueskyClient) -> None:
        self.client = client
        self.settings = client.settings
        self.budget: int | None = client.settings.max_requests

    @property
    def requests(self) -> int:
        return self.client.requests

    def connect(self, sessions: SessionKeeper) -> AbstractContextManager[None]:
        """Log in (or reuse the saved session) for the calls inside."""

        @contextmanager
        def opened() -> Iterator[None]:
            with self.client.open(sessions):
                yield

        return opened()

    def describe(self, title: Title) -> str:
        return " | ".join(search_phrases(title))

    # --- poll ---------------------------------------------------------------------------

    def pages(
        self, title: Title, cursor: CursorReader, about: Judge, budget: Budget, window: Window
    ) -> Iterator[Event]:
        """Bring each of the title's phrases up to date; see
        :meth:`monitor.sources.base.Source.pages`. A window's ``since``/``until`` bound
        the search as Bluesky's own parameters do."""
        for phrase in search_phrases(title):
            yield from self._sweep(title, phrase, cursor, budget, window)

    def _sweep(
        self, title: Title, phrase: str, cursor: CursorReader, budget: Budget, window: Window
    ) -> Iterator[Event]:
        """One phrase; what it could not reach ends in a :class:`Gap`."""
        progress = Progress.load(cursor(phrase))
        if window.since and (progress.since is None or progress.since < window.since):
            progress.since = window.since
        resumed = progress.until is not None
        try:
            yield from self._search_window(phrase, progress, budget, window)
            if resumed:  # the interrupted sweep is done; now what came since
                yield from self._search_window(phrase, progress, budget, window)
        except AuthError:
            raise
        except (OutOfBudget, SourceError) as exc:
            failed = isinstance(exc, SourceError)
            gap = Gap(
                progress.since or _released(title),
                progress.until or window.until or utcnow(),
                error=str(exc) if failed else None,
            )
            log.log(
                logging.ERROR if failed else logging.WARNING,
                "bluesky: %s %r: %s; %s..%s waits for the next poll",
                title.name,
                phrase,
                exc,
                gap.start or "the start",
                gap.end,
            )
            yield gap

    def _search_window(
        self, phrase: str, progress: Progress, budget: Budget, window: Window
    ) -> Iterator[Event]:
        """Page through [since, until) newest first, splitting below the result cap."""
        split_at: str | None = None
        if progress.until is None and window.until:
            progress.until = window.until
        while True:
            reached = 0
            oldest: datetime | None = None
            for views in self._pages(phrase, progress, budget):
                rows = _rows(views)
                horizon = datetime.now(UTC) + timedelta(minutes=10)
                times = [  # a post dated in the future must not move the next search past now
                    t
                    for t in (parse_time((v.get("record") or {}).get("createdAt")) for v in views)
                    if t and t < horizon
                ]
                if times:
                    oldest = min(times) if oldest is None else min(oldest, *times)
                    newest = stamp(max(times) + timedelta(milliseconds=1))
                    if progress.newest is None or newest > progress.newest:
                        progress.newest = newest
                    progress.until = stamp(oldest + timedelta(milliseconds=1))
                reached += len(rows)
                yield Page(rows, (phrase, progress.dump()), skipped=len(views) - len(rows))
            if reached < self.settings.result_cap or oldest is None:
                break
            yield Page(cap_hit=True)
            if split_at is not None and progress.until is not None and progress.until >= split_at:
                # more posts in one millisecond than the cap lets through: skip past it
                yield Gap(stamp(oldest), progress.until, cap_hit=True)
                log.warning("bluesky: %r: posts at %s beyond the cap", phrase, stamp(oldest))
                progress.until = stamp(oldest)
            split_at = progress.until
            log.info("bluesky: %r hit the result cap; searching below %s", phrase, split_at)
        # a post Bluesky indexes late sorts by its (earlier) creation time: search the last
        # minutes again next time, so it is not left below the mark
        mark = parse_time(progress.newest)
        back = timedelta(seconds=self.settings.overlap)
        done = Progress(since=stamp(mark - back) if mark else progress.since)
        yield Page(cursor=(phrase, done.dump()))
        progress.since, progress.until, progress.newest = done.since, None, None

    def _pages(
        self, phrase: str, progress: Progress, budget: Budget
    ) -> Iterator[list[dict[str, Any]]]:
        """The pages of one search over the progress window, as raw postView dicts."""
        window: dict[str, Any] = {"q": f'"{phrase}"', "sort": "latest", "limit": PAGE_SIZE}
        if progress.since:
            window["since"] = progress.since
        if progress.until:  # fixed for the sweep; progress.until moves as pages arrive
            window["until"] = progress.until
        page_cursor: str | None = None
        client = self.client.client
        while True:
            budget.take()
            params = dict(window)
            if page_cursor:
                params["cursor"] = page_cursor
            # the raw JSON: the SDK's models would be built only to be turned back into dicts
            query = models.AppBskyFeedSearchPosts.Params(**params)
            response = self.client.call(partial(client.invoke_query, SEARCH, params=query))
            views, page_cursor = _search_page(response.content)
            yield views
            if not page_cursor or not views:
                return

    # --- recheck ------------------------------------------------------------------------

    def recheck(self, post_ids: Sequence[str], threads: ThreadReader) -> Iterator[RecheckEvent]:
        """Look the posts up 25 at a time; each answer says which it still returns (getPosts
        leaves out a deleted post, and sometimes one it cannot see just then).

        The answers name each author's handle too: a post stored from the stream, where
        only the author's DID is known, gets its handle."""
        uris = [pid.removeprefix(f"{NAME}:") for pid in post_ids if pid.startswith(f"{NAME}:")]
        names: list[tuple[str, str, str]] = []
        client = self.client.client
        for i in range(0, len(uris), LOOKUP_SIZE):
            batch = uris[i : i + LOOKUP_SIZE]
            query = models.AppBskyFeedGetPosts.Params(uris=batch)  # raw JSON, as for search
            response = self.client.call(partial(client.invoke_query, LOOKUP, params=query))
            found = []
            for view in _search_page(response.content, LOOKUP)[0]:
                uri = view.get("uri")
                if not isinstance(uri, str) or uri not in batch:
                    continue
                found.append(post_id(uri))
                author = view.get("author") or {}
                if author.get("did") and author.get("handle"):
                    names.append((post_id(uri), author["did"], author["handle"]))
            yield Answer([post_id(u) for u in batch], found)
        yield Authors(names)


# --- helpers ----------------------------------------------------------------------------


def _released(title: Title) -> str | None:
    return title.released.isoformat() + "T00:00:00Z" if title.released else None


def _rows(views: Sequence[dict[str, Any]]) -> list[PostRow]:
    """The rows of a page of postViews; a post without uri, author, record or date is
    skipped with a log line rather than failing the page (and every later poll)."""
    rows = []
    fetched_at = utcnow()
    for view in views:
        try:
            rows.append(post_view_to_row(view, fetched_at))
        except SourceError as exc:
            log.warning("bluesky: skipped a post: %s", exc)
    return rows


def _search_page(content: Any, nsid: str = SEARCH) -> tuple[list[dict[str, Any]], str | None]:
    """The posts and next cursor of a searchPosts (or getPosts) answer, or a SourceError."""
    posts = content.get("posts") if isinstance(content, dict) else None
    cursor = content.get("cursor") if isinstance(content, dict) else None
    if not isinstance(posts, list) or not all(isinstance(p, dict) for p in posts):
        raise SourceError(f"Bluesky answered {nsid} without a list of posts")
    return posts, cursor if isinstance(cursor, str) and cursor else None

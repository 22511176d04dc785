"""Reddit through praw: search each title's names, newest first, page by page.

Application-only OAuth (``REDDIT_CLIENT_ID`` + ``REDDIT_CLIENT_SECRET``, no user login).
Each page of submissions comes with the top comments of the ones about a title, and with
the cursor (:class:`~monitor.sources.reddit_rows.Progress`) the driver stores beside it:
the newest post of the last finished run, plus, while a run is unfinished, that run's
newest post and the last post it stored, so the next run picks up where one stopped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import praw
from praw.endpoints import API_PATH
from praw.models import Comment, MoreComments

from ..clock import iso, utcnow
from ..config import Config, Credentials, RedditConfig, Title
from ..errors import AuthError, SourceError
from ..rows import PostRow
from .base import (
    Answer,
    Budget,
    CursorReader,
    Deleted,
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
from .reddit_client import RedditClient, UnreadableData
from .reddit_rows import (
    PLATFORM,
    Mark,
    Progress,
    Unreadable,
    comment_to_row,
    created,
    cursor_query,
    is_deleted,
    post_id,
    search_query,
    submission_to_row,
)

log = logging.getLogger("monitor.sources.reddit")

PAGE_SIZE = 100
#: Reddit serves at most about this many items of one listing, however far you page.
LISTING_CAP = 1000


def build(config: Config, creds: Credentials, **options: Any) -> RedditSource:
    """The Reddit source for this config; ``options`` go to :class:`RedditClient`
    (``listing_cap`` to the source)."""
    cap = options.pop("listing_cap", LISTING_CAP)
    return RedditSource(RedditClient(config.reddit, creds, **options), config.reddit, cap)


@dataclass
class _Walk:
    """How far one title's poll has gone down the listing."""

    depth: int = 0
    oldest: float | None = None


class RedditSource:
    """Search Reddit for a title, page by page; re-check stored posts."""

    name = PLATFORM
    budget: int | None = None

    def __init__(
        self, client: RedditClient, config: RedditConfig, listing_cap: int = LISTING_CAP
    ) -> None:
        self.client = client
        self.config = config
        self.listing_cap = listing_cap

    @property
    def requests(self) -> int:
        return self.client.requests

    def connect(self, sessions: SessionKeeper) -> AbstractContextManager[None]:
        """Open praw for the calls inside (its token is fetched on the first request)."""

        @contextmanager
        def opened() -> Iterator[None]:
            with self.client.open():
                yield

        return opened()

    def describe(self, title: Title) -> str:
        return cursor_query(search_query(title), title)

    # --- polling ---------------------------------------------------------------------

    def pages(
        self, title: Title, cursor: CursorReader, about: Judge, budget: Budget, window: Window
    ) -> Iterator[Event]:
        """Page down the title's search listing; see :meth:`monitor.sources.base.Source.pages`.

        Reddit's search has no date range: ``window.since`` ends the walk like a stored
        post does, and posts newer than ``window.until`` are passed over.
        """
        query = search_query(title)
        key = cursor_query(query, title)
        walk = _Walk()
        try:
            if Progress.loads(cursor(key)).top is not None:  # finish the last run first
                yield from self._walk(title, query, key, cursor, about, budget, window, walk)
            yield from self._walk(title, query, key, cursor, about, budget, window, walk)
        except AuthError:
            raise
        except (SourceError, OutOfBudget) as exc:
            # what lies between the last stored post and the oldest reached stays unread
            newest = Progress.loads(cursor(key)).newest
            error = str(exc) if isinstance(exc, SourceError) else None
            if error:
                log.error("reddit: %s: %s", title.name, exc)
            else:
                log.warning("reddit: %s: %s; the rest waits for the next poll", title.name, exc)
            end = _when(Mark(walk.oldest, "")) if walk.oldest else utcnow()
            yield Gap(_when(newest) or _released(title), end, error=error)

    def _walk(
        self,
        title: Title,
        query: str,
        key: str,
        cursor: CursorReader,
        about: Judge,
        budget: Budget,
        window: Window,
        walk: _Walk,
    ) -> Iterator[Event]:
        """Page down the listing from where the cursor says until what is already stored."""
        progress = Progress.loads(cursor(key))
        stop, top, after, depth = progress.newest, progress.top, progress.resume, progress.depth
        since = _utc(window.since)
        until = _utc(window.until)
        path = API_PATH["search"].format(subreddit="+".join(title.subreddits) or "all")
        while True:
            params: dict[str, str | int] = {
                "q": query,
                "restrict_sr": int(bool(title.subreddits)),
                "sort": "new",
                "syntax": "lucene",
                "t": "all",
                "limit": PAGE_SIZE,
            }
            if after:
                params["after"] = after
            budget.take()
            # praw's raw JSON: objects per item would cost more than all the rest
            reddit = self.client.reddit
            answer = self.client.call(
                partial(reddit.request, method="GET", path=path, params=params), f"search {query}"
            )
            items, next_after, skipped = _listing(answer, f"search {query}")
            fresh = []
            reached = False
            for item in items:
                mark = _mark(item)
                if (stop is not None and mark.key <= stop.key) or (
                    since is not None and mark.utc < since
                ):
                    reached = True
                    break
                fresh.append(item)
            depth += len(fresh)
            if top is None:  # a post dated in the future must not hide the ones after it
                horizon = time.time() + 600
                top = next((_mark(i) for i in fresh if _mark(i).utc < horizon), None)
            done = reached or not items or not next_after or next_after == after
            if done:
                advance = Progress(newest=top or stop)
            else:
                advance = Progress(stop, top, fresh[-1]["name"], depth)
            if fresh or advance != progress:
                kept = [i for i in fresh if until is None or _mark(i).utc <= until]
                page = self._page(kept, key, advance, about)
                page.skipped += skipped
                yield page
                progress = advance
            elif skipped:
                yield Page(skipped=skipped)
            if fresh:
                walk.oldest = _mark(fresh[-1]).utc
            walk.depth = depth
            if done:
                # the listing ran out before the newest stored post: whatever cut it short
                # (the ~1,000 cap, or a search that stops sooner), the stretch between is unseen
                cut = stop is not None and depth >= PAGE_SIZE
                if not reached and (depth >= self.listing_cap or cut):
                    start = _when(stop) or _released(title)
                    yield Gap(start, _when(Mark(walk.oldest or 0.0, "")), cap_hit=True)
                    log.info(
                        "reddit: %s: listing cap reached; older posts are out of reach", title.name
                    )
                return
            after = next_after

    def _page(
        self, submissions: list[dict[str, Any]], key: str, progress: Progress, about: Judge
    ) -> Page:
        """A page of submissions with the comments of the ones about a title."""
        fetched_at = utcnow()
        rows = [submission_to_row(s, fetched_at) for s in submissions]
        threads: dict[str, frozenset[str]] = {}
        comments: list[PostRow] = []
        skipped = 0
        for submission, row in zip(submissions, rows, strict=True):
            if not row.get("num_comments") or row.get("deleted") or self.config.comments <= 0:
                continue
            titles = about(row)
            if titles:
                threads[row["id"]] = titles
                reddit = self.client.reddit
                try:
                    found, unread = self._comments(reddit.submission(submission["id"]), fetched_at)
                except UnreadableData as exc:  # retrying would fail the title on every poll
                    log.warning("reddit: skipped the comments of %s: %s", row.get("url"), exc)
                    skipped += 1
                    continue
                comments.extend(found)
                skipped += unread
        return Page(rows, (key, progress.dumps()), comments, threads, skipped=skipped)

    def _comments(
        self, submission: Any, fetched_at: str, sort: str | None = None
    ) -> tuple[list[PostRow], int]:
        """Up to ``[reddit] comments`` comments, in ``sort`` (default: ``comment_sort``)
        order, breadth first; and how many could not be read (each logged)."""
        wanted = self.config.comments
        submission.comment_sort = sort or self.config.comment_sort
        submission.comment_limit = wanted
        forest = self.client.call(lambda: submission.comments, f"comments of t3_{submission.id}")
        found = [c for c in forest.list() if isinstance(c, Comment)]
        more = any(isinstance(c, MoreComments) for c in forest.list())
        if len(found) < wanted and more and self.config.replace_more > 0:
            self.client.call(
                lambda: forest.replace_more(limit=self.config.replace_more),
                f"more comments of t3_{submission.id}",
            )
            found = [c for c in forest.list() if isinstance(c, Comment)]
        rows = []
        for comment in found[:wanted]:
            try:
                rows.append(comment_to_row(vars(comment), fetched_at))
            except Unreadable as exc:
                log.warning("reddit: skipped a comment of t3_%s: %s", submission.id, exc)
        return rows, min(len(found), wanted) - len(rows)

    # --- re-checking -----------------------------------------------------------------

    def recheck(self, post_ids: Sequence[str], threads: ThreadReader) -> Iterator[RecheckEvent]:
        """Ask Reddit about stored posts, 100 per request: the ones it shows as deleted or
        removed, which it answered about at all, then the newest comments of threads that
        have grown (see :meth:`refresh_threads`)."""
        names = [p.removeprefix(f"{PLATFORM}:") for p in post_ids if p.startswith(PLATFORM)]
        gone: list[str] = []
        current: list[dict[str, Any]] = []
        reddit = self.client.reddit
        for start in range(0, len(names), PAGE_SIZE):
            chunk = names[start : start + PAGE_SIZE]
            things = self.client.call(partial(_info, reddit, chunk), "info about stored posts")
            found = []
            for thing in things:
                raw = vars(thing)
                if getattr(thing, "name", None) not in chunk:
                    continue
                found.append(post_id(thing.name))
                if is_deleted(raw):
                    gone.append(post_id(thing.name))
                elif thing.name.startswith("t3_"):
                    current.append(raw)
            yield Answer([post_id(n) for n in chunk], found)
        yield Deleted(gone)
        yield from self.refresh_threads(current, threads)

    def refresh_threads(
        self, current: Sequence[Mapping[str, Any]], threads: ThreadReader
    ) -> Iterator[Page]:
        """The newest comments of stored threads about a title that have gained comments
        since they were stored: at most ``[reddit] refresh_threads`` threads, the most grown
        first, ``[reddit] comments`` comments each. ``current`` is Reddit's ``t3`` data."""
        if self.config.refresh_threads <= 0 or self.config.comments <= 0 or not current:
            return
        stored = threads([post_id(t["name"]) for t in current])
        grown = sorted(
            (
                (int(t.get("num_comments") or 0) - stored[post_id(t["name"])][0], t)
                for t in current
                if post_id(t["name"]) in stored
            ),
            key=lambda pair: -pair[0],
        )
        reddit = self.client.reddit
        for growth, thread in grown[: self.config.refresh_threads]:
            if growth <= 0:
                break
            fetched_at = utcnow()
            row = submission_to_row(thread, fetched_at)
            try:
                comments, _ = self._comments(reddit.submission(thread["id"]), fetched_at, "new")
            except UnreadableData as exc:
                log.warning("reddit: skipped the new comments of %s: %s", row.get("url"), exc)
                continue
            log.info("reddit: %s gained %d comments", row.get("url"), growth)
            # the thread with its new count: the same comments are not asked for again
            yield Page([row], comments=comments, threads={row["id"]: stored[row["id"]][1]})


def _mark(item: Mapping[str, Any]) -> Mark:
    return Mark(created(item).timestamp(), str(item["name"]))


def _listing(answer: Any, what: str) -> tuple[list[dict[str, Any]], str | None, int]:
    """The readable ``t3`` data, the ``after`` and how many items were passed over (each
    logged) of a raw ``Listing``; a SourceError when it is no listing at all."""
    try:
        data = answer["data"]
        things = [c["data"] for c in data["children"] if c["kind"] == "t3"]
        after = data.get("after")
    except (TypeError, KeyError, ValueError):
        raise SourceError(f"Reddit answered something that is not a listing ({what})") from None
    items = []
    for item in things:
        try:
            if not isinstance(item.get("name"), str):
                raise Unreadable(f"a thing without a name: {item!r:.120}")
            _mark(item)
        except (Unreadable, AttributeError) as exc:
            log.warning("reddit: skipped an item of %s: %s", what, exc)
            continue
        items.append(item)
    return items, after if isinstance(after, str) else None, len(things) - len(items)


def _info(reddit: praw.Reddit, fullnames: list[str]) -> list[Any]:
    return list(reddit.info(fullnames=fullnames))


def _released(title: Title) -> str | None:
    return title.released.isoformat() + "T00:00:00Z" if title.released else None


def _when(mark: Mark | None) -> str | None:
    return iso(datetime.fromtimestamp(mark.utc, UTC)) if mark is not None and mark.utc else None


def _utc(stamp: str | None) -> float | None:
    """An ISO time as epoch seconds."""
    return datetime.fromisoformat(stamp).timestamp() if stamp else None

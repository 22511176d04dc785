"""Reddit through praw: search each title's names, newest first, page by page.

Application-only OAuth (``REDDIT_CLIENT_ID`` + ``REDDIT_CLIENT_SECRET``, no user login).
Each page of submissions, with the top comments of the ones about a title, is written in
one transaction together with the cursor advance, so a run killed at any moment loses at
most the page in flight and the next run picks up where it stopped.

The cursor (per title × query) is :class:`Progress`: the newest post of the last finished
run, plus, while a run is unfinished, that run's newest post and the last post it stored.
The mappers :func:`submission_to_row` and :func:`comment_to_row` are pure.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

import praw
import prawcore
import requests
from praw.endpoints import API_PATH
from praw.models import Comment, MoreComments
from prawcore.sessions import FiniteRetryStrategy

from ..clock import iso, utcnow
from ..config import Config, Credentials, Title
from ..errors import AuthError, RateLimited, SourceError
from ..ingest import Cursor, mentions_for, store_page
from ..queries import threads_about
from ..rows import PostRow, Row
from ..store import Store
from . import PollResult

log = logging.getLogger("monitor.sources.reddit")

PLATFORM = "reddit"
SITE = "https://www.reddit.com"
PAGE_SIZE = 100
#: Reddit serves at most about this many items of one listing, however far you page.
LISTING_CAP = 1000
GONE = ("[deleted]", "[removed]")
CREDENTIALS_HINT = (
    "check REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET: the id and secret of a Reddit "
    "'script' app (reddit.com/prefs/apps)"
)

T = TypeVar("T")


# --- mapping: raw API data -> rows (pure) ---------------------------------------------------


def post_id(fullname: str) -> str:
    """The ``posts.id`` of a Reddit thing: ``reddit:t3_abc``."""
    return f"{PLATFORM}:{fullname}"


def _name(value: Any) -> str | None:
    """An author or subreddit as text, whether raw (``str``) or a praw object."""
    if value is None:
        return None
    return str(value)


def is_deleted(raw: Mapping[str, Any]) -> bool:
    """Deleted by its author or removed by a moderator, as Reddit shows it."""
    author = _name(raw.get("author"))
    text = raw.get("body", raw.get("selftext"))
    return (
        author is None
        or author == "[deleted]"
        or text in GONE
        or bool(raw.get("removed_by_category"))
    )


def _created(raw: Mapping[str, Any]) -> str:
    return iso(datetime.fromtimestamp(float(raw["created_utc"]), UTC))


def _row(raw: Mapping[str, Any], text: str, fetched_at: str | None) -> PostRow:
    deleted = is_deleted(raw)
    return {
        "id": post_id(raw["name"]),
        "platform": PLATFORM,
        "native_id": raw["name"],
        "url": SITE + raw["permalink"] if raw.get("permalink") else None,
        "author": None if deleted else _name(raw.get("author")),
        "community": _name(raw.get("subreddit")),
        "text": None if deleted else text,
        "created_at": _created(raw),
        "score": raw.get("score"),
        "deleted": int(deleted),
        "fetched_at": fetched_at or utcnow(),
    }


def submission_to_row(raw: Mapping[str, Any], fetched_at: str | None = None) -> PostRow:
    """A ``posts`` row from a submission's ``t3`` data (or ``vars()`` of a praw Submission)."""
    text = "\n\n".join(part for part in (raw.get("title"), raw.get("selftext")) if part)
    return {
        **_row(raw, text, fetched_at),
        "thread_id": post_id(raw["name"]),
        "parent_id": None,
        "num_comments": raw.get("num_comments"),
    }


def comment_to_row(raw: Mapping[str, Any], fetched_at: str | None = None) -> PostRow:
    """A ``posts`` row from a comment's ``t1`` data (or ``vars()`` of a praw Comment)."""
    return {
        **_row(raw, raw.get("body") or "", fetched_at),
        "thread_id": post_id(raw["link_id"]),
        "parent_id": post_id(raw["parent_id"]),
        "num_comments": None,
    }


def search_query(title: Title) -> str:
    """Lucene query matching any of the title's names as a phrase."""
    phrases = (" ".join(name.replace('"', " ").split()) for name in title.names)
    return " OR ".join(f'"{phrase}"' for phrase in phrases)


def _cursor_query(query: str, title: Title) -> str:
    """The query plus its scope: the key of the cursor and of ``poll_runs.query``."""
    return f"{query} in r/{'+'.join(title.subreddits)}" if title.subreddits else query


# --- the cursor --------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """One post's place in a newest-first listing."""

    utc: float
    name: str

    @property
    def key(self) -> tuple[float, int]:
        return (self.utc, int(self.name.partition("_")[2] or "0", 36))


@dataclass(frozen=True)
class Progress:
    """How far a title × query has been fetched (stored as JSON in ``cursors``).

    Everything at or below ``newest`` is stored. While a run is unfinished, ``top`` is that
    run's newest post and ``resume`` the last one it stored: everything from ``top`` down to
    ``resume`` is stored too, and the next run first finishes the stretch below ``resume``.
    """

    newest: Mark | None = None
    top: Mark | None = None
    resume: str | None = None
    depth: int = 0

    def dumps(self) -> str:
        return json.dumps(
            {
                "newest": [self.newest.utc, self.newest.name] if self.newest else None,
                "top": [self.top.utc, self.top.name] if self.top else None,
                "resume": self.resume,
                "depth": self.depth,
            }
        )

    @classmethod
    def loads(cls, text: str | None) -> Progress:
        if not text:
            return cls()
        try:
            data = json.loads(text)
            return cls(
                newest=Mark(*data["newest"]) if data.get("newest") else None,
                top=Mark(*data["top"]) if data.get("top") else None,
                resume=data.get("resume"),
                depth=int(data.get("depth") or 0),
            )
        except (ValueError, TypeError, KeyError):
            log.warning("unreadable Reddit cursor %r: polling this query from the start", text)
            return cls()


# --- the client --------------------------------------------------------------------------


class _Session(requests.Session):
    """The HTTP session under praw: counts requests (retries included), applies our timeout.

    prawcore passes its own default timeout (16 s, or ``$PRAWCORE_TIMEOUT`` read at import)
    with every API request, so the timeout is set here rather than through praw.
    """

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout
        self.count = 0

    def request(self, *args: Any, **kwargs: Any) -> Any:
        self.count += 1
        kwargs["timeout"] = self.timeout
        return super().request(*args, **kwargs)


def _retry_strategy(bound: int, backoff: float, sleep: Callable[[float], None]) -> type:
    """prawcore's retry strategy for 5xx and connection errors, with our bound and sleep."""

    @dataclass(frozen=True)
    class Strategy(FiniteRetryStrategy):
        retries: int = bound

        def _sleep_seconds(self) -> float | None:
            done = bound - self.retries
            return backoff * 2 ** (done - 1) if done > 0 else None

        def sleep(self) -> None:
            seconds = self._sleep_seconds()
            if seconds:
                log.info("Reddit failed; retrying in %.1fs", seconds)
                sleep(seconds)

    return Strategy


@dataclass
class _Run:
    """What one title's poll has done so far."""

    fetched: int = 0
    new: int = 0
    cap_hit: bool = False
    gap_start: str | None = None
    gap_end: str | None = None
    oldest: float | None = None


class RedditSource:
    """Search Reddit for the tracked titles and store what is new."""

    name = PLATFORM

    def __init__(
        self,
        config: Config,
        creds: Credentials,
        *,
        timeout: float = 16.0,
        retries: int = 2,
        backoff: float = 2.0,
        max_wait: float = 600.0,
        rate_waits: int = 3,
        sleep: Callable[[float], None] = time.sleep,
        listing_cap: int = LISTING_CAP,
    ) -> None:
        """``timeout``: seconds per request; ``retries`` with ``backoff`` (doubling) on 5xx
        and connection errors; on a 429, wait for the reset, at most ``max_wait`` seconds,
        at most ``rate_waits`` times per request. ``sleep`` does the waiting."""
        if not creds.reddit:
            raise AuthError("no Reddit credentials in the environment", hint=CREDENTIALS_HINT)
        self.config = config.reddit
        self.titles = config.titles
        self.creds = creds
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.rate_waits = rate_waits
        self.sleep = sleep
        self.listing_cap = listing_cap
        self._http: _Session | None = None

    @property
    def requests(self) -> int:
        """HTTP requests made so far by the open client (token and retries included)."""
        return self._http.count if self._http is not None else 0

    @contextmanager
    def client(self) -> Iterator[praw.Reddit]:
        """A read-only praw client, with our timeout, retries and request counter."""
        http = _Session(self.timeout)
        urls: dict[str, Any] = {
            key: value
            for key, value in (
                ("oauth_url", self.config.oauth_url),
                ("reddit_url", self.config.reddit_url),
            )
            if value
        }
        try:
            reddit = praw.Reddit(
                client_id=self.creds.reddit_client_id,
                client_secret=self.creds.reddit_client_secret,
                user_agent=self.config.user_agent,
                check_for_updates=False,
                check_for_async=False,
                requestor_kwargs={"session": http},
                **urls,
            )
            # prawcore's sessions take their retry schedule from this class attribute; ours
            # keeps prawcore's behaviour with a bound and a sleep we choose (tests: no waits)
            strategy = _retry_strategy(self.retries, self.backoff, self.sleep)
            for core in (reddit._core, reddit._read_only_core):
                if core is not None:
                    core._retry_strategy_class = strategy
            self._http = http
            yield reddit
        finally:
            self._http = None
            http.close()

    # --- polling ---------------------------------------------------------------------

    def poll(self, store: Store, titles: Sequence[Title]) -> list[PollResult]:
        """Fetch what is new for each title; see :meth:`monitor.sources.Source.poll`."""
        with self.client() as reddit:
            return [self._poll_title(reddit, store, title, titles) for title in titles]

    def _poll_title(
        self, reddit: praw.Reddit, store: Store, title: Title, titles: Sequence[Title]
    ) -> PollResult:
        query = search_query(title)
        key = _cursor_query(query, title)
        run_id = store.start_poll_run(PLATFORM, title.name, key)
        result = PollResult(PLATFORM, title.name)
        run = _Run()
        before = self.requests
        finished = False
        try:
            if Progress.loads(store.get_cursor(PLATFORM, title.name, key)).top is not None:
                self._walk(reddit, store, title, titles, query, key, run)  # finish the last run
            self._walk(reddit, store, title, titles, query, key, run)
            finished = True
        except SourceError as exc:
            result.error = str(exc)
            if isinstance(exc, AuthError):
                raise
            log.error("reddit: %s: %s", title.name, exc)
            # what lies between the last stored post and the oldest reached stays unread
            newest = Progress.loads(store.get_cursor(PLATFORM, title.name, key)).newest
            run.gap_start = _when(newest) or _released(title)
            run.gap_end = _when(Mark(run.oldest, "")) if run.oldest else utcnow()
        finally:
            result.fetched, result.new, result.cap_hit = run.fetched, run.new, run.cap_hit
            result.requests = self.requests - before
            if not finished and result.error is None:
                result.error = "interrupted"
            store.finish_poll_run(
                run_id,
                status="ok" if result.error is None else "failed",
                requests=result.requests,
                fetched=run.fetched,
                new=run.new,
                cap_hit=int(run.cap_hit),
                error=result.error,
                gap_start=run.gap_start,
                gap_end=run.gap_end,
            )
        log.info(
            "reddit: %s: %d fetched, %d new, %d requests%s",
            title.name,
            run.fetched,
            run.new,
            result.requests,
            " (listing cap reached: older posts are out of reach)" if run.cap_hit else "",
        )
        return result

    def _walk(
        self,
        reddit: praw.Reddit,
        store: Store,
        title: Title,
        titles: Sequence[Title],
        query: str,
        key: str,
        run: _Run,
    ) -> None:
        """Page down the listing from where the cursor says until what is already stored."""
        progress = Progress.loads(store.get_cursor(PLATFORM, title.name, key))
        stop, top, after, depth = progress.newest, progress.top, progress.resume, progress.depth
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
            # praw's raw JSON: objects per item would cost more than all the rest
            answer = self._call(
                partial(reddit.request, method="GET", path=path, params=params), f"search {query}"
            )
            items, next_after = _listing(answer, f"search {query}")
            fresh = []
            reached = False
            for item in items:
                if stop is not None and _mark(item).key <= stop.key:
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
                fetched, new = self._store_page(reddit, store, titles, fresh, title, key, advance)
                run.fetched += fetched
                run.new += new
                progress = advance
            if fresh:
                run.oldest = _mark(fresh[-1]).utc
            if done:
                # the listing ran out before the newest stored post: whatever cut it short
                # (the ~1,000 cap, or a search that stops sooner), the stretch between is unseen
                cut = stop is not None and depth >= PAGE_SIZE
                if not reached and (depth >= self.listing_cap or cut):
                    run.cap_hit = True
                    run.gap_start = _when(stop) or _released(title)
                    run.gap_end = _when(Mark(run.oldest or 0.0, ""))
                return
            after = next_after

    def _store_page(
        self,
        reddit: praw.Reddit,
        store: Store,
        titles: Sequence[Title],
        submissions: list[Row],
        title: Title,
        key: str,
        progress: Progress,
    ) -> tuple[int, int]:
        """Fetch the comments of the page's threads, then write it all with the cursor.

        Returns how many posts and comments were fetched, and how many of them were new.
        """
        fetched_at = utcnow()
        rows = [submission_to_row(s, fetched_at) for s in submissions]
        threads: dict[str, frozenset[str]] = {}
        comments: list[PostRow] = []
        for submission, row in zip(submissions, rows, strict=True):
            if not row["num_comments"] or row["deleted"] or self.config.comments <= 0:
                continue
            about = frozenset(m["title"] for m in mentions_for(row, titles))
            if about:
                threads[row["id"]] = about
                try:
                    comments.extend(self._comments(reddit.submission(submission["id"]), fetched_at))
                except UnreadableData as exc:  # retrying would fail the title on every poll
                    log.warning("reddit: skipped the comments of %s: %s", row["url"], exc)
        cursor = Cursor(PLATFORM, title.name, key, progress.dumps())
        with store.transaction():
            new = store_page(store, rows, titles, cursor)
            if comments:
                new += store_page(store, comments, titles, thread_titles=threads)
        return len(rows) + len(comments), new

    def _comments(self, submission: Any, fetched_at: str, sort: str | None = None) -> list[PostRow]:
        """Up to ``[reddit] comments`` comments, in ``sort`` (default: ``comment_sort``)
        order, breadth first."""
        wanted = self.config.comments
        submission.comment_sort = sort or self.config.comment_sort
        submission.comment_limit = wanted
        forest = self._call(lambda: submission.comments, f"comments of t3_{submission.id}")
        found = [c for c in forest.list() if isinstance(c, Comment)]
        more = any(isinstance(c, MoreComments) for c in forest.list())
        if len(found) < wanted and more and self.config.replace_more > 0:
            self._call(
                lambda: forest.replace_more(limit=self.config.replace_more),
                f"more comments of t3_{submission.id}",
            )
            found = [c for c in forest.list() if isinstance(c, Comment)]
        return [comment_to_row(vars(c), fetched_at) for c in found[:wanted]]

    # --- re-checking -----------------------------------------------------------------

    def recheck(self, store: Store, post_ids: Sequence[str]) -> int:
        """Ask Reddit about stored posts, 100 per request; mark the deleted, and fetch the
        newest comments of threads that have grown (see :meth:`refresh_threads`). Returns
        how many were deleted."""
        names = [p.removeprefix(f"{PLATFORM}:") for p in post_ids if p.startswith(PLATFORM)]
        gone: list[str] = []
        threads: list[dict[str, Any]] = []
        with self.client() as reddit:
            for start in range(0, len(names), PAGE_SIZE):
                chunk = names[start : start + PAGE_SIZE]
                things = self._call(partial(_info, reddit, chunk), "info about stored posts")
                for thing in things:
                    raw = vars(thing)
                    if is_deleted(raw):
                        gone.append(post_id(thing.name))
                    elif thing.name.startswith("t3_"):
                        threads.append(raw)
            deleted = store.mark_deleted(gone) if gone else 0
            self.refresh_threads(reddit, store, threads)
        return deleted

    def refresh_threads(
        self, reddit: praw.Reddit, store: Store, threads: Sequence[Mapping[str, Any]]
    ) -> int:
        """Store the newest comments of stored threads about a title that have gained
        comments since they were stored: at most ``[reddit] refresh_threads`` threads, the
        most grown first, ``[reddit] comments`` comments each. ``threads`` is Reddit's
        current ``t3`` data. Returns how many posts were new."""
        if self.config.refresh_threads <= 0 or self.config.comments <= 0 or not threads:
            return 0
        stored = threads_about(store, [post_id(t["name"]) for t in threads])
        grown = sorted(
            (
                (int(t.get("num_comments") or 0) - stored[post_id(t["name"])][0], t)
                for t in threads
                if post_id(t["name"]) in stored
            ),
            key=lambda pair: -pair[0],
        )
        new = 0
        for growth, thread in grown[: self.config.refresh_threads]:
            if growth <= 0:
                break
            fetched_at = utcnow()
            row = submission_to_row(thread, fetched_at)
            try:
                comments = self._comments(reddit.submission(thread["id"]), fetched_at, "new")
            except UnreadableData as exc:
                log.warning("reddit: skipped the new comments of %s: %s", row["url"], exc)
                continue
            with store.transaction():
                store.upsert_posts([row])  # its new count: the same comments are not asked again
                added = store_page(
                    store, comments, self.titles, thread_titles={row["id"]: stored[row["id"]][1]}
                )
            log.info("reddit: %s gained %d comments; %d new stored", row["url"], growth, added)
            new += added
        return new

    # --- errors ----------------------------------------------------------------------

    def _call(self, fn: Callable[[], T], what: str) -> T:
        """Run one praw call: wait out 429s, turn prawcore errors into domain errors."""
        waits = 0
        while True:
            try:
                return fn()
            except prawcore.TooManyRequests as exc:
                waits += 1
                if waits > self.rate_waits:
                    raise RateLimited(
                        f"Reddit kept answering 429 Too Many Requests ({what})",
                        reset_at=None,
                    ) from None
                seconds = _reset_seconds(exc.response.headers, self.max_wait)
                log.warning(
                    "Reddit rate limit (429): waiting %.0fs for the window to reset "
                    "(capped at %.0fs), then going on",
                    seconds,
                    self.max_wait,
                )
                self.sleep(seconds)
            except prawcore.OAuthException as exc:
                raise AuthError(
                    f"Reddit refused the app credentials ({exc.error})", hint=CREDENTIALS_HINT
                ) from None
            except prawcore.InvalidToken:
                raise AuthError(
                    "Reddit refused the access token it had just issued", hint=CREDENTIALS_HINT
                ) from None
            except KeyError as exc:
                if exc.args != (401,):
                    raise
                # prawcore 4 has no class for a 401 without a WWW-Authenticate header
                raise AuthError(
                    "Reddit refused the access token it had just issued", hint=CREDENTIALS_HINT
                ) from None
            except prawcore.BadJSON:
                raise SourceError(f"Reddit answered malformed JSON ({what})") from None
            except (TypeError, AttributeError) as exc:  # e.g. a null author praw cannot read
                raise UnreadableData(
                    f"Reddit sent data praw could not read ({what}): {type(exc).__name__}: {exc}"
                ) from None
            except prawcore.ResponseException as exc:
                status = exc.response.status_code
                if "access_token" in (exc.response.url or "") and status in (400, 401, 403):
                    raise AuthError(
                        f"Reddit refused the app credentials ({status} on the token request)",
                        hint=CREDENTIALS_HINT,
                    ) from None
                raise SourceError(f"Reddit answered {status} ({what})") from None
            except prawcore.RequestException as exc:
                reason = exc.original_exception
                if isinstance(reason, requests.exceptions.Timeout):
                    message = f"Reddit did not answer within {self.timeout:g}s ({what})"
                else:
                    message = f"could not reach Reddit ({what}): {type(reason).__name__}"
                raise SourceError(message) from None


class UnreadableData(SourceError):
    """Reddit answered, but with data praw cannot read: asking again will not help."""


def _reset_seconds(headers: Mapping[str, str], cap: float) -> float:
    """Seconds until Reddit's rate-limit window resets, from a 429's headers, capped."""
    for name in ("x-ratelimit-reset", "retry-after"):
        try:
            return min(max(float(headers[name]), 1.0), cap)
        except (KeyError, ValueError):
            continue
    return min(60.0, cap)


def _mark(item: Mapping[str, Any]) -> Mark:
    return Mark(float(item["created_utc"]), str(item["name"]))


def _listing(answer: Any, what: str) -> tuple[list[Row], str | None]:
    """The ``t3`` data and the ``after`` of a raw ``Listing``, or a SourceError."""
    try:
        data = answer["data"]
        items = [c["data"] for c in data["children"] if c["kind"] == "t3"]
        for item in items:
            _mark(item)
        return items, data.get("after")
    except (TypeError, KeyError, ValueError):
        raise SourceError(f"Reddit answered something that is not a listing ({what})") from None


def _info(reddit: praw.Reddit, fullnames: list[str]) -> list[Any]:
    return list(reddit.info(fullnames=fullnames))


def _released(title: Title) -> str | None:
    return title.released.isoformat() + "T00:00:00Z" if title.released else None


def _when(mark: Mark | None) -> str | None:
    return iso(datetime.fromtimestamp(mark.utc, UTC)) if mark is not None and mark.utc else None

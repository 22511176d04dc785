"""Bluesky through the atproto SDK: search posts that mention each title; re-check deletions.

Search goes through the logged-in PDS (Bluesky's public AppView refuses anonymous search).
The session string is kept in a file beside the database (:mod:`monitor.session_file`) and
reused, because account logins are scarce; a password login happens only when the saved
session is refused.

Each search sweeps one phrase newest-first over a time window, one page (100 posts) per
request. Every page is stored with the sweep's progress as its cursor, in one transaction, so
an interrupted sweep resumes where it stopped. When Bluesky's result cap ends a sweep early,
the window is split at the oldest post reached and the search goes on below it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import httpx
from atproto import Client, Session, SessionEvent, models
from atproto.exceptions import (
    AtProtocolError,
    BadRequestError,
    NetworkError,
    RateLimitExceededError,
    RequestException,
    UnauthorizedError,
)
from atproto_client.request import Request, Response

from .. import session_file
from ..config import Config, Credentials, Title
from ..errors import AuthError, RateLimited, SourceError
from ..ingest import Cursor, store_page
from ..store import Row, Store, name_authors, utcnow
from . import PollResult
from .bluesky_rows import (
    PLATFORM,
    parse_time,
    post_id,
    post_view_to_row,
    search_phrases,
    stamp,
)

log = logging.getLogger("monitor.sources.bluesky")

NAME = PLATFORM
PAGE_SIZE = 100
LOOKUP_SIZE = 25
RESULT_CAP = 10_000
SEARCH = "app.bsky.feed.searchPosts"
LOOKUP = "app.bsky.feed.getPosts"


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


@dataclass
class Settings:
    """Limits, waits and timeouts; tests shrink them."""

    timeout: float = 30.0
    retries: int = 3
    backoff: float = 2.0
    max_wait: float = 900.0
    max_requests: int = 300  # per title and poll; the rest waits for the next poll
    result_cap: int = RESULT_CAP
    overlap: float = 120.0  # seconds searched again below the newest post: late-indexed posts


class _Unreached(Exception):
    """The request budget for this poll is spent; the rest of the window waits."""


Gap = tuple[str, str]


class BlueskySource:
    """Search Bluesky for each title through a logged-in atproto client."""

    name = NAME

    def __init__(
        self,
        config: Config,
        creds: Credentials,
        *,
        settings: Settings | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not creds.bluesky:
            raise AuthError(
                "Bluesky credentials are missing",
                hint="set BLUESKY_HANDLE and BLUESKY_APP_PASSWORD (an app password)",
            )
        self.service = config.bluesky.service
        self.handle = creds.bluesky_handle or ""
        self._password = creds.bluesky_app_password or ""
        self.settings = settings or Settings()
        self.sleep = sleep
        self._client: Client | None = None
        self._store: Store | None = None
        self.requests = 0

    # --- session ------------------------------------------------------------------------

    @property
    def _owner(self) -> str:
        return f"{self.handle.casefold()} {self.service}"

    def _save_session(self, event: SessionEvent, session: Any) -> None:
        if self._store is not None and event in (SessionEvent.CREATE, SessionEvent.REFRESH):
            session_file.save(self._store.path, self._owner, session.export())
            log.debug("bluesky: session %s saved", event.value)

    def _saved_session(self, store: Store) -> str | None:
        """The saved session string, if it is this account's on this service and readable."""
        saved = session_file.load(store.path, self._owner)
        if not saved:
            return None
        try:
            Session.decode(saved).access_jwt_payload  # noqa: B018  (decodes, or raises)
        except Exception:  # any damage to the stored text
            log.warning("bluesky: the saved session is unreadable; logging in again")
            return None
        return saved

    def _open(self, store: Store) -> Client:
        """A logged-in client: the saved session if the server still takes it, else a login."""
        self._store = store
        client = Client(
            base_url=self.service, request=_LenientRequest(timeout=self.settings.timeout)
        )
        client.on_session_change(self._save_session)
        self._client = client
        saved = self._saved_session(store)
        if saved:
            try:
                self._call(lambda: client.login(session_string=saved), relogin=False)
                log.debug("bluesky: reusing the saved session")
                return client
            except AuthError:
                log.info("bluesky: the saved session was refused; logging in again")
        self._login()
        return client

    def _login(self) -> None:
        assert self._client is not None
        client = self._client
        try:
            self._call(lambda: client.login(self.handle, self._password), relogin=False)
        except AuthError:
            raise AuthError(
                f"Bluesky refused the login for {self.handle}",
                hint="check BLUESKY_HANDLE and BLUESKY_APP_PASSWORD (use an app password)",
            ) from None
        log.info("bluesky: logged in as %s", self.handle)

    def close(self) -> None:
        if self._client is not None:
            self._client.request.close()
            self._client = None
        self._store = None

    # --- one request, with waits and retries --------------------------------------------

    def _call(self, fn: Callable[[], Any], *, relogin: bool = True) -> Any:
        """Run one SDK call: wait out rate limits, retry 5xx / network, log in again on 401."""
        attempt = waits = 0
        relogged = not relogin
        while True:
            self.requests += 1
            try:
                return fn()
            except RateLimitExceededError as exc:
                wait = _seconds_until(exc.reset_at, exc.retry_after)
                waits += 1
                if wait > self.settings.max_wait or waits > self.settings.retries:
                    raise RateLimited(
                        f"Bluesky rate limit: next request allowed at {exc.reset_at}",
                        reset_at=exc.reset_at,
                    ) from None
                log.warning("bluesky: rate limited; waiting %.0f s until the reset", wait)
                self.sleep(wait)
            except UnauthorizedError as exc:
                if relogged:
                    raise AuthError(f"Bluesky refused the session: {exc}") from None
                relogged = True
                log.info("bluesky: session refused (%s); logging in again", exc)
                self._login()
            except BadRequestError as exc:
                if _xrpc_error(exc) in ("ExpiredToken", "InvalidToken"):
                    raise AuthError(f"Bluesky refused the session: {exc}") from None
                raise SourceError(f"Bluesky refused the request: {exc}") from None
            except (
                NetworkError,
                RequestException,
                ValueError,
                AtProtocolError,
                httpx.TransportError,
            ) as exc:
                retryable = not isinstance(exc, RequestException) or _status(exc) >= 500
                if not retryable or attempt >= self.settings.retries:
                    raise SourceError(f"Bluesky request failed: {_describe(exc)}") from None
                delay = self.settings.backoff * 2**attempt
                attempt += 1
                log.warning("bluesky: %s; retry %d in %.1f s", _describe(exc), attempt, delay)
                self.sleep(delay)

    # --- poll ---------------------------------------------------------------------------

    def poll(self, store: Store, titles: Sequence[Title]) -> list[PollResult]:
        results: list[PollResult] = []
        try:
            try:
                client = self._open(store)
            except AuthError:
                raise
            except SourceError as exc:  # no session: every title fails, recorded as such
                log.error("bluesky: %s", exc)
                for title in titles:
                    run = store.start_poll_run(NAME, title.name, " | ".join(search_phrases(title)))
                    store.finish_poll_run(run, status="failed", error=str(exc))
                    results.append(PollResult(NAME, title.name, error=str(exc)))
                return results
            for title in titles:
                results.append(self._poll_title(client, store, title))
        finally:
            self.close()
        return results

    def _poll_title(self, client: Client, store: Store, title: Title) -> PollResult:
        phrases = search_phrases(title)
        run = store.start_poll_run(NAME, title.name, " | ".join(phrases))
        result = PollResult(NAME, title.name)
        start = self.requests
        gaps: list[Gap] = []
        try:
            for phrase in phrases:
                self._sweep(client, store, title, phrase, result, gaps)
        except AuthError as exc:
            result.error = str(exc)
            raise
        finally:
            result.requests = self.requests - start
            fields: dict[str, Any] = {
                "requests": result.requests,
                "fetched": result.fetched,
                "new": result.new,
                "cap_hit": int(result.cap_hit),
                "error": result.error,
            }
            if gaps:  # one column pair: the span from the first gap to the last
                fields.update(gap_start=min(g[0] for g in gaps), gap_end=max(g[1] for g in gaps))
            store.finish_poll_run(run, status="ok" if result.ok else "failed", **fields)
        return result

    def _sweep(
        self,
        client: Client,
        store: Store,
        title: Title,
        phrase: str,
        result: PollResult,
        gaps: list[Gap],
    ) -> None:
        """Bring one phrase up to date; add what it could not reach to ``gaps``."""
        key = Cursor(NAME, title.name, phrase, "")
        progress = Progress.load(store.get_cursor(NAME, title.name, phrase))
        resumed = progress.until is not None
        spent_at = self.requests + self.settings.max_requests
        try:
            self._search_window(client, store, title, key, progress, result, spent_at, gaps)
            if resumed:  # the interrupted sweep is done; now what came since
                self._search_window(client, store, title, key, progress, result, spent_at, gaps)
        except AuthError:
            raise
        except (_Unreached, SourceError) as exc:
            failed = isinstance(exc, SourceError)
            if failed:
                result.error = str(exc)
            gap = (progress.since or "", progress.until or stamp(datetime.now(UTC)))
            gaps.append(gap)
            log.log(
                logging.ERROR if failed else logging.WARNING,
                "bluesky: %s %r: %s; %s..%s waits for the next poll",
                title.name,
                phrase,
                exc,
                gap[0] or "the start",
                gap[1],
            )

    def _search_window(
        self,
        client: Client,
        store: Store,
        title: Title,
        key: Cursor,
        progress: Progress,
        result: PollResult,
        spent_at: int,
        gaps: list[Gap],
    ) -> None:
        """Page through [since, until) newest first, splitting below the result cap."""
        split_at: str | None = None
        while True:
            reached = 0
            oldest: datetime | None = None
            for views in self._pages(client, key.query, progress, spent_at):
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
                result.fetched += len(rows)
                cursor = Cursor(key.source, key.title, key.query, progress.dump())
                result.new += store_page(store, rows, [title], cursor)
            if reached < self.settings.result_cap or oldest is None:
                break
            result.cap_hit = True
            if split_at is not None and progress.until is not None and progress.until >= split_at:
                # more posts in one millisecond than the cap lets through: skip past it
                gaps.append((stamp(oldest), progress.until))
                log.warning("bluesky: %r: posts at %s beyond the cap", key.query, stamp(oldest))
                progress.until = stamp(oldest)
            split_at = progress.until
            log.info("bluesky: %r hit the result cap; searching below %s", key.query, split_at)
        # a post Bluesky indexes late sorts by its (earlier) creation time: search the last
        # minutes again next time, so it is not left below the mark
        mark = parse_time(progress.newest)
        back = timedelta(seconds=self.settings.overlap)
        done = Progress(since=stamp(mark - back) if mark else progress.since)
        store.set_cursor(key.source, key.title, key.query, done.dump())
        progress.since, progress.until, progress.newest = done.since, None, None

    def _pages(
        self, client: Client, phrase: str, progress: Progress, spent_at: int
    ) -> Iterator[list[dict[str, Any]]]:
        """The pages of one search over the progress window, as raw postView dicts."""
        window: dict[str, Any] = {"q": f'"{phrase}"', "sort": "latest", "limit": PAGE_SIZE}
        if progress.since:
            window["since"] = progress.since
        if progress.until:  # fixed for the sweep; progress.until moves as pages arrive
            window["until"] = progress.until
        page_cursor: str | None = None
        while True:
            if self.requests >= spent_at:
                raise _Unreached("request budget for this poll spent")
            params = dict(window)
            if page_cursor:
                params["cursor"] = page_cursor
            # the raw JSON: the SDK's models would be built only to be turned back into dicts
            query = models.AppBskyFeedSearchPosts.Params(**params)
            response = self._call(partial(client.invoke_query, SEARCH, params=query))
            views, page_cursor = _search_page(response.content)
            yield views
            if not page_cursor or not views:
                return

    # --- recheck ------------------------------------------------------------------------

    def recheck(self, store: Store, post_ids: Sequence[str]) -> int:
        """Look the posts up 25 at a time; mark those Bluesky no longer returns as deleted.

        The answers name each author's handle too: a post stored from the stream, where
        only the author's DID is known, gets its handle."""
        uris = [pid.removeprefix(f"{NAME}:") for pid in post_ids if pid.startswith(f"{NAME}:")]
        if not uris:
            return 0
        gone: list[str] = []
        names: list[tuple[str, str, str]] = []
        try:
            client = self._open(store)
            for i in range(0, len(uris), LOOKUP_SIZE):
                batch = uris[i : i + LOOKUP_SIZE]
                query = models.AppBskyFeedGetPosts.Params(uris=batch)  # raw JSON, as for search
                response = self._call(partial(client.invoke_query, LOOKUP, params=query))
                found = set()
                for view in _search_page(response.content, LOOKUP)[0]:
                    found.add(view.get("uri"))
                    author = view.get("author") or {}
                    if view.get("uri") and author.get("did") and author.get("handle"):
                        names.append((post_id(view["uri"]), author["did"], author["handle"]))
                gone.extend(post_id(u) for u in batch if u not in found)
        finally:
            self.close()
        named = name_authors(store, names)
        if named:
            log.info("bluesky: %d posts from the stream now name their author's handle", named)
        return store.mark_deleted(gone)


# --- helpers ----------------------------------------------------------------------------


class _LenientRequest(Request):  # type: ignore[misc]
    """The SDK's HTTP layer, reading JSON answers with Python's parser: the SDK's own
    refuses a whole page over one unpaired surrogate escape (``\\ud800``) in one post."""

    def get(self, *args: Any, **kwargs: Any) -> Response:
        response = self._send_request("GET", *args, **kwargs)
        content: Any = response.content
        if "application/json" in response.headers.get("content-type", "").lower():
            content = json.loads(response.content)
        headers = {key.lower(): value for key, value in response.headers.items()}
        return Response(True, response.status_code, content, headers)


def _rows(views: Sequence[dict[str, Any]]) -> list[Row]:
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


def _seconds_until(reset_at: datetime | None, retry_after: float | None) -> float:
    if retry_after is not None:
        return retry_after
    if reset_at is None:
        return 60.0
    return max((reset_at - datetime.now(UTC)).total_seconds(), 0.0) + 1.0


def _status(exc: AtProtocolError) -> int:
    response = getattr(exc, "response", None)
    return int(getattr(response, "status_code", 0) or 0)


def _xrpc_error(exc: AtProtocolError) -> str:
    content = getattr(getattr(exc, "response", None), "content", None)
    return str(getattr(content, "error", "") or "")


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValueError):
        return "malformed JSON in the answer"
    if isinstance(exc, httpx.TransportError):  # the SDK passes some of these on unwrapped
        return f"network error ({type(exc).__name__})"
    status = _status(exc) if isinstance(exc, AtProtocolError) else 0
    if isinstance(exc, NetworkError) and not status:
        cause = exc.__cause__
        return f"network error ({type(cause).__name__ if cause else 'no answer'})"
    return f"HTTP {exc}" if status else str(exc) or type(exc).__name__

"""Reddit's client: praw, read-only (application-only OAuth), with our timeout, retries,
rate-limit waits and request count, and prawcore's errors turned into domain errors."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import praw
import prawcore
import requests
from prawcore.sessions import FiniteRetryStrategy

from ..config import Credentials, RedditConfig
from ..errors import AuthError, MissingCredentials, RateLimited, SourceError

log = logging.getLogger("monitor.sources.reddit")

CREDENTIALS_HINT = (
    "check REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET: the id and secret of a Reddit "
    "'script' app (reddit.com/prefs/apps)"
)

T = TypeVar("T")


class UnreadableData(SourceError):
    """Reddit answered, but with data praw cannot read: asking again will not help."""


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


class RedditClient:
    """A read-only praw client, opened with :meth:`open` for a poll or a re-check."""

    def __init__(
        self,
        config: RedditConfig,
        creds: Credentials,
        *,
        timeout: float = 16.0,
        retries: int = 2,
        backoff: float = 2.0,
        max_wait: float = 600.0,
        rate_waits: int = 3,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """``timeout``: seconds per request; ``retries`` with ``backoff`` (doubling) on 5xx
        and connection errors; on a 429, wait for the reset, at most ``max_wait`` seconds,
        at most ``rate_waits`` times per request. ``sleep`` does the waiting."""
        if not creds.reddit:
            raise MissingCredentials(
                "no Reddit credentials in the environment", hint=CREDENTIALS_HINT
            )
        self.config = config
        self.creds = creds
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.rate_waits = rate_waits
        self.sleep = sleep
        self._reddit: praw.Reddit | None = None
        self._http: _Session | None = None
        self._closed = 0  # requests made by the clients opened and closed before

    @property
    def requests(self) -> int:
        """HTTP requests made so far (token requests and retries included)."""
        return self._closed + (self._http.count if self._http is not None else 0)

    @property
    def reddit(self) -> praw.Reddit:
        """The open praw client."""
        if self._reddit is None:
            raise RuntimeError("the Reddit client is not open")
        return self._reddit

    @contextmanager
    def open(self) -> Iterator[praw.Reddit]:
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
            self._reddit = reddit
            self._http = http
            yield reddit
        finally:
            self._closed += http.count
            self._reddit, self._http = None, None
            http.close()

    def call(self, fn: Callable[[], T], what: str) -> T:
        """Run one praw call: wait out 429s, turn prawcore errors into domain errors."""
        waits = 0

        def wait_out(response: Any, asked: str) -> None:
            nonlocal waits
            waits += 1
            if waits > self.rate_waits:
                raise RateLimited(
                    f"Reddit kept answering 429 Too Many Requests ({asked})", reset_at=None
                ) from None
            seconds = _reset_seconds(response.headers, self.max_wait)
            log.warning(
                "Reddit rate limit (429 on %s): waiting %.0fs for the window to reset "
                "(capped at %.0fs; 60s when Reddit names no reset), then going on",
                asked,
                seconds,
                self.max_wait,
            )
            self.sleep(seconds)

        while True:
            try:
                return fn()
            except prawcore.TooManyRequests as exc:
                wait_out(exc.response, what)
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
            except (TypeError, AttributeError, RecursionError) as exc:  # e.g. a null author
                # praw cannot read, or a reply tree nested deeper than Python's parser goes
                raise UnreadableData(
                    f"Reddit sent data praw could not read ({what}): {type(exc).__name__}: {exc}"
                ) from None
            except prawcore.ResponseException as exc:
                status = exc.response.status_code
                token = "access_token" in (exc.response.url or "")
                if status == 429:  # prawcore has no class for a 429 on the token request
                    wait_out(exc.response, "the token request" if token else what)
                    continue
                if token and status in (400, 401, 403):
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


def _reset_seconds(headers: Mapping[str, str], cap: float) -> float:
    """Seconds until Reddit's rate-limit window resets, from a 429's headers, capped."""
    for name in ("x-ratelimit-reset", "retry-after"):
        try:
            return min(max(float(headers[name]), 1.0), cap)
        except (KeyError, ValueError):
            continue
    return min(60.0, cap)

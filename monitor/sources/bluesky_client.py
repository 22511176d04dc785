"""Bluesky's client: the atproto SDK, logged in, with waits, retries and a request count.

Search goes through the logged-in PDS (Bluesky's public AppView refuses anonymous search).
The session string is kept by the caller's :class:`~monitor.sources.base.SessionKeeper`
and reused, because account logins are scarce; a password login happens only when the
saved session is refused.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from atproto import Client, Session, SessionEvent
from atproto.exceptions import (
    AtProtocolError,
    BadRequestError,
    NetworkError,
    RateLimitExceededError,
    RequestException,
    UnauthorizedError,
)
from atproto_client.request import Request, Response

from ..config import Credentials
from ..errors import AuthError, MissingCredentials, RateLimited, SourceError
from .base import SessionKeeper

log = logging.getLogger("monitor.sources.bluesky")


@dataclass
class Settings:
    """Limits, waits and timeouts; tests shrink them."""

    timeout: float = 30.0
    retries: int = 3
    backoff: float = 2.0
    max_wait: float = 900.0
    max_requests: int = 300  # per title and poll; the rest waits for the next poll
    result_cap: int = 10_000
    overlap: float = 120.0  # seconds searched again below the newest post: late-indexed posts


class BlueskyClient:
    """A logged-in atproto client, opened with :meth:`open` for a poll or a re-check."""

    def __init__(
        self,
        service: str,
        creds: Credentials,
        *,
        settings: Settings | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not creds.bluesky:
            raise MissingCredentials(
                "Bluesky credentials are missing",
                hint="set BLUESKY_HANDLE and BLUESKY_APP_PASSWORD (an app password)",
            )
        self.service = service
        self.handle = creds.bluesky_handle or ""
        self._password = creds.bluesky_app_password or ""
        self.settings = settings or Settings()
        self.sleep = sleep
        self._client: Client | None = None
        self.requests = 0

    @property
    def client(self) -> Client:
        """The open SDK client."""
        if self._client is None:
            raise RuntimeError("the Bluesky client is not open")
        return self._client

    @property
    def owner(self) -> str:
        """``<handle> <service>``: whose session a saved one is."""
        return f"{self.handle.casefold()} {self.service}"

    @contextmanager
    def open(self, sessions: SessionKeeper) -> Iterator[Client]:
        """A logged-in client: the saved session if the server still takes it, else a login."""
        client = Client(
            base_url=self.service, request=_LenientRequest(timeout=self.settings.timeout)
        )

        def save(event: SessionEvent, session: Any) -> None:
            if event in (SessionEvent.CREATE, SessionEvent.REFRESH):
                sessions.save(session.export(), self.owner)
                log.debug("bluesky: session %s saved", event.value)

        client.on_session_change(save)
        self._client = client
        try:
            saved = _readable(sessions.load(self.owner))
            reused = False
            if saved:
                try:
                    self.call(lambda: client.login(session_string=saved), relogin=False)
                    log.debug("bluesky: reusing the saved session")
                    reused = True
                except AuthError:
                    log.info("bluesky: the saved session was refused; logging in again")
            if not reused:
                self._login()
            yield client
        finally:
            client.request.close()
            self._client = None

    def _login(self) -> None:
        client = self.client
        try:
            self.call(lambda: client.login(self.handle, self._password), relogin=False)
        except AuthError:
            raise AuthError(
                f"Bluesky refused the login for {self.handle}",
                hint="check BLUESKY_HANDLE and BLUESKY_APP_PASSWORD (use an app password)",
            ) from None
        log.info("bluesky: logged in as %s", self.handle)

    def call(self, fn: Callable[[], Any], *, relogin: bool = True) -> Any:
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


def _readable(saved: str | None) -> str | None:
    """The saved session string if it decodes; a damaged one means a fresh login."""
    if not saved:
        return None
    try:
        Session.decode(saved).access_jwt_payload  # noqa: B018  (decodes, or raises)
    except Exception:  # any damage to the stored text
        log.warning("bluesky: the saved session is unreadable; logging in again")
        return None
    return saved


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

"""A fake Bluesky PDS/AppView answering the XRPC methods `monitor` uses, in their real shapes.

Serve it with :class:`~monitor.replay.ReplayServer`::

    fake = FakeBluesky()
    fake.add_post("Backtrace on Netflix is so bad it's good")
    with ReplayServer(fake) as server:
        client = atproto.Client(base_url=server.url)

Posts are plain dicts shaped like ``app.bsky.feed.defs#postView``. Sessions are JWTs that
decode (with ``exp``); the session answer carries no ``didDoc``, so the client stays on this
server.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from bisect import insort
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from .server import Request, Response

SEARCH_CAP = 10_000
_B32 = "234567abcdefghijklmnopqrstuvwxyz"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(did: str, *, scope: str, ttl: float) -> str:
    """An (unsigned) ES256K-style JWT whose payload the SDK can decode."""
    now = int(time.time())
    header = {"typ": "at+jwt" if scope != "com.atproto.refresh" else "refresh+jwt", "alg": "ES256K"}
    payload = {
        "scope": scope,
        "sub": did,
        "aud": "did:web:127.0.0.1",
        "iat": now,
        "exp": int(now + ttl),
        "jti": secrets.token_hex(8),
    }
    parts = [json.dumps(header).encode(), json.dumps(payload).encode(), secrets.token_bytes(32)]
    return ".".join(_b64(p) for p in parts)


def _jwt_payload(token: str) -> dict[str, Any]:
    try:
        body = token.split(".")[1]
        padded = body + "=" * (-len(body) % 4)
        decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
        return decoded
    except (IndexError, ValueError):
        return {}


def tid(n: int) -> str:
    """A 13-character record key in the base32-sortable TID alphabet, ordered by ``n``."""
    chars = []
    for _ in range(13):
        chars.append(_B32[n % 32])
        n //= 32
    return "".join(reversed(chars))


def did_for(handle: str) -> str:
    digest = base64.b32encode(handle.encode().ljust(15, b"\0")[:15]).decode().lower()
    return f"did:plc:{digest[:24]}"


def iso_ms(moment: datetime) -> str:
    """``2026-11-23T20:00:00.000Z``: the format Bluesky clients write ``createdAt`` in."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def xrpc_error(status: int, error: str, message: str, **headers: str) -> Response:
    return Response.json({"error": error, "message": message}, status, headers)


def _bound(text: str | None) -> str | None:
    """A ``since`` / ``until`` value in the form ``createdAt`` values are compared in."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return iso_ms(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


class FakeBluesky:
    """The request handler: one account, a list of posts, search with a result cap."""

    def __init__(
        self,
        handle: str = "monitor.test",
        password: str = "app-pass-word-1234",
        *,
        search_cap: int = SEARCH_CAP,
        access_ttl: float = 7200.0,
    ) -> None:
        self.handle = handle
        self.password = password
        self.did = did_for(handle)
        self.search_cap = search_cap
        self.access_ttl = access_ttl
        self.sessions_created = 0
        self.sessions_refreshed = 0
        self._lock = threading.Lock()
        self._posts: dict[str, dict[str, Any]] = {}
        self._order: list[tuple[str, str]] = []  # (createdAt, uri) ascending
        self._valid_access: set[str] = set()
        self._valid_refresh: set[str] = set()
        self._serial = 0

    # --- the data -----------------------------------------------------------------------

    def add_post(
        self,
        text: str,
        created_at: datetime | str | None = None,
        *,
        author: str = "viewer.bsky.social",
        langs: Iterable[str] = ("en",),
        likes: int = 0,
        replies: int = 0,
        reposts: int = 0,
        quotes: int = 0,
        reply_to: str | None = None,
    ) -> dict[str, Any]:
        """Add one post; returns its postView dict."""
        with self._lock:
            self._serial += 1
            serial = self._serial
        if created_at is None:
            created_at = datetime.now(UTC) - timedelta(minutes=1)
        created = created_at if isinstance(created_at, str) else iso_ms(created_at)
        did = did_for(author)
        uri = f"at://{did}/app.bsky.feed.post/{tid(serial + 1_000_000_000)}"
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "createdAt": created,
            "langs": list(langs),
            "text": text,
        }
        if reply_to is not None:
            ref = {"uri": reply_to, "cid": "bafyreiparentcid"}
            record["reply"] = {"parent": ref, "root": ref}
        view = {
            "uri": uri,
            "cid": "bafyrei" + tid(serial) * 3,
            "author": {
                "did": did,
                "handle": author,
                "displayName": author.split(".")[0].title(),
                "labels": [],
                "createdAt": "2023-05-01T00:00:00.000Z",
            },
            "record": record,
            "replyCount": replies,
            "repostCount": reposts,
            "likeCount": likes,
            "quoteCount": quotes,
            "indexedAt": created,
            "labels": [],
        }
        with self._lock:
            self._posts[uri] = view
            insort(self._order, (created, uri))
        return view

    def generate(
        self, n: int, text: str, *, start: datetime | None = None, step: timedelta | None = None
    ) -> list[dict[str, Any]]:
        """Add ``n`` posts with ``text``, one every ``step`` (default 1 s) from ``start``."""
        start = start or datetime.now(UTC) - timedelta(days=1)
        step = step or timedelta(seconds=1)
        return [self.add_post(f"{text} #{i}", start + i * step) for i in range(n)]

    def delete(self, uri: str) -> None:
        with self._lock:
            view = self._posts.pop(uri)
            self._order.remove((view["record"]["createdAt"], uri))

    def revoke_sessions(self) -> None:
        """Refuse every token issued so far (as after a password change)."""
        with self._lock:
            self._valid_access.clear()
            self._valid_refresh.clear()

    # --- the handler --------------------------------------------------------------------

    def __call__(self, request: Request) -> Response:
        method = request.path.removeprefix("/xrpc/")
        if method == "com.atproto.server.createSession":
            return self._create_session(request)
        if method == "com.atproto.server.refreshSession":
            return self._refresh_session(request)
        if not self._authorized(request):
            return xrpc_error(401, "ExpiredToken", "Token has expired")
        if method == "app.bsky.actor.getProfile":
            return self._profile(request)
        if method == "app.bsky.feed.searchPosts":
            return self._search(request)
        if method == "app.bsky.feed.getPosts":
            return self._get_posts(request)
        return xrpc_error(501, "MethodNotImplemented", f"Method Not Implemented: {method}")

    def _bearer(self, request: Request) -> str:
        return request.headers.get("authorization", "").removeprefix("Bearer ").strip()

    def _authorized(self, request: Request) -> bool:
        token = self._bearer(request)
        with self._lock:
            known = token in self._valid_access
        return known and _jwt_payload(token).get("exp", 0) > time.time()

    def _session(self) -> dict[str, Any]:
        access = make_jwt(self.did, scope="com.atproto.appPass", ttl=self.access_ttl)
        refresh = make_jwt(self.did, scope="com.atproto.refresh", ttl=90 * 86400)
        with self._lock:
            self._valid_access.add(access)
            self._valid_refresh.add(refresh)
        return {
            "did": self.did,
            "handle": self.handle,
            "email": f"{self.handle}@example.com",
            "emailConfirmed": True,
            "emailAuthFactor": False,
            "accessJwt": access,
            "refreshJwt": refresh,
            "active": True,
        }

    def _create_session(self, request: Request) -> Response:
        with self._lock:
            self.sessions_created += 1
        body = request.json() or {}
        if (
            body.get("identifier") not in (self.handle, self.did)
            or body.get("password") != self.password
        ):
            return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        return Response.json(self._session())

    def _refresh_session(self, request: Request) -> Response:
        token = self._bearer(request)
        with self._lock:
            known = token in self._valid_refresh
            self._valid_refresh.discard(token)
            self.sessions_refreshed += 1
        if not known:
            return xrpc_error(400, "ExpiredToken", "Token has been revoked")
        return Response.json(self._session())

    def _profile(self, request: Request) -> Response:
        actor = request.arg("actor")
        if actor not in (self.handle, self.did):
            return xrpc_error(400, "InvalidRequest", "Profile not found")
        return Response.json(
            {
                "did": self.did,
                "handle": self.handle,
                "displayName": "Monitor",
                "followersCount": 0,
                "followsCount": 0,
                "postsCount": 0,
                "indexedAt": "2024-01-01T00:00:00.000Z",
                "createdAt": "2024-01-01T00:00:00.000Z",
                "labels": [],
            }
        )

    def _search(self, request: Request) -> Response:
        q = (request.arg("q") or "").replace('"', "").strip().casefold()
        if not q:
            return xrpc_error(400, "InvalidRequest", 'Error: params must have the property "q"')
        if (request.arg("sort") or "latest") != "latest":
            return xrpc_error(400, "InvalidRequest", "this fake answers sort=latest only")
        try:
            since, until = _bound(request.arg("since")), _bound(request.arg("until"))
        except ValueError:
            return xrpc_error(400, "InvalidRequest", "since/until must be datetimes")
        limit = min(max(int(request.arg("limit") or 25), 1), 100)
        offset = int(request.arg("cursor") or 0)
        with self._lock:
            order = list(self._order)
            posts = dict(self._posts)
        hits = [
            posts[uri]
            for created, uri in reversed(order)
            if (since is None or created >= since)
            and (until is None or created < until)
            and q in posts[uri]["record"]["text"].casefold()
        ]
        reachable = hits[: self.search_cap]
        page = reachable[offset : offset + limit]
        body: dict[str, Any] = {"posts": page, "hitsTotal": len(hits)}
        if offset + limit < len(reachable):
            body["cursor"] = str(offset + limit)
        return Response.json(body)

    def _get_posts(self, request: Request) -> Response:
        uris = request.query.get("uris", [])
        if len(uris) > 25:
            return xrpc_error(400, "InvalidRequest", "uris must not have more than 25 elements")
        with self._lock:
            found = [self._posts[u] for u in uris if u in self._posts]
        return Response.json({"posts": found})

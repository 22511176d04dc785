"""Bluesky-shaped faults for the fake Bluesky's server."""

from __future__ import annotations

import time

from .server import Fault, ReplayServer


def rate_limit_fault(
    server: ReplayServer, *, reset_in: float = 1.0, times: int = 1, path: str = ""
) -> Fault:
    """Answer 429 RateLimitExceeded with Bluesky's ``ratelimit-*`` headers."""
    reset = int(time.time() + reset_in)
    return server.fail(
        "status",
        times=times,
        path=path,
        status=429,
        body=b'{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}',
        headers={
            "ratelimit-limit": "3000",
            "ratelimit-remaining": "0",
            "ratelimit-reset": str(reset),
            "ratelimit-policy": "3000;w=300",
        },
    )


def expired_token_fault(server: ReplayServer, *, times: int = 1, path: str = "") -> Fault:
    """Answer 401 ExpiredToken, as a PDS does for a revoked or stale access token."""
    return server.fail(
        "status",
        times=times,
        path=path,
        status=401,
        body=b'{"error":"ExpiredToken","message":"Token has expired"}',
    )

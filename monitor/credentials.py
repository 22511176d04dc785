"""Secrets, read from the environment only; never from the config file, never printed."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

CREDENTIAL_VARS = (
    "REDDIT_CLIENT_ID",
    "REDDIT_CLIENT_SECRET",
    "BLUESKY_HANDLE",
    "BLUESKY_APP_PASSWORD",
    "TMDB_API_KEY",
)

#: Notification URLs for apprise, separated by spaces: they hold tokens, so never in config.
NOTIFY_VAR = "MONITOR_NOTIFY"


@dataclass(frozen=True)
class Credentials:
    """Secrets read from the environment. ``repr`` never shows them."""

    reddit_client_id: str | None = field(default=None, repr=False)
    reddit_client_secret: str | None = field(default=None, repr=False)
    bluesky_handle: str | None = field(default=None, repr=False)
    bluesky_app_password: str | None = field(default=None, repr=False)
    notify_urls: tuple[str, ...] = field(default=(), repr=False)
    tmdb_api_key: str | None = field(default=None, repr=False)

    @property
    def reddit(self) -> bool:
        return bool(self.reddit_client_id and self.reddit_client_secret)

    @property
    def bluesky(self) -> bool:
        return bool(self.bluesky_handle and self.bluesky_app_password)

    def secrets(self) -> tuple[str, ...]:
        """The values that must never appear in any output."""
        values = (self.reddit_client_secret, self.bluesky_app_password, self.tmdb_api_key)
        return tuple(v for v in values if v) + url_secrets(self.notify_urls)


def credentials(env: Mapping[str, str] | None = None) -> Credentials:
    """Read the credential variables from ``env`` (default: ``os.environ``)."""
    env = os.environ if env is None else env
    rid, rsecret, handle, password, tmdb = (env.get(name) or None for name in CREDENTIAL_VARS)
    return Credentials(
        rid,
        rsecret,
        handle,
        password,
        tmdb_api_key=tmdb,
        notify_urls=tuple((env.get(NOTIFY_VAR) or "").split()),
    )


def url_secrets(urls: Sequence[str]) -> tuple[str, ...]:
    """Each notification URL, and each part of it that may be a token (the password; a
    user, a host that is no host name, path segments and query values of 8 characters or
    more),
    so that a library printing a piece of the URL prints ``***`` instead."""
    out: list[str] = []
    for url in urls:
        out.append(url)
        parts = urlsplit(url)
        netloc = parts.netloc.rpartition("@")
        user, _, password = netloc[0].partition(":")
        host = netloc[2].rsplit(":", 1)[0] if netloc[2].count(":") == 1 else netloc[2]
        pieces = [user, password, *parts.path.split("/"), *parts.fragment.split("/")]
        pieces += [v for _, v in parse_qsl(parts.query)]
        if host and "." not in host and host != "localhost":
            pieces.append(host)
        out += [p for p in pieces if len(p) >= 8 or (p and p == password)]
    return tuple(dict.fromkeys(p for p in out if p))

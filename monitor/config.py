"""Load and validate ``config/*.toml`` into frozen dataclasses (:mod:`monitor.settings`).

Secrets never live here: credentials come from the environment only
(:mod:`monitor.credentials`, re-exported here).
"""

from __future__ import annotations

import re
import shlex
import tomllib
from collections.abc import Mapping
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .credentials import (
    CREDENTIAL_VARS,
    NOTIFY_VAR,
    Credentials,
    credentials,
    url_secrets,
)
from .errors import ConfigError
from .files import check_regular
from .settings import (
    COMMENT_SORTS,
    DEFAULT_CONFIG,
    DEFAULT_DB,
    NETFLIX_SOURCE,
    SLUG_BYTES,
    TMDB_URL,
    AlertsConfig,
    BackfillConfig,
    BlueskyConfig,
    Config,
    Follow,
    NetflixConfig,
    RedditConfig,
    StoreConfig,
    Title,
    TmdbConfig,
    slugify,
)

__all__ = [
    "COMMENT_SORTS",
    "CREDENTIAL_VARS",
    "DEFAULT_CONFIG",
    "DEFAULT_DB",
    "NETFLIX_SOURCE",
    "NOTIFY_VAR",
    "SLUG_BYTES",
    "TMDB_URL",
    "AlertsConfig",
    "BackfillConfig",
    "BlueskyConfig",
    "Config",
    "Credentials",
    "Follow",
    "NetflixConfig",
    "RedditConfig",
    "StoreConfig",
    "Title",
    "TmdbConfig",
    "credentials",
    "example_config",
    "load_config",
    "parse_config",
    "slugify",
    "url_problem",
    "url_secrets",
]


# --- validation ---------------------------------------------------------------------------


class _Section:
    """Reads typed keys out of one TOML table, complaining in the user's terms."""

    def __init__(self, source: Path | str, where: str, data: Any) -> None:
        self.source = source
        self.where = where
        if not isinstance(data, dict):
            self.fail(where, f"must be a table, not {_kind(data)}")
        self.data: dict[str, Any] = data

    def fail(self, key: str, problem: str, fix: str | None = None) -> None:
        raise ConfigError(f"{self.source}: {key}: {problem}", hint=fix)

    def key(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def check_keys(self, known: tuple[str, ...]) -> None:
        for key in self.data:
            if key not in known:
                self.fail(
                    self.key(key),
                    "unknown key",
                    f"remove it, or use one of: {', '.join(known)}",
                )

    def text(self, key: str, default: str | None = None, *, required: bool = False) -> str | None:
        if key not in self.data:
            if required:
                self.fail(self.key(key), "is required", f'add {key} = "…"')
            return default
        value = self.data[key]
        if not isinstance(value, str):
            self.fail(self.key(key), f"must be a non-empty string, not {_kind(value)}")
        if not value.strip():
            self.fail(self.key(key), "must not be empty", f"remove {key}, or give it a value")
        return str(value).strip()

    def integer(self, key: str, default: int, *, minimum: int = 0, maximum: int = 10**6) -> int:
        """A whole number in ``[minimum, maximum]`` (every count has a sane ceiling)."""
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            self.fail(
                self.key(key),
                f"must be a whole number from {minimum} to {maximum:,}, not {value!r}",
            )
        return int(value)

    def strings(
        self, key: str, default: tuple[str, ...] = (), *, empty: bool = True
    ) -> tuple[str, ...]:
        value = self.data.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(self.key(key), "must be a list of non-empty strings", f'{key} = ["…", "…"]')
        if not value and not empty:
            self.fail(self.key(key), "is empty: list at least one", f'{key} = ["…", "…"]')
        return tuple(v.strip() for v in value)

    def day(self, key: str) -> date | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(self.key(key), f"must be a date YYYY-MM-DD, not {value!r}")
        raise AssertionError  # unreachable


def _kind(value: Any) -> str:
    return {dict: "a table", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


def url_problem(value: str, schemes: tuple[str, ...] = ("http", "https")) -> str | None:
    """What is wrong with ``value`` as a URL of one of ``schemes``, or None when nothing:
    the one check every configured or given URL goes through."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises on a port out of range or not a number)
    except ValueError as exc:
        return f"must be a valid URL ({exc})"
    if parts.scheme.lower() not in schemes:
        wanted = "an http(s)" if schemes == ("http", "https") else f"a {' or '.join(schemes)}"
        return f"must be {wanted} URL"
    if not parts.hostname or any(c.isspace() or ord(c) < 32 for c in value):
        return "must be a valid URL (with a host name, and no spaces)"
    return None


def _url(
    section: _Section, key: str, default: str | None, *, folder_ok: bool = False
) -> str | None:
    """An http(s) URL (or, with ``folder_ok``, a local folder: anything without ``://``)."""
    value = section.text(key, default)
    if value is None or (folder_ok and "://" not in value):
        return value
    problem = url_problem(value)
    if problem:
        section.fail(
            section.key(key), f"{problem}, not {value!r}", "write it as https://host[:port]/path"
        )
    return value


def _title(source: Path | str, index: int, data: Any) -> Title:
    s = _Section(source, f"titles[{index}]", data)
    s.check_keys(
        (
            "name",
            "aliases",
            "context",
            "exclude",
            "subreddits",
            "released",
            "chart_title",
            "kind",
            "season",
        )
    )
    name = s.text("name", required=True)
    assert name is not None
    kind = s.text("kind", "") or ""
    if kind not in ("", "film", "tv"):
        s.fail(s.key("kind"), f"must be film or tv, not {kind!r}", 'kind = "tv"')
    subreddits = tuple(
        sub.removeprefix("r/").removeprefix("/r/") for sub in s.strings("subreddits")
    )
    for sub in subreddits:
        if not re.fullmatch(r"[A-Za-z0-9_]{2,21}", sub):
            s.fail(s.key("subreddits"), f"{sub!r} is not a subreddit name")
    return Title(
        name=name,
        aliases=s.strings("aliases"),
        context=s.strings("context"),
        exclude=s.strings("exclude"),
        subreddits=subreddits,
        released=s.day("released"),
        chart_title=s.text("chart_title", name) or name,
        kind=kind,
        season=s.text("season", "") or "",
    )


def _region(section: _Section, key: str, code: str) -> None:
    if code != "global" and not re.fullmatch(r"[A-Z]{2}", code):
        section.fail(
            section.key(key), f"{code!r} is not an ISO-2 code", 'use e.g. "US" or "global"'
        )


def _follow(source: Path | str, index: int, data: Any) -> Follow:
    s = _Section(source, f"follow[{index}]", data)
    s.check_keys(
        ("chart", "regions", "categories", "top", "backfill_days", "keep_days", "max_titles")
    )
    regions = s.strings("regions", Follow.regions)
    if not regions:
        s.fail(s.key("regions"), "must name at least one region", 'regions = ["global"]')
    for code in regions:
        _region(s, "regions", code)
    top = s.integer("top", Follow.top, minimum=1)
    if top > 100:
        s.fail(s.key("top"), f"must be at most 100, not {top}")
    return Follow(
        chart=s.text("chart", Follow.chart) or Follow.chart,
        regions=tuple(dict.fromkeys(regions)),
        categories=s.strings("categories"),
        top=top,
        backfill_days=s.integer("backfill_days", Follow.backfill_days),
        keep_days=s.integer("keep_days", Follow.keep_days),
        max_titles=s.integer("max_titles", Follow.max_titles, minimum=1),
    )


def parse_config(data: Mapping[str, Any], source: Path | str = "<config>") -> Config:
    """Validate a decoded TOML document."""
    top = _Section(source, "", dict(data))
    top.check_keys(
        ("store", "titles", "reddit", "bluesky", "netflix", "alerts", "follow", "backfill", "tmdb")
    )

    store = _Section(source, "store", data.get("store", {}))
    store.check_keys(("path", "recheck_days"))
    reddit = _Section(source, "reddit", data.get("reddit", {}))
    reddit.check_keys(
        (
            "user_agent",
            "oauth_url",
            "reddit_url",
            "comments",
            "comment_sort",
            "replace_more",
            "refresh_threads",
        )
    )
    comment_sort = reddit.text("comment_sort", RedditConfig.comment_sort)
    if comment_sort not in COMMENT_SORTS:
        reddit.fail(
            "reddit.comment_sort",
            f"must be one of {', '.join(COMMENT_SORTS)}, not {comment_sort!r}",
        )
    bluesky = _Section(source, "bluesky", data.get("bluesky", {}))
    bluesky.check_keys(("service",))
    netflix = _Section(source, "netflix", data.get("netflix", {}))
    netflix.check_keys(("source", "countries"))

    raw_titles = data.get("titles", [])
    if not isinstance(raw_titles, list):
        top.fail("titles", "must be an array of tables", "write each title as [[titles]]")
    titles = tuple(_title(source, i, t) for i, t in enumerate(raw_titles))
    seen: dict[str, str] = {}
    for t in titles:
        if t.slug in seen:
            top.fail(
                "titles",
                f"{t.name!r} is listed twice (also as {seen[t.slug]!r})",
                "keep one [[titles]] entry per title; put other spellings in aliases",
            )
        seen[t.slug] = t.name

    countries = netflix.strings("countries", NetflixConfig.countries, empty=False)
    for code in countries:
        _region(netflix, "countries", code)
    raw_follows = data.get("follow", [])
    if not isinstance(raw_follows, list):
        top.fail("follow", "must be an array of tables", "write each followed chart as [[follow]]")
    follows = tuple(_follow(source, i, f) for i, f in enumerate(raw_follows))
    # the regions a followed Netflix chart needs are fetched with the configured ones
    countries = tuple(
        dict.fromkeys(
            (*countries, *(r for f in follows if f.chart == "netflix" for r in f.regions))
        )
    )
    backfill = _Section(source, "backfill", data.get("backfill", {}))
    backfill.check_keys(("requests",))
    tmdb = _Section(source, "tmdb", data.get("tmdb", {}))
    tmdb.check_keys(("url",))

    alerts = _alerts(_Section(source, "alerts", data.get("alerts", {})))
    return Config(
        path=Path(source) if not isinstance(source, Path) else source,
        store=StoreConfig(
            path=store.text("path"),
            recheck_days=store.integer("recheck_days", 7, minimum=1, maximum=3650),
        ),
        titles=titles,
        reddit=RedditConfig(
            user_agent=reddit.text("user_agent", RedditConfig.user_agent) or "",
            oauth_url=_url(reddit, "oauth_url", None),
            reddit_url=_url(reddit, "reddit_url", None),
            comments=reddit.integer("comments", RedditConfig.comments),
            comment_sort=comment_sort or RedditConfig.comment_sort,
            replace_more=reddit.integer("replace_more", RedditConfig.replace_more),
            refresh_threads=reddit.integer("refresh_threads", RedditConfig.refresh_threads),
        ),
        bluesky=BlueskyConfig(service=_url(bluesky, "service", BlueskyConfig.service) or ""),
        netflix=NetflixConfig(
            source=_url(netflix, "source", NETFLIX_SOURCE, folder_ok=True) or NETFLIX_SOURCE,
            countries=countries,
        ),
        alerts=alerts,
        follows=follows,
        backfill=BackfillConfig(
            requests=backfill.integer("requests", BackfillConfig.requests),
        ),
        tmdb=TmdbConfig(url=_url(tmdb, "url", TMDB_URL) or TMDB_URL),
    )


def _alerts(section: _Section) -> AlertsConfig:
    section.check_keys(("command", "digest_over", "timeout"))
    raw = section.data.get("command")
    command: tuple[str, ...] = ()
    if isinstance(raw, str) and raw.strip():
        command = tuple(shlex.split(raw))
    elif isinstance(raw, list) and raw and all(isinstance(a, str) and a for a in raw):
        command = tuple(raw)
    elif raw is not None:
        section.fail(
            "alerts.command", "must be a command line or a list of its words", 'command = "…"'
        )
    return AlertsConfig(
        command=command,
        digest_over=section.integer("digest_over", AlertsConfig.digest_over, minimum=1),
        timeout=section.integer("timeout", AlertsConfig.timeout, minimum=1),
    )


def example_config() -> str:
    """The documented example config shipped in the package (``config/monitor.example.toml``)."""
    return resources.files("monitor").joinpath("data/monitor.example.toml").read_text("utf-8")


def load_config(path: Path) -> Config:
    """Read and validate the TOML file at ``path``."""
    try:
        if not check_regular(path, "config file", ConfigError):
            raise FileNotFoundError
        with path.open("rb") as fh:
            # a BOM (Notepad writes one) is not part of the TOML
            data = tomllib.loads(fh.read().decode("utf-8").removeprefix("\ufeff"))
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such config file",
            hint="run `monitor init` to write a starter config, or name another file",
            param="config",
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a config file") from None
    except PermissionError:
        raise ConfigError(f"{path}: cannot be read (permission denied)") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(data, path)

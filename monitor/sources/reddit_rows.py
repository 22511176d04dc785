"""Reddit's answers as rows (pure), and the cursor of a newest-first search.

:func:`submission_to_row` and :func:`comment_to_row` map a ``t3``/``t1`` thing's data (or
``vars()`` of a praw object) to a ``posts`` row; :class:`Progress` is the cursor a search
stores with every page.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..clock import from_epoch, iso, utcnow
from ..config import Title
from ..rows import PostRow

log = logging.getLogger("monitor.sources.reddit")

PLATFORM = "reddit"
SITE = "https://www.reddit.com"
GONE = ("[deleted]", "[removed]")


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


class Unreadable(ValueError):
    """A thing whose name or time cannot be read: it is skipped, with a log line."""


_ID36 = re.compile(r"[0-9a-z]{1,13}")
_SUBREDDIT = re.compile(r"[A-Za-z0-9_]{2,21}")


def created(raw: Mapping[str, Any]) -> datetime:
    """A thing's ``created_utc``, or :class:`Unreadable` when it is no plausible time."""
    moment = from_epoch(raw.get("created_utc"))
    if moment is None:
        raise Unreadable(f"{raw.get('name')!r} has no usable time: {raw.get('created_utc')!r:.40}")
    return moment


def link(raw: Mapping[str, Any]) -> str | None:
    """The thing's address on Reddit, built from its ids (never from payload text)."""
    kind, _, ident = str(raw.get("name") or "").partition("_")
    if not _ID36.fullmatch(ident):
        return None
    community = _name(raw.get("subreddit")) or ""
    prefix = f"/r/{community}" if _SUBREDDIT.fullmatch(community) else ""
    if kind == "t3":
        return f"{SITE}{prefix}/comments/{ident}/"
    thread = str(raw.get("link_id") or "").removeprefix("t3_")
    if kind == "t1" and _ID36.fullmatch(thread):
        return f"{SITE}{prefix}/comments/{thread}/_/{ident}/"
    return None


def _row(raw: Mapping[str, Any], text: str, fetched_at: str | None) -> PostRow:
    deleted = is_deleted(raw)
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise Unreadable(f"a thing without a name: {dict(raw)!r:.120}")
    return {
        "id": post_id(name),
        "platform": PLATFORM,
        "native_id": name,
        "url": link(raw),
        "author": None if deleted else _name(raw.get("author")),
        "community": _name(raw.get("subreddit")),
        "text": None if deleted else text,
        "created_at": iso(created(raw)),
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


def cursor_query(query: str, title: Title) -> str:
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

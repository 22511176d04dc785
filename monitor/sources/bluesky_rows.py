"""Pure mapping of Bluesky payloads to ``posts`` rows, shared by the search poller and the
stream. No I/O, and no atproto import: unit-tested on raw JSON payloads.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from ..clock import plausible
from ..config import Title
from ..errors import SourceError
from ..rows import PostRow

PLATFORM = "bluesky"


def post_id(uri: str) -> str:
    return f"{PLATFORM}:{uri}"


_POST_URI = re.compile(
    r"at://(did:[a-z]+:[A-Za-z0-9._:%-]{1,2000})/app\.bsky\.feed\.post/([A-Za-z0-9._:~-]{1,512})"
)
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HANDLE = re.compile(rf"({_LABEL}\.)+{_LABEL}")


def link(uri: str, author: str) -> str | None:
    """The post's address on bsky.app, from its at:// URI and the author's handle (or DID
    when the handle is not one): built from checked ids, never from payload text."""
    match = _POST_URI.fullmatch(uri)
    if match is None:
        return None
    did, rkey = match.groups()
    who = author if len(author) <= 253 and _HANDLE.fullmatch(author) else did
    return f"https://bsky.app/profile/{who}/post/{rkey}"


def parse_time(text: object) -> datetime | None:
    """A Bluesky timestamp (``…Z`` or ``…+00:00``, any precision) as an aware UTC datetime;
    None when it is not one, or no plausible time for a post (year 9999, year 1…)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return moment if plausible(moment) else None


def stamp(moment: datetime) -> str:
    """The millisecond ISO form Bluesky's ``since`` / ``until`` parameters take."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def post_view_to_row(view: dict[str, Any], fetched_at: str) -> PostRow:
    """One ``app.bsky.feed.defs#postView`` payload -> one ``posts`` row.

    Raises SourceError when the payload lacks what every post has (uri, author, record).
    """
    try:
        uri = view["uri"]
        author = view["author"]
        record = view["record"]
        handle = author.get("handle") or author["did"]
    except (KeyError, TypeError, AttributeError):
        raise SourceError(
            f"Bluesky sent a post without uri, author or record: {view!r:.200}"
        ) from None
    created = parse_time(record.get("createdAt")) or parse_time(view.get("indexedAt"))
    if created is None:
        raise SourceError(f"Bluesky sent a post without a usable date: {uri}")
    row = record_to_row(uri, handle, record, created, fetched_at)
    row["likes"] = view.get("likeCount") or 0
    row["replies"] = view.get("replyCount") or 0
    row["reposts"] = view.get("repostCount") or 0
    row["quotes"] = view.get("quoteCount") or 0
    return row


def record_to_row(
    uri: str, author: str, record: dict[str, Any], created: datetime, fetched_at: str
) -> PostRow:
    """An ``app.bsky.feed.post`` record at ``uri`` -> a ``posts`` row with zero counts.

    ``author`` is a handle, or a DID where only that is known (the stream).
    """
    reply = record.get("reply") or {}
    parent = (reply.get("parent") or {}).get("uri")
    root = (reply.get("root") or {}).get("uri")
    return {
        "id": post_id(uri),
        "platform": PLATFORM,
        "native_id": uri,
        "url": link(uri, author),
        "author": author,
        "community": "",
        "parent_id": post_id(parent) if parent else None,
        "thread_id": post_id(root) if root else None,
        "text": record.get("text") or "",
        "langs": json.dumps(record.get("langs") or []),
        "created_at": stamp(created),  # Bluesky's precision: posts of a second keep their order
        "score": None,
        "likes": 0,
        "replies": 0,
        "reposts": 0,
        "quotes": 0,
        "num_comments": None,
        "deleted": 0,
        "fetched_at": fetched_at,
    }


def search_phrases(title: Title) -> list[str]:
    """The title's name and aliases, less those another phrase already finds.

    Search matches words, so ``Backtrace 2018`` adds nothing to ``Backtrace``.
    """
    names = list(dict.fromkeys(title.names))
    keep = []
    for name in names:
        words = name.casefold().split()
        covered = any(
            other != name and _contains(words, other.casefold().split()) for other in names
        )
        if not covered:
            keep.append(name)
    return keep


def _contains(words: list[str], part: list[str]) -> bool:
    n = len(part)
    return any(words[i : i + n] == part for i in range(len(words) - n + 1))

"""Follow Bluesky's Jetstream: keep new posts that mention a tracked title, honour deletes.

Jetstream sends every repository commit as one JSON text message, ``{"did", "time_us",
"kind": "commit", "commit": {"rev", "operation", "collection", "rkey", "record", "cid"}}``.
We ask for ``app.bsky.feed.post`` only. Creates that a tracked title's relevance verdict
keeps are handed, with the deletes and the stream cursor (the last event's ``time_us``), to
a :class:`Sink` (the store's is :class:`monitor.ingest.StreamStore`), which writes them in
one transaction every few seconds and on stop, so a restart resumes from the cursor without
a gap; events at or before the cursor are skipped, so nothing is stored twice.

This speaks Jetstream's public JSON wire (``/subscribe``) through ``websockets``: the
``atproto_jetstream`` client in the atproto SDK speaks only Jetstream's newer v2 wire.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.sync.client import connect

from ..clock import AHEAD, from_epoch, utcnow
from ..config import url_problem
from ..errors import ConfigError, SourceError, StoreBusy
from ..rows import PostRow
from .bluesky_rows import parse_time, post_id, record_to_row

log = logging.getLogger("monitor.sources.jetstream")

DEFAULT_URL = "wss://jetstream2.us-east.bsky.network/subscribe"
COLLECTION = "app.bsky.feed.post"
#: How many times the write on stop tries a database another process keeps busy.
LAST_TRIES = 6


class Sink(Protocol):
    """Where the stream's posts go: the store's is :class:`monitor.ingest.StreamStore`."""

    def about(self, text: str) -> bool:
        """Whether a post's text is about a tracked title (worth keeping)."""
        ...

    def cursor(self) -> int | None:
        """The saved stream cursor."""
        ...

    def write(self, posts: list[PostRow], deletes: list[str], cursor: int) -> tuple[int, int]:
        """Store posts, drop deleted ones, save the cursor, all at once; (new, deleted)."""
        ...


# --- mapping (pure) ---------------------------------------------------------------------


def create_to_row(event: dict[str, Any], fetched_at: str) -> PostRow:
    """A Jetstream post-create event -> one ``posts`` row (the author is a DID)."""
    did, commit = event["did"], event["commit"]
    record = commit.get("record") or {}
    created = parse_time(record.get("createdAt")) or from_epoch(event["time_us"] / 1_000_000)
    if created is None:
        raise ValueError(f"no usable time: {record.get('createdAt')!r:.40}")
    uri = f"at://{did}/{COLLECTION}/{commit['rkey']}"
    return record_to_row(uri, did, record, created, fetched_at)


def subscribe_url(base: str, cursor: int | None) -> str:
    """The ``/subscribe`` URL for post commits, resuming at ``cursor`` when given."""
    problem = url_problem(base, ("ws", "wss"))
    if problem:
        raise ConfigError(
            f"{base!r} is not a Jetstream websocket URL: it {problem}",
            hint=f"use e.g. {DEFAULT_URL}",
        )
    parts = urlsplit(base)
    path = parts.path if parts.path.rstrip("/") else "/subscribe"
    query: dict[str, Any] = {"wantedCollections": COLLECTION}
    if cursor is not None:
        query["cursor"] = cursor
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))


# --- filtering and storing --------------------------------------------------------------


@dataclass
class StreamStats:
    """What a stream run did."""

    events: int = 0
    kept: int = 0
    new: int = 0
    deletes: int = 0
    deleted: int = 0
    skipped: int = 0  # replayed after a reconnect, or not readable
    connects: int = 0
    cursor: int | None = None


@dataclass
class Batcher:
    """Decide each event, hold what to write, and write it with the cursor in one go."""

    sink: Sink
    stats: StreamStats = field(default_factory=StreamStats)
    posts: list[PostRow] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    pending_cursor: int | None = None

    def handle(self, raw: str | bytes) -> None:
        """Take one message off the wire."""
        try:
            event = json.loads(raw)
            time_us = int(event["time_us"])
        except (ValueError, TypeError, KeyError):
            self.stats.skipped += 1
            log.warning("jetstream: unreadable event skipped: %.120r", raw)
            return
        if self.stats.cursor is not None and time_us <= self.stats.cursor:
            self.stats.skipped += 1  # replayed after a reconnect: already handled
            return
        self.stats.events += 1
        if time_us > (time.time() + AHEAD.total_seconds()) * 1_000_000:
            # a clock far ahead must not move the cursor there: every later event would be
            # skipped as already seen
            log.warning("jetstream: an event from the future (time_us %d); cursor kept", time_us)
        else:
            self.stats.cursor = self.pending_cursor = time_us
        commit = event.get("commit")
        if event.get("kind") != "commit" or not isinstance(commit, dict):
            return
        if commit.get("collection") != COLLECTION:
            return
        operation = commit.get("operation")
        try:
            if operation == "create":
                text = (commit.get("record") or {}).get("text") or ""
                if self.sink.about(text):
                    self.posts.append(create_to_row(event, utcnow()))
                    self.stats.kept += 1
            elif operation == "delete":
                self.deletes.append(post_id(f"at://{event['did']}/{COLLECTION}/{commit['rkey']}"))
                self.stats.deletes += 1
        except (KeyError, TypeError, AttributeError, ValueError):
            self.stats.skipped += 1
            log.warning("jetstream: malformed %s event skipped at %s", operation, time_us)

    def flush(self, *, last: bool = False) -> None:
        """Write the held posts and deletes, and the cursor, in one transaction. A database
        another process keeps busy past the timeout keeps them held for the next flush
        (the last one, on stop, tries a few times more, then gives up with the error)."""
        if self.pending_cursor is None:
            return
        for attempt in range(LAST_TRIES if last else 1):
            try:
                new, deleted = self.sink.write(self.posts, self.deletes, self.pending_cursor)
                break
            except StoreBusy as exc:
                if last and attempt == LAST_TRIES - 1:
                    raise
                log.warning("jetstream: %s; %d posts held for the next write", exc, len(self.posts))
        else:
            return
        self.stats.new += new
        self.stats.deleted += deleted
        self.posts, self.deletes, self.pending_cursor = [], [], None


# --- the connection loop ----------------------------------------------------------------


@dataclass
class StreamSettings:
    """Timings; tests shrink them."""

    flush_seconds: float = 2.0
    batch: int = 500
    recv_timeout: float = 0.5
    open_timeout: float = 10.0
    backoff: float = 1.0
    max_backoff: float = 60.0
    max_failures: int = 10  # consecutive failed connects before giving up


class JetstreamFollower:
    """Follow the stream until told to stop, or for a number of events or seconds."""

    def __init__(
        self,
        sink: Sink,
        url: str = DEFAULT_URL,
        *,
        settings: StreamSettings | None = None,
        stop: threading.Event | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.batcher = Batcher(sink)
        self.url = url
        self.settings = settings or StreamSettings()
        self.stop = stop or threading.Event()
        self.clock = clock
        subscribe_url(url, None)  # a wrong URL fails now, not at the first connect
        self.batcher.stats.cursor = sink.cursor()

    @property
    def stats(self) -> StreamStats:
        return self.batcher.stats

    def run(self, max_events: int | None = None, duration: float | None = None) -> StreamStats:
        """Follow the stream; on return, everything received is stored with the cursor."""
        deadline = None if duration is None else self.clock() + duration
        failures = 0
        try:
            while not self._done(max_events, deadline):
                url = subscribe_url(self.url, self.stats.cursor)
                before = self.stats.events + self.stats.skipped
                try:
                    with connect(
                        url, open_timeout=self.settings.open_timeout, max_size=2**22
                    ) as ws:
                        self.stats.connects += 1
                        failures = 0
                        log.info("jetstream: connected, cursor %s", self.stats.cursor)
                        self._receive(ws, max_events, deadline)
                except ConnectionClosed as exc:
                    log.warning("jetstream: connection lost (%s); resuming", exc)
                    if self.stats.events + self.stats.skipped == before:  # closed at once
                        failures += 1
                        self.stop.wait(self._delay(failures))
                except InvalidURI as exc:
                    raise ConfigError(f"{self.url!r} is not a websocket URL: {exc}") from None
                except (OSError, InvalidHandshake, TimeoutError) as exc:
                    failures += 1
                    if failures > self.settings.max_failures:
                        raise SourceError(
                            f"cannot reach Jetstream at {self.url}: {exc}",
                            hint="check the URL and the network, then run again",
                        ) from None
                    delay = self._delay(failures)
                    log.warning("jetstream: cannot connect (%s); retry in %.1f s", exc, delay)
                    self.stop.wait(delay)
        finally:
            self.batcher.flush(last=True)
        return self.stats

    def _delay(self, failures: int) -> float:
        return float(min(self.settings.backoff * 2 ** (failures - 1), self.settings.max_backoff))

    def _done(self, max_events: int | None, deadline: float | None) -> bool:
        return (
            self.stop.is_set()
            or (max_events is not None and self.stats.events >= max_events)
            or (deadline is not None and self.clock() >= deadline)
        )

    def _receive(self, ws: Any, max_events: int | None, deadline: float | None) -> None:
        last_flush = self.clock()
        held = 0
        while not self._done(max_events, deadline):
            try:
                raw = ws.recv(timeout=self.settings.recv_timeout)
            except TimeoutError:
                raw = None
            if raw is not None:
                self.batcher.handle(raw)
                held += 1
            now = self.clock()
            if held >= self.settings.batch or now - last_flush >= self.settings.flush_seconds:
                self.batcher.flush()
                last_flush, held = now, 0

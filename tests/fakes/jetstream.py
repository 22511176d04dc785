"""A local Jetstream: a websocket server on 127.0.0.1 that plays post commits.

Events have Jetstream's JSON shape. A client's ``cursor`` replays from that ``time_us``
(inclusive, as Jetstream does); ``wantedCollections`` filters. After the stored events the
connection stays open as a live tail and sends events added later. :meth:`drop_after` makes
the next connection die abruptly after a number of events, as a network failure would::

    with JetstreamReplay() as js:
        js.add_create("Backtrace on Netflix is so bad it's good")
        url = js.url  # ws://127.0.0.1:PORT/subscribe
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from monitor.replay.bluesky import did_for, iso_ms, tid

COLLECTION = "app.bsky.feed.post"


def commit_event(
    did: str,
    time_us: int,
    operation: str,
    rkey: str,
    record: dict[str, Any] | None = None,
    collection: str = COLLECTION,
) -> dict[str, Any]:
    """One Jetstream commit event, as it arrives on the wire."""
    commit: dict[str, Any] = {
        "rev": tid(time_us // 1000),
        "operation": operation,
        "collection": collection,
        "rkey": rkey,
    }
    if operation != "delete":
        commit["record"] = record or {}
        commit["cid"] = "bafyrei" + tid(time_us) * 3
    return {"did": did, "time_us": time_us, "kind": "commit", "commit": commit}


class JetstreamReplay:
    """Serve a list of Jetstream events over websockets. Use as a context manager."""

    def __init__(self, port: int = 0) -> None:
        self.events: list[dict[str, Any]] = []
        self.encoded: list[str] = []
        self.connections = 0
        self.cursors: list[int | None] = []  # the cursor each connection asked for
        self._drop_after: int | None = None
        self._lock = threading.Lock()
        self._clock = int(time.time() * 1_000_000)
        self._stopping = threading.Event()
        self._server: Server = serve(self._serve, "127.0.0.1", port, compression=None)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/subscribe"

    def start(self) -> JetstreamReplay:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> JetstreamReplay:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the events ---------------------------------------------------------------------

    def add(self, event: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.events.append(event)
            self.encoded.append(json.dumps(event))
        return event

    def _next_time(self) -> int:
        with self._lock:
            self._clock += 1000
            return self._clock

    def add_create(
        self, text: str, *, author: str = "viewer.bsky.social", rkey: str | None = None
    ) -> dict[str, Any]:
        """A new post; returns the event (its uri is ``at://<did>/app.bsky.feed.post/<rkey>``)."""
        time_us = self._next_time()
        record = {
            "$type": COLLECTION,
            "createdAt": iso_ms_from_us(time_us),
            "langs": ["en"],
            "text": text,
        }
        return self.add(
            commit_event(did_for(author), time_us, "create", rkey or tid(time_us), record)
        )

    def add_delete(self, event: dict[str, Any]) -> dict[str, Any]:
        """The deletion of the post a create event made."""
        return self.add(
            commit_event(event["did"], self._next_time(), "delete", event["commit"]["rkey"])
        )

    def add_other(self, collection: str = "app.bsky.feed.like") -> dict[str, Any]:
        time_us = self._next_time()
        did = did_for("liker.bsky.social")
        return self.add(commit_event(did, time_us, "create", tid(time_us), {}, collection))

    def drop_after(self, n: int) -> None:
        """Cut the next connection abruptly after it has sent ``n`` events."""
        self._drop_after = n

    # --- one connection -----------------------------------------------------------------

    def _serve(self, conn: ServerConnection) -> None:
        query = parse_qs(urlsplit(conn.request.path if conn.request else "").query)
        cursor = int(query["cursor"][0]) if "cursor" in query else None
        wanted = set(query.get("wantedCollections", []))
        with self._lock:
            self.connections += 1
            self.cursors.append(cursor)
            drop, self._drop_after = self._drop_after, None
        sent = 0
        index = 0
        try:
            while not self._stopping.is_set():
                with self._lock:
                    batch = list(zip(self.events[index:], self.encoded[index:], strict=True))
                index += len(batch)
                for event, text in batch:
                    if cursor is not None and event["time_us"] < cursor:
                        continue
                    if wanted and event.get("commit", {}).get("collection") not in wanted:
                        continue
                    if drop is not None and sent >= drop:
                        conn.socket.shutdown(socket.SHUT_RDWR)  # no close frame: a dead link
                        return
                    conn.send(text)
                    sent += 1
                if not batch:  # live tail: wait for more, notice the client leaving
                    with contextlib.suppress(TimeoutError):
                        conn.recv(timeout=0.05)
        except (ConnectionClosed, OSError):
            return


def iso_ms_from_us(time_us: int) -> str:
    return iso_ms(datetime.fromtimestamp(time_us / 1_000_000, UTC))

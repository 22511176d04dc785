"""`monitor stream`: Jetstream events from a local websocket server, resume without gaps."""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes.jetstream import JetstreamReplay

from monitor.config import Title
from monitor.errors import ConfigError, SourceError, StoreBusy
from monitor.ingest import StreamStore
from monitor.sources.jetstream import (
    Batcher,
    JetstreamFollower,
    StreamSettings,
    create_to_row,
    subscribe_url,
)
from monitor.store import Store

ABOUT = "Backtrace on Netflix is so bad it's good, Stallone sleepwalks through it"
DEBUGGER = "gdb prints a backtrace after the segfault, the stack trace points at malloc"
BACKTRACE = Title(name="Backtrace", exclude=("gdb", "segfault", "stack trace"))
FAST = StreamSettings(flush_seconds=0.05, batch=3, recv_timeout=0.05, backoff=0.01)


@pytest.fixture
def js() -> Iterator[JetstreamReplay]:
    with JetstreamReplay() as server:
        yield server


@pytest.fixture
def tracked() -> tuple[Title, ...]:
    return (BACKTRACE,)


def stored_ids(store: Store) -> list[str]:
    return [r["id"] for r in store.query("select id from posts order by created_at")]


def uri_id(event: dict[str, object]) -> str:
    commit = event["commit"]
    assert isinstance(commit, dict)
    return f"bluesky:at://{event['did']}/app.bsky.feed.post/{commit['rkey']}"


def test_create_event_maps_to_a_posts_row(js: JetstreamReplay) -> None:
    event = js.add_create(ABOUT, author="cinephile.bsky.social")
    row = create_to_row(event, "2026-11-23T00:00:00Z")
    assert row["id"] == uri_id(event)
    assert row["url"] == f"https://bsky.app/profile/{event['did']}/post/{event['commit']['rkey']}"
    assert row["author"] == event["did"] and row["text"] == ABOUT
    assert row["created_at"].endswith("Z") and row["platform"] == "bluesky"


def test_subscribe_url_asks_for_posts_from_the_cursor() -> None:
    assert subscribe_url("wss://js.example/subscribe", 17) == (
        "wss://js.example/subscribe?wantedCollections=app.bsky.feed.post&cursor=17"
    )
    assert subscribe_url("ws://127.0.0.1:9", None).startswith("ws://127.0.0.1:9/subscribe?")
    with pytest.raises(ConfigError):
        subscribe_url("https://js.example", None)


def test_stream_keeps_posts_about_a_title_and_honours_deletes(
    js: JetstreamReplay, store: Store
) -> None:
    about = js.add_create(ABOUT)
    debugger = js.add_create(DEBUGGER)
    js.add_other()  # a like: not asked for, never sent
    other = js.add_create(f"{ABOUT} (again)")
    js.add_delete(other)
    stats = JetstreamFollower(StreamStore(store, [BACKTRACE]), js.url, settings=FAST).run(
        max_events=4
    )
    assert stored_ids(store) == [uri_id(about), uri_id(other)]
    assert uri_id(debugger) not in stored_ids(store)
    rows = {r["id"]: r for r in store.query("select id, text, deleted from posts")}
    assert rows[uri_id(other)]["deleted"] == 1 and rows[uri_id(other)]["text"] is None
    assert rows[uri_id(about)]["text"] == ABOUT
    assert (stats.events, stats.kept, stats.deleted) == (4, 2, 1)
    assert store.get_state(StreamStore.CURSOR_KEY) == str(js.events[-1]["time_us"])
    mentions = list(store.query("select title from mentions"))
    assert mentions == [{"title": "Backtrace"}] * 2


def test_dropped_connection_resumes_without_gap_or_duplicates(
    js: JetstreamReplay, store: Store
) -> None:
    events = [js.add_create(f"{ABOUT} #{i}") for i in range(10)]
    js.drop_after(4)
    stats = JetstreamFollower(StreamStore(store, [BACKTRACE]), js.url, settings=FAST).run(
        max_events=10
    )
    assert js.connections == 2
    assert js.cursors[1] == events[3]["time_us"]  # resumed from the last event received
    assert stats.skipped == 1  # Jetstream replays the cursor's own event; it is not re-counted
    assert stored_ids(store) == [uri_id(e) for e in events]
    assert stats.events == 10 and stats.kept == 10


def test_restart_resumes_from_the_saved_cursor(js: JetstreamReplay, store: Store) -> None:
    first = [js.add_create(f"{ABOUT} #{i}") for i in range(3)]
    JetstreamFollower(StreamStore(store, [BACKTRACE]), js.url, settings=FAST).run(max_events=3)
    later = [js.add_create(f"{ABOUT} later #{i}") for i in range(2)]
    stats = JetstreamFollower(StreamStore(store, [BACKTRACE]), js.url, settings=FAST).run(
        max_events=2
    )
    assert js.cursors == [None, first[-1]["time_us"]]
    assert stats.events == 2 and stats.skipped == 1
    assert stored_ids(store) == [uri_id(e) for e in first + later]


def test_stop_event_stores_everything_received(js: JetstreamReplay, store: Store) -> None:
    for i in range(5):
        js.add_create(f"{ABOUT} #{i}")
    stop = threading.Event()
    slow = StreamSettings(flush_seconds=3600, batch=10_000, recv_timeout=0.05)
    follower = JetstreamFollower(StreamStore(store, [BACKTRACE]), js.url, settings=slow, stop=stop)

    def stop_when_all_arrived() -> None:  # as a signal handler would, from elsewhere
        while follower.stats.events < 5 and not stop.wait(0.01):
            pass
        stop.set()

    watcher = threading.Thread(target=stop_when_all_arrived)
    watcher.start()
    follower.run()  # returns only when stopped
    watcher.join()
    assert len(stored_ids(store)) == 5
    assert store.get_state(StreamStore.CURSOR_KEY) == str(js.events[-1]["time_us"])


def test_unreachable_jetstream_is_a_source_error(store: Store) -> None:
    settings = StreamSettings(backoff=0.001, max_failures=2, open_timeout=1)
    url = "ws://127.0.0.1:9/subscribe"  # nothing listens on the discard port
    follower = JetstreamFollower(StreamStore(store, [BACKTRACE]), url, settings=settings)
    with pytest.raises(SourceError, match="cannot reach Jetstream"):
        follower.run(max_events=1)


def test_unreadable_events_are_skipped(store: Store) -> None:
    batcher = Batcher(StreamStore(store, [BACKTRACE]))
    batcher.handle("{not json")
    batcher.handle(
        '{"time_us": 5, "kind": "commit", "commit": {"collection": '
        '"app.bsky.feed.post", "operation": "delete"}}'
    )
    batcher.flush()
    assert batcher.stats.skipped == 2 and store.get_state(StreamStore.CURSOR_KEY) == "5"


# --- the command ------------------------------------------------------------------------


def test_stream_command_stops_after_max_events(
    js: JetstreamReplay, run_cli: Any, config_file: Path
) -> None:
    js.add_create(ABOUT)
    js.add_create(DEBUGGER)
    result = run_cli("stream", "--jetstream", js.url, "--max-events", "2")
    assert result.exit_code == 0, result.output
    assert "2 events, 1 kept (1 new)" in result.output
    with Store("monitor.db") as db:
        assert db.count("posts") == 1


def test_stream_command_stops_cleanly_on_sigterm(
    js: JetstreamReplay, run_cli: Any, config_file: Path
) -> None:
    for i in range(3):
        js.add_create(f"{ABOUT} #{i}")
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    try:
        result = run_cli("stream", "--jetstream", js.url, "--duration", "30")
    finally:
        timer.cancel()
    assert result.exit_code == 0, result.output
    assert "3 events, 3 kept" in result.output
    with Store("monitor.db") as db:
        assert db.count("posts") == 3
        assert db.get_state(StreamStore.CURSOR_KEY) == str(js.events[-1]["time_us"])


def test_stream_command_rejects_a_bad_url(run_cli: Any, config_file: Path) -> None:
    result = run_cli("stream", "--jetstream", "http://example.com", "--max-events", "1")
    assert result.exit_code == 2 and "not a Jetstream websocket URL" in result.output


def test_a_busy_database_holds_the_batch_for_the_next_write(store: Store) -> None:
    """Another process holding the write lock past the timeout must not kill the stream."""

    class Busy(StreamStore):
        refusals = 1

        def write(self, posts: list[Any], deletes: list[str], cursor: int) -> tuple[int, int]:
            if self.refusals:
                self.refusals -= 1
                raise StoreBusy("monitor.db: the database is locked by another process")
            return super().write(posts, deletes, cursor)

    sink = Busy(store, [BACKTRACE])
    batcher = Batcher(sink)
    with JetstreamReplay() as js:
        events = [js.add_create(f"{ABOUT} #{i}") for i in range(3)]
    for event in events:
        batcher.handle(json.dumps(event))
    batcher.flush()  # refused: everything stays held
    assert store.count("posts") == 0 and len(batcher.posts) == 3
    batcher.flush()
    assert [r["id"] for r in store.query("select id from posts order by id")] == sorted(
        uri_id(e) for e in events
    )
    assert sink.cursor() == events[-1]["time_us"]

"""A new platform is one module with a ``build`` and one line in ``SOURCES``: this file is
that module, for a tiny platform that serves posts from a list, and the driver does the rest
(poll runs, cursors, relevance, sentiment, gaps, re-checks)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.clock import iso
from monitor.config import Config, Credentials, Title
from monitor.queries import open_gaps
from monitor.rows import PostRow
from monitor.run import run_once
from monitor.sources import SOURCES
from monitor.sources.base import (
    Budget,
    CursorReader,
    Deleted,
    Event,
    Gap,
    Judge,
    Page,
    RecheckEvent,
    SessionKeeper,
    ThreadReader,
    Window,
)
from monitor.store import Store

BACKTRACE = Title(name="Backtrace", context=("Stallone",))
#: the whole platform: newest last, as an id and a text
FEED = [
    ("1", "Watched Backtrace last night, Stallone sleepwalks through it"),
    ("2", "gdb gives me a backtrace of the crash"),
    ("3", "Backtrace is so bad it's good, Stallone at his dreariest"),
]


class TinySource:
    """Pages of one post; the cursor is the last id stored."""

    name = "tiny"
    budget: int | None = None

    def __init__(self, feed: list[tuple[str, str]]) -> None:
        self.feed = feed
        self.requests = 0
        self.gone: set[str] = set()
        self.asked_from: list[str | None] = []

    @contextmanager
    def connect(self, sessions: SessionKeeper) -> Iterator[None]:
        yield

    def describe(self, title: Title) -> str:
        return title.name

    def pages(
        self, title: Title, cursor: CursorReader, about: Judge, budget: Budget, window: Window
    ) -> Iterator[Event]:
        after = cursor("all")
        self.asked_from.append(after)
        for native, text in self.feed:
            if after is not None and int(native) <= int(after):
                continue
            budget.take()
            self.requests += 1
            row: PostRow = {
                "id": f"tiny:{native}",
                "platform": "tiny",
                "native_id": native,
                "created_at": iso(datetime.now(UTC) - timedelta(hours=10 - int(native))),
                "text": text,
                "author": f"user{native}",
            }
            yield Page([row], cursor=("all", native))
        yield Gap("2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z")  # older than the platform keeps

    def recheck(self, post_ids: Sequence[str], threads: ThreadReader) -> Iterator[RecheckEvent]:
        yield Deleted([p for p in post_ids if p.removeprefix("tiny:") in self.gone])


PLATFORM = TinySource(list(FEED))


def build(config: Config, creds: Credentials) -> TinySource:
    return PLATFORM


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(SOURCES, "tiny", f"{__name__}:build")  # the one registry line
    PLATFORM.__init__(list(FEED))  # type: ignore[misc]


def test_a_third_platform_polls_resumes_and_rechecks_through_the_driver(tmp_path: Path) -> None:
    config = Config(titles=(BACKTRACE,))
    with Store(tmp_path / "monitor.db") as store:
        store.sync_titles(config.titles)
        report = run_once(store, config, Credentials(), sources=["tiny"], charts_every=None)
        [result] = report.results
        assert (result.source, result.new, result.fetched, result.requests) == ("tiny", 3, 3, 3)
        mentioned = {r["post_id"] for r in store.query("select post_id from mentions")}
        assert mentioned == {"tiny:1", "tiny:3"}  # the debugger post is stored, not counted
        assert store.count("sentiments") == 2
        assert store.get_cursor("tiny", "Backtrace", "all") == "3"
        [run] = store.query("select status, requests, gap_start, gap_end from poll_runs")
        assert run == {
            "status": "ok",
            "requests": 3,
            "gap_start": "2026-10-01T00:00:00Z",
            "gap_end": "2026-11-01T00:00:00Z",
        }
        assert [g["source"] for g in open_gaps(store)] == ["tiny"]

        PLATFORM.feed.append(("4", "Backtrace trailer rewatch with Stallone"))
        PLATFORM.gone.add("1")
        again = run_once(store, config, Credentials(), sources=["tiny"], charts_every=None)
        assert PLATFORM.asked_from == [None, "3"]  # resumed from the stored cursor
        assert again.results[0].new == 1 and again.deleted == {"tiny": 1}
        [gone] = store.query("select text, author, deleted from posts where id = 'tiny:1'")
        assert gone == {"text": None, "author": None, "deleted": 1}

"""Database safety: files that are not ours, read-only or newer are left byte-for-byte intact;
a full disk stops the run with a clear message and nothing half-written."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from monitor import ingest
from monitor.config import Config, Credentials, Title
from monitor.errors import StoreError
from monitor.run import run_once
from monitor.schema import SCHEMA_VERSION
from monitor.sources.base import Page
from monitor.store import Store

TITLES = (Title("Backtrace"),)
REDDIT_ENV = {"REDDIT_CLIENT_ID": "id", "REDDIT_CLIENT_SECRET": "secret-value"}


def page(start: int, n: int, size: int = 2000) -> list[dict[str, object]]:
    return [
        {
            "id": f"reddit:t3_{i}",
            "platform": "reddit",
            "native_id": f"t3_{i}",
            "text": f"Just watched Backtrace on Netflix, loved it {i} " + "x" * size,
            "author": f"user{i}",
            "created_at": "2024-01-01T00:00:00Z",
        }
        for i in range(start, start + n)
    ]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix != ".lock"}


def newer_schema(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("create table posts (id text primary key)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()


def read_only(path: Path) -> None:
    with Store(path) as store:
        store.sync_titles(TITLES)
        ingest.store_page(store, page(0, 3, 10), TITLES)
    path.chmod(0o444)


def not_sqlite(path: Path) -> None:
    path.write_bytes(b"id,text\n1,hello\n" * 100)


@pytest.mark.parametrize(
    "make, message",
    [
        (not_sqlite, "is not a SQLite database"),
        (newer_schema, f"schema version {SCHEMA_VERSION + 1} is newer than this monitor"),
        (read_only, "the database is read-only"),
    ],
)
def test_run_refuses_the_file_clearly_and_leaves_it_byte_for_byte(
    run_cli, config_file: Path, tmp_path: Path, make, message: str
) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    data.mkdir()
    db = data / "monitor.db"
    make(db)
    before = snapshot(data)
    result = run_cli("--db", str(db), "run", env=REDDIT_ENV)
    assert result.exit_code == 1
    assert f"Error: {db}: {message}" in result.output
    assert "Traceback" not in result.output
    assert snapshot(data) == before  # no byte changed, no -wal or -shm left behind
    db.chmod(0o644)


class FillingSource:
    """Yields pages of big posts until the store refuses."""

    name = "reddit"
    budget = None
    requests = 0

    @contextmanager
    def connect(self, sessions: object) -> Iterator[None]:
        yield

    def describe(self, title: Title) -> str:
        return "q"

    def pages(self, title: Title, *args: object) -> Iterator[Page]:
        for n in range(0, 1000, 50):
            yield Page(page(n, 50), cursor=("q", str(n)))

    def recheck(self, post_ids: Sequence[str], threads: object) -> Iterator[Page]:
        yield from ()


def test_a_full_disk_stops_the_run_with_whole_pages_only(tmp_path: Path) -> None:
    with Store(tmp_path / "m.db") as store:
        store.sync_titles(TITLES)
        pages = int(store.db.execute("PRAGMA page_count").fetchone()[0])
        store.db.execute(f"PRAGMA max_page_count = {pages + 200}")  # ~800 KB more, then full
        config = Config(titles=TITLES)
        creds = Credentials(reddit_client_id="id", reddit_client_secret="secret-value")
        with pytest.raises(StoreError, match="the disk is full") as err:
            run_once(store, config, creds, sources=["reddit"], build=lambda *a: FillingSource())
        assert err.value.hint == "free space, then run again"
        stored = store.count("posts")
        assert 0 < stored < 1000 and stored % 50 == 0  # whole pages, never half of one
        assert store.get_cursor("reddit", "Backtrace", "q") == str(stored - 50)
        assert store.count("mentions") == store.count("sentiments") == stored


def test_text_no_database_can_hold_is_cleaned_not_fatal(tmp_path: Path) -> None:
    with Store(tmp_path / "m.db") as store:
        odd = {**page(0, 1, 0)[0], "text": "Backtrace\x00 was \ud800fine\udfff", "author": "a\x00b"}
        store.upsert_posts([odd])
        row = next(store.query("select text, author from posts"))
    assert row == {"text": "Backtrace was \ufffdfine\ufffd", "author": "ab"}


def test_a_read_only_database_can_still_be_read(run_cli, config_file: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A copy handed to a researcher without write permission: reading commands work and
    change nothing; a command that writes stops before it starts."""
    data = tmp_path / "data"
    data.mkdir()
    db = data / "monitor.db"
    read_only(db)
    before = snapshot(data)
    try:
        common = ("--config", str(config_file), "--db", str(db))
        status = run_cli(*common, "status")
        assert status.exit_code == 0, status.output
        titles = run_cli(*common, "titles")
        assert re.search(r"Backtrace\s+-\s+3\s+3\s+0", titles.output), titles.output
        export = run_cli(*common, "export", "posts", "--format", "jsonl")
        assert export.exit_code == 0, export.output
        assert len(export.output.splitlines()) == 3
        report = run_cli(*common, "report", "Backtrace", "--out", str(tmp_path / "out"))
        assert report.exit_code == 0, report.output
        assert (tmp_path / "out" / "backtrace.html").exists()
        label = run_cli(*common, "label")
        assert label.exit_code == 1
        assert f"Error: {db}: the database is read-only" in label.output
        assert snapshot(data) == before
    finally:
        db.chmod(0o644)


def test_a_read_only_database_of_an_older_schema_says_it_needs_upgrading(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("create table posts (id text primary key)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    path.chmod(0o444)
    try:
        with pytest.raises(StoreError, match="needs an upgrade from schema version 1") as err:
            Store(path)
        assert err.value.hint and "chmod u+w" in err.value.hint
    finally:
        path.chmod(0o644)

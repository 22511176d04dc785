"""The store: schema, migrations, idempotent upserts, and files it must refuse."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from monitor import ingest
from monitor.config import Title
from monitor.errors import StoreError
from monitor.schema import MIGRATIONS, POSTS, SCHEMA_VERSION
from monitor.store import Store


def post(n: int, text: str = "watching Backtrace tonight", **extra: object) -> dict[str, object]:
    return {
        "id": f"reddit:t3_{n}",
        "platform": "reddit",
        "native_id": f"t3_{n}",
        "text": text,
        "author": f"user{n}",
        "created_at": f"2024-01-{n % 28 + 1:02d}T12:00:00Z",
        **extra,
    }


TITLES = (Title("Backtrace", exclude=("gdb",)), Title("The Man from Toronto"))


def test_schema_is_created_with_wal_and_indexes(tmp_path: Path) -> None:
    with Store(tmp_path / "m.db") as store:
        assert store.version == SCHEMA_VERSION
        assert store.db.journal_mode == "wal"
        names = set(store.db.table_names())
        assert {
            "titles",
            "posts",
            "mentions",
            "sentiments",
            "chart_entries",
            "poll_runs",
            "cursors",
        } <= names
        indexed = {tuple(i.columns) for i in store.db["mentions"].indexes}  # type: ignore[union-attr]
        assert ("title", "post_id") in indexed


def test_migration_from_version_1_keeps_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db["posts"].insert(post(1))  # type: ignore[union-attr]
    db.conn.commit()
    db.close()
    with Store(path) as store:
        assert store.version == SCHEMA_VERSION
        assert [r["id"] for r in store.query("select id from posts")] == ["reddit:t3_1"]
        indexed = {tuple(i.columns) for i in store.db["posts"].indexes}  # type: ignore[union-attr]
        assert ("created_at",) in indexed


def test_upserts_are_idempotent(tmp_path: Path) -> None:
    with Store(tmp_path / "m.db") as store:
        store.sync_titles(TITLES)
        store.sync_titles(TITLES)
        page = [post(1), post(2), post(3, text="gdb backtrace of a segfault")]
        assert ingest.store_page(store, page, TITLES) == 3
        assert ingest.store_page(store, page, TITLES) == 0
        assert store.count("posts") == 3
        assert store.count("mentions") == 2  # the gdb post is not about the film
        assert store.count("sentiments") == 2
        assert store.count("titles") == 2
        store.upsert_chart_entries(
            [
                {
                    "chart": "netflix",
                    "region": "US",
                    "category": "Films",
                    "period_start": "2024-01-01",
                    "rank": 4,
                    "chart_title": "Backtrace",
                }
            ]
            * 2
        )
        assert store.count("chart_entries") == 1


def test_page_and_cursor_commit_together(tmp_path: Path) -> None:
    with Store(tmp_path / "m.db") as store:
        store.sync_titles(TITLES)
        bad = [post(1), {"id": "reddit:t3_2", "platform": "reddit"}]  # no native_id: NOT NULL
        with pytest.raises(StoreError):
            ingest.store_page(store, bad, TITLES, ingest.Cursor("reddit", "Backtrace", "q", "x"))
        assert store.count("posts") == 0
        assert store.get_cursor("reddit", "Backtrace", "q") is None


def test_deleted_posts_stay_deleted(tmp_path: Path) -> None:
    with Store(tmp_path / "m.db") as store:
        store.upsert_posts([post(1)])
        assert store.mark_deleted(["reddit:t3_1"]) == 1
        store.upsert_posts([post(1)])  # fetched again from a stale listing
        row = next(store.query(f"select text, author, deleted from {POSTS}"))
        assert row == {"text": None, "author": None, "deleted": 1}


def test_refuses_files_that_are_not_its_own(tmp_path: Path) -> None:
    text_file = tmp_path / "notes.db"
    text_file.write_text("hello, not a database\n" * 10)
    with pytest.raises(StoreError, match="not a SQLite database"):
        Store(text_file)
    assert text_file.read_text().startswith("hello")

    newer = tmp_path / "newer.db"
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    before = newer.read_bytes()
    with pytest.raises(StoreError, match="newer than this monitor"):
        Store(newer)
    assert newer.read_bytes() == before

    with pytest.raises(StoreError, match="no such database"):
        Store(tmp_path / "missing.db", create=False)


def test_read_only_database_gives_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    Store(path).close()
    path.chmod(0o444)
    try:
        with pytest.raises(StoreError, match="read-only"), Store(path) as store:
            store.upsert_posts([post(1)])
    finally:
        path.chmod(0o644)

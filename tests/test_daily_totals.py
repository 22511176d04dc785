"""The daily totals the report reads stay equal to a GROUP BY over the posts, whatever writes.

Triggers keep ``daily_mentions`` and ``daily_sentiment``; these tests throw every kind of
write at the store (new posts, re-upserts, relabels, a post that moves day or platform,
deletes, INSERT OR REPLACE, mark_deleted, prune) and compare with a fresh count each time.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from monitor.config import Title
from monitor.queries import daily_counts
from monitor.schema import MIGRATIONS
from monitor.sentiment import label
from monitor.store import Store

TITLES = ("Backtrace", "Sisu")
MODELS = ("film-2", "vader")


def recount(
    store: Store,
) -> tuple[dict[Any, int], dict[Any, tuple[Any, ...]], dict[Any, int]]:
    """What the daily tables must hold, counted from scratch."""
    mentions = {
        (r[0], r[1], r[2]): r[3]
        for r in store.db.execute(
            "select m.title, substr(p.created_at, 1, 10), p.platform, count(*) "
            "from mentions m join posts p on p.id = m.post_id group by 1, 2, 3"
        )
    }
    labels = {
        (r[0], r[1], r[2], r[3]): tuple(r[4:])
        for r in store.db.execute(
            "select m.title, s.model, substr(p.created_at, 1, 10), p.platform, count(*), "
            "total(s.compound), total(s.compound * s.compound), sum(s.label = 'positive'), "
            "sum(s.label = 'negative'), max(s.compound), min(s.compound) "
            "from mentions m join posts p on p.id = m.post_id "
            "join sentiments s on s.post_id = m.post_id group by 1, 2, 3, 4"
        )
    }
    authors = {
        (r[0], r[1], r[2], r[3]): r[4]
        for r in store.db.execute(
            "select m.title, substr(p.created_at, 1, 10), p.platform, p.author, count(*) "
            "from mentions m join posts p on p.id = m.post_id where p.author is not null "
            "group by 1, 2, 3, 4"
        )
    }
    return mentions, labels, authors


def assert_totals_match(store: Store) -> None:
    mentions, labels, authors = recount(store)
    kept_authors = {
        (r[0], r[1], r[2], r[3]): r[4]
        for r in store.db.execute("select title, day, platform, author, posts from daily_authors")
    }
    assert kept_authors == authors
    kept = {
        (r[0], r[1], r[2]): r[3]
        for r in store.db.execute("select title, day, platform, posts from daily_mentions")
    }
    assert kept == mentions
    kept_labels = {
        (r[0], r[1], r[2], r[3]): tuple(r[4:])
        for r in store.db.execute(
            "select title, model, day, platform, scored, sum_compound, sum_squares, positive, "
            "negative, highest, lowest from daily_sentiment"
        )
    }
    assert kept_labels.keys() == labels.keys()
    for key, (scored, total, squares, pos, neg, high, low) in labels.items():
        k_scored, k_total, k_squares, k_pos, k_neg, k_high, k_low = kept_labels[key]
        assert (k_scored, k_pos, k_neg) == (scored, pos, neg), key
        assert k_total == pytest.approx(total, abs=1e-9)
        assert k_squares == pytest.approx(squares, abs=1e-9)
        # a day's extremes are kept as bounds: they widen and never narrow
        assert k_high >= high - 1e-12 and k_low <= low + 1e-12


def post(n: int, day: int, platform: str = "reddit") -> dict[str, Any]:
    return {
        "id": f"p{n}",
        "platform": platform,
        "native_id": str(n),
        "text": f"post {n} about Backtrace",
        "author": f"user{n % 7}",  # authors with several posts a day
        "created_at": f"2024-03-{day:02d}T{n % 24:02d}:00:00Z",
    }


def sentiment(n: int, model: str, compound: float) -> dict[str, Any]:
    return {"post_id": f"p{n}", "model": model, "compound": compound, "label": label(compound)}


@pytest.fixture
def tracked() -> tuple[Title, ...]:
    return tuple(Title(name) for name in TITLES)


def test_every_kind_of_write_keeps_the_totals(store: Store) -> None:
    rng = random.Random(7)
    posts: dict[int, dict[str, Any]] = {}

    def write_page() -> None:
        """What a poll does: posts (some already stored), mentions, labels."""
        rows, mentions, labels = [], [], []
        for _ in range(rng.randint(1, 15)):
            n = rng.randint(0, 60)
            row = posts.get(n) or post(n, rng.randint(1, 5), rng.choice(["reddit", "bluesky"]))
            posts[n] = row
            rows.append(row)
            for title in rng.sample(TITLES, rng.randint(1, 2)):
                mentions.append({"post_id": row["id"], "title": title, "relevance": 1.0})
            labels.append(sentiment(n, rng.choice(MODELS), round(rng.uniform(-1, 1), 3)))
        with store.transaction():
            store.upsert_posts(rows)
            store.upsert_mentions([{**m, "terms": "[]"} for m in mentions])
            store.upsert_sentiments(labels)

    def relabel() -> None:
        ns = rng.sample(sorted(posts), min(5, len(posts)))
        store.upsert_sentiments(
            [sentiment(n, rng.choice(MODELS), round(rng.uniform(-1, 1), 3)) for n in ns]
        )

    def move_post() -> None:
        n = rng.choice(sorted(posts))
        row = {**posts[n], "created_at": f"2024-03-{rng.randint(1, 5):02d}T23:59:59Z"}
        if rng.random() < 0.5:
            row["platform"] = "bluesky" if row["platform"] == "reddit" else "reddit"
        posts[n] = row
        store.upsert_posts([row])

    def drop_mention() -> None:
        with store.transaction():
            store.db.execute(
                "delete from mentions where rowid = (select rowid from mentions order by random())"
            )

    def retitle_mention() -> None:
        with store.transaction():
            store.db.execute(
                "update or ignore mentions set title = case title when ? then ? else ? end "
                "where rowid = (select rowid from mentions order by random())",
                [TITLES[0], TITLES[1], TITLES[0]],
            )

    def drop_label() -> None:
        with store.transaction():
            store.db.execute(
                "delete from sentiments where rowid = (select rowid from sentiments "
                "order by random())"
            )

    def replace_label() -> None:
        n = rng.choice(sorted(posts))
        with store.transaction():
            store.db.execute(
                "insert or replace into sentiments (post_id, model, compound, label) "
                "values (?, ?, ?, ?)",
                [f"p{n}", rng.choice(MODELS), 0.9, "positive"],
            )

    def drop_post() -> None:
        n = rng.choice(sorted(posts))
        with store.transaction():
            for table in ("sentiments", "mentions"):
                store.db.execute(f"delete from {table} where post_id = ?", [f"p{n}"])
            store.db.execute("delete from posts where id = ?", [f"p{n}"])
        del posts[n]

    def delete_on_platform() -> None:
        store.mark_deleted([f"p{n}" for n in rng.sample(sorted(posts), min(3, len(posts)))])

    def prune() -> None:
        store.prune_text("2024-03-03")

    def rename_author() -> None:
        """The stream's DID becomes a handle; another tool renames someone."""
        n = rng.choice(sorted(posts))
        store.name_authors([(f"p{n}", f"user{n % 7}", f"handle{n % 3}")])
        with store.transaction():
            store.db.execute(
                "update posts set author = ? where id = ?", [f"user{rng.randint(0, 9)}", f"p{n}"]
            )

    write_page()
    actions = [
        write_page,
        relabel,
        move_post,
        drop_mention,
        retitle_mention,
        drop_label,
        replace_label,
        drop_post,
        delete_on_platform,
        prune,
        rename_author,
    ]
    for step in range(300):
        action = actions[step % len(actions)] if step < 20 else rng.choice(actions)
        if not posts:
            action = write_page
        action()
        assert_totals_match(store)
    assert store.count("daily_mentions") > 5  # the walk left something to count


def test_a_failed_write_leaves_the_totals_as_they_were(store: Store) -> None:
    store.upsert_posts([post(1, 1)])
    store.upsert_mentions([{"post_id": "p1", "title": "Backtrace", "relevance": 1.0, "terms": []}])
    before = recount(store)
    with pytest.raises(sqlite3.IntegrityError), store.db.conn:
        store.db.conn.execute(
            "insert into mentions (post_id, title) values ('p1', 'Sisu')"
        )  # counted by the trigger …
        store.db.conn.execute("insert into mentions (post_id, title) values ('p1', 'Sisu')")
    # … and taken back with the transaction that failed
    assert recount(store) == before
    assert_totals_match(store)


def test_a_database_from_before_the_totals_is_counted_on_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    for migrate in MIGRATIONS[:4]:
        migrate(db)
    db.execute("PRAGMA user_version = 4")
    db["titles"].insert({"name": "Backtrace"})  # type: ignore[union-attr]
    db["posts"].insert_all([post(n, n % 3 + 1) for n in range(9)])  # type: ignore[union-attr]
    db["mentions"].insert_all(  # type: ignore[union-attr]
        {"post_id": f"p{n}", "title": "Backtrace"} for n in range(9)
    )
    db["sentiments"].insert_all(  # type: ignore[union-attr]
        sentiment(n, "film-2", n / 10) for n in range(0, 9, 2)
    )
    db.conn.commit()
    db.close()
    with Store(path) as store:
        assert_totals_match(store)
        rows = list(daily_counts(store, "Backtrace", "film-2"))
        assert [(r["day"], r["posts"], r["scored"]) for r in rows] == [
            ("2024-03-01", 3, 2),  # p0, p3, p6; labelled p0, p6
            ("2024-03-02", 3, 1),  # p1, p4, p7; labelled p4
            ("2024-03-03", 3, 2),  # p2, p5, p8; labelled p2, p8
        ]


def test_recount_repairs_what_another_tool_left_off(store: Store, run_cli) -> None:  # type: ignore[no-untyped-def]
    store.upsert_posts([post(1, 1), post(2, 2)])
    store.upsert_mentions(
        [{"post_id": f"p{n}", "title": "Backtrace", "relevance": 1.0, "terms": []} for n in (1, 2)]
    )
    store.upsert_sentiments([sentiment(1, "film-2", 0.5), sentiment(2, "film-2", -0.5)])
    assert_totals_match(store)
    # another tool replaces a label without recursive triggers: the old one is never taken back
    other = sqlite3.connect(store.path)
    with other:
        other.execute(
            "insert or replace into sentiments (post_id, model, compound, label) "
            "values ('p1', 'film-2', -0.9, 'negative')"
        )
    other.close()
    with pytest.raises(AssertionError):
        assert_totals_match(store)
    result = run_cli("--db", str(store.path), "recount")
    assert result.exit_code == 0, result.output
    assert "6 rows; 1 differed" in result.output
    assert_totals_match(store)
    assert "0 differed" in run_cli("--db", str(store.path), "recount").output

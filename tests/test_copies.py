"""Copies counted once: near-duplicate posts grouped when stored, measured on fixtures."""

from __future__ import annotations

import itertools
import json
import random
import zlib
from array import array
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from monitor import copies, copy_text
from monitor.config import Title
from monitor.ingest import store_page
from monitor.schema import MIGRATIONS
from monitor.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
TITLE = Title("Backtrace", context=("Stallone", "Netflix"))


def fixture(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (FIXTURES / name).read_text("utf-8").splitlines()]


def row(post: dict[str, Any]) -> dict[str, Any]:
    native = post["id"].split(":", 1)[1]
    return {
        "id": post["id"],
        "platform": post["platform"],
        "native_id": native,
        "author": post["author"],
        "text": post["text"],
        "created_at": post["created_at"],
    }


def ingest(path: Path, posts: list[dict[str, Any]], page: int = 50) -> dict[str, str]:
    """Store ``posts`` page by page as ``store_page`` does (grouping every post, where a
    poll groups those about a title); each post's group (itself when alone)."""
    with Store(path) as store:
        store.sync_titles([TITLE])
        for i in range(0, len(posts), page):
            rows = [row(p) for p in posts[i : i + page]]
            with store.transaction():
                copies.assign(store.db, rows)
                store.upsert_posts(rows)
        return {
            r["id"]: r["copy_group"] or r["id"]
            for r in store.query("select id, copy_group from posts")
        }


def pair_scores(posts: list[dict[str, Any]], groups: dict[str, str]) -> tuple[float, float]:
    family = {p["id"]: p["family"] for p in posts}
    hits = false = missed = 0
    for a, b in itertools.combinations(sorted(family), 2):
        truth, said = family[a] == family[b], groups[a] == groups[b]
        hits += truth and said
        false += said and not truth
        missed += truth and not said
    return hits / (hits + false), hits / (hits + missed)


@pytest.mark.parametrize("name", ["copies.jsonl", "copies_holdout.jsonl"])
def test_copies_are_grouped_and_look_alikes_are_not(tmp_path: Path, name: str) -> None:
    posts = fixture(name)
    assert {p["platform"] for p in posts} == {"reddit", "bluesky"}
    groups = ingest(tmp_path / "m.db", posts)
    precision, recall = pair_scores(posts, groups)
    assert precision >= 0.95, precision
    assert recall >= 0.90, recall


def test_the_fixture_is_big_enough_and_plants_every_kind_of_copy() -> None:
    posts = fixture("copies.jsonl")
    assert len(posts) >= 400
    by_family: dict[str, list[dict[str, Any]]] = {}
    for p in posts:
        by_family.setdefault(p["family"], []).append(p)
    multi = [f for f in by_family.values() if len(f) > 1]
    assert any(len({p["platform"] for p in f}) == 2 for f in multi)  # cross-platform
    assert any(len({p["text"] for p in f}) < len(f) for f in multi)  # exact
    assert any("http" in p["text"] for f in multi for p in f)  # a link
    looks = [p for p in posts if p["family"].startswith("look")]
    texts = [copy_text.words(p["text"]) for p in looks]
    assert len(looks) >= 50 and len({tuple(t) for t in texts}) < len(texts)  # same words, others


def test_grouping_is_the_same_whatever_order_and_across_a_restart(tmp_path: Path) -> None:
    posts = fixture("copies.jsonl")
    reference = ingest(tmp_path / "a.db", posts)
    assert len(set(reference.values())) < len(reference)  # something was grouped
    for seed, page in ((1, 7), (2, 100), (3, 1)):
        shuffled = posts[:]
        random.Random(seed).shuffle(shuffled)
        assert ingest(tmp_path / f"s{seed}.db", shuffled, page) == reference
    # half, close the database, then the rest: the state lives in the file
    half = len(posts) // 2
    ingest(tmp_path / "r.db", posts[half:])
    assert ingest(tmp_path / "r.db", posts[:half]) == reference


def test_a_group_id_is_one_of_its_posts_and_a_lone_post_has_none(tmp_path: Path) -> None:
    posts = fixture("copies.jsonl")
    ingest(tmp_path / "m.db", posts)
    with Store(tmp_path / "m.db") as store:
        rows = list(store.query("select id, copy_group from posts"))
    ids = {r["id"] for r in rows}
    grouped = [r for r in rows if r["copy_group"]]
    assert grouped and all(r["copy_group"] in ids for r in grouped)
    sizes: dict[str, int] = {}
    for r in grouped:
        sizes[r["copy_group"]] = sizes.get(r["copy_group"], 0) + 1
    assert min(sizes.values()) >= 2  # a group of one is no group


def post(n: int, text: str, author: str = "") -> dict[str, Any]:
    return {
        "id": f"bluesky:{n}",
        "platform": "bluesky",
        "native_id": str(n),
        "author": author or f"user{n}",
        "text": text,
        "created_at": f"2024-05-01T10:{n:02d}:00Z",
    }


def test_a_poll_groups_the_posts_about_a_title(tmp_path: Path) -> None:
    text = "gdb printed the same backtrace again and again, the segfault is in malloc today"
    about = "Backtrace is so bad it's good and Stallone sleepwalks through the whole thing"
    rows = [post(1, text), post(2, text), post(3, about), post(4, f"{about}  https://x.invalid")]
    title = Title("Backtrace", context=("Stallone",), exclude=("gdb", "segfault"))
    with Store(tmp_path / "m.db") as store:
        store.sync_titles([title])
        store_page(store, rows, [title])
        got = {r["id"]: r["copy_group"] for r in store.query("select id, copy_group from posts")}
    assert got["bluesky:3"] == got["bluesky:4"] is not None
    assert got["bluesky:1"] is None and got["bluesky:2"] is None  # not counted: not grouped


def groups_of(tmp_path: Path, rows: list[dict[str, Any]]) -> list[set[str]]:
    with Store(tmp_path / "m.db") as store, store.transaction():
        copies.assign(store.db, rows)
        store.upsert_posts(rows)
        found: dict[str, set[str]] = {}
        for r in store.query("select id, coalesce(copy_group, id) as g from posts"):
            found.setdefault(r["g"], set()).add(r["id"])
    return sorted(found.values(), key=min)


def test_case_spacing_links_and_emoji_do_not_make_a_new_text(tmp_path: Path) -> None:
    text = "Backtrace is so bad it's good and Stallone sleepwalks through the whole thing"
    rows = [
        post(1, text),
        post(2, "  BACKTRACE is so bad it’s good\nand Stallone sleepwalks through the whole thing"),
        post(3, f"🎬 {text} https://letterboxd.com/film/backtrace/ @someone.bsky.social"),
        post(4, "Backtrace is so bad it's great and Stallone sleepwalks through the entire thing"),
        post(5, "Backtrace is dreary, dull and grey, Stallone looks bored in every scene of it"),
    ]
    assert groups_of(tmp_path, rows) == [
        {"bluesky:1", "bluesky:2", "bluesky:3", "bluesky:4"},
        {"bluesky:5"},
    ]


def long_posts() -> list[str]:
    """Long posts (about 1,500 characters) made of the fixture's distinct base texts."""
    from tests.fixtures.make_copies import BASES

    return [" ".join(BASES[i : i + 16]) for i in range(0, 16 * 3, 16)]


def test_a_long_post_is_read_by_its_opening_and_its_close(tmp_path: Path) -> None:
    one, two, three = long_posts()
    assert len(one) > 2 * (copy_text.HEAD + copy_text.TAIL)
    middle = len(one) // 2
    rows = [
        post(1, one),
        post(2, f"{one.upper()} https://example.com/1"),  # a copy
        post(3, f"{one[:middle]} EDITED {one[middle:]}"),  # a word added where it is not read
        post(4, f"{one[:40]} {two}"),  # the same first words, then another post
        post(5, f"{one}\n\n{two}"),  # a long post quoted, and a long reply
        post(6, f"{two[:-40]} {three}"),  # another post, then the same close
    ]
    assert groups_of(tmp_path, rows) == [
        {"bluesky:1", "bluesky:2", "bluesky:3"},
        {"bluesky:4"},
        {"bluesky:5"},
        {"bluesky:6"},
    ]
    # the word added in the middle is not read: the same text, found by its exact key
    keys = [copies.text_key(str(r["text"]), None) for r in (rows[0], rows[2])]
    assert keys[0] is not None and keys[1] is not None and keys[0][0] == keys[1][0]
    short = one[: copy_text.HEAD + copy_text.TAIL]
    assert copy_text.read_part(short) == short
    read = copy_text.read_part(one)
    assert read.startswith(one[: copy_text.HEAD - 20]) and read.endswith(
        one[-copy_text.TAIL + 20 :]
    )
    assert len(read) <= copy_text.HEAD + copy_text.TAIL + 1 and set(read.split()) <= set(
        one.split()
    )


def test_a_short_phrase_is_a_copy_only_from_the_same_author(tmp_path: Path) -> None:
    rows = [
        post(1, "watching Backtrace tonight"),
        post(2, "Watching Backtrace tonight!"),
        post(3, "watching backtrace tonight 🍿", author="bot"),
        post(4, "Watching Backtrace tonight", author="bot"),
    ]
    assert groups_of(tmp_path, rows) == [{"bluesky:1"}, {"bluesky:2"}, {"bluesky:3", "bluesky:4"}]


def test_posts_stored_before_the_upgrade_are_grouped_by_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    for migrate in MIGRATIONS[:5]:
        migrate(db)
    db.execute("PRAGMA user_version = 5")
    text = "Backtrace is so bad it's good and Stallone sleepwalks through the whole thing"
    db["titles"].insert({"name": "Backtrace"})  # type: ignore[union-attr]
    db["posts"].insert_all(  # type: ignore[union-attr]
        [post(1, text), post(2, text.upper()), post(3, "something else entirely, about gdb")]
    )
    db["mentions"].insert_all(  # type: ignore[union-attr]
        {"post_id": f"bluesky:{n}", "title": "Backtrace"} for n in (1, 2, 3)
    )
    db.conn.commit()
    db.close()
    with Store(path) as store:
        got = {r["id"]: r["copy_group"] for r in store.query("select id, copy_group from posts")}
    assert got["bluesky:1"] == got["bluesky:2"] is not None
    assert got["bluesky:3"] is None


def regex_words(text: str) -> list[str]:
    """The words as the regular expression alone finds them (what ``copy_text.words`` must
    give, faster)."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").casefold()
    text = copy_text._HANDLE.sub(" ", copy_text._URL.sub(" ", text))
    return [w for w in copy_text._WORD.findall(text) if not w.isdigit()]


def test_words_split_as_the_regular_expression_does() -> None:
    tricky = [
        "Backtrace's 'so bad it''s good' -- rock'n'roll, isn't it? ''quoted'' it'",
        "BACKTRACE on Netflix!!! 10/10 would watch again (2nd time) 😀😀",
        "good😂bad “quoted” — dash… ‘single’ café Straße ﬁne ½ x² ٣ l'été 🎬's",
        "see https://example.com/a?b=c and www.x.org/y, ask @someone.bsky.social_ now",
        "snake_case_words and__double, tab\there\u00a0nbsp\u2009thin" + " long" * 80 + " 🤷‍♀️",
        "it’s ’quoted’ ‘twice’ – and a\ud800lone surrogate",
    ]
    rng = random.Random(3)
    marks = [*"aZ9'’ _-.,!?@#:/\té\u0130\ufb01\u00a0\u0663😀\u200d", "http://x.y/z", "@h"]
    tricky += ["".join(rng.choice(marks) for _ in range(rng.randrange(1, 30))) for _ in range(3000)]
    for text in tricky:
        assert copy_text.words(text) == regex_words(text), text


def test_features_stored_before_the_upgrade_are_read_after_it(tmp_path: Path) -> None:
    text = "Backtrace is so so bad it's good and Stallone sleepwalks through the whole thing"
    path = tmp_path / "old.db"
    with Store(path) as store:
        store.sync_titles([TITLE])
        store_page(store, [post(1, text)], [TITLE])
        (h, blob), *_ = store.db.conn.execute("select hash, features from copy_texts")
        mine = array("I", blob)
        assert list(mine) == sorted(set(mine))  # sorted, each once
        # as the features were stored before: in the order of the words, "so" twice
        found = copy_text.words(text)
        old = [zlib.crc32(w.encode()) for w in found]
        old += [
            (a * 0x9E3779B1 + b * 0x85EBCA77) % 2**64 >> 16 & 0xFFFFFFFF
            for a, b in itertools.pairwise(old)
        ]
        assert sorted(set(old)) == list(mine) and len(old) > len(mine)
        store.db.conn.execute("update copy_texts set features = ?", (array("I", old).tobytes(),))
        store.db.conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) - 1}")
        store.db.conn.commit()
    with Store(path) as store:
        (blob,) = store.db.conn.execute("select features from copy_texts where hash = ?", (h,))
        assert blob[0] == mine.tobytes()
        store_page(store, [post(2, text.replace("whole", "entire"))], [TITLE])
        got = {r["id"]: r["copy_group"] for r in store.query("select id, copy_group from posts")}
    assert got["bluesky:1"] == got["bluesky:2"] is not None

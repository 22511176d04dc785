"""Copies counted once: near-duplicate posts grouped when they are stored.

A post's text is normalised (case, spacing, links, @handles, emoji and punctuation
dropped). Equal normalised texts are one *text* (an exact hash finds them first); two
texts of at least :data:`FUZZY_WORDS` words are copies when the Jaccard similarity of
their words and word pairs is at least :data:`JACCARD`. Candidates come from a MinHash
(:data:`PERMUTATIONS` hashes over the word and word-pair features, numpy) cut into
:data:`BANDS` bands of two: texts that share a band are compared exactly.

Short texts are where independent people write the same thing ("watching Backtrace
tonight"): under :data:`CROSS_WORDS` words a text is a copy only of the same author's same
text; under :data:`FUZZY_WORDS` only of the same text.

A *group* is a connected set of copies. Its id (``posts.copy_group``) is the id of one of
its posts, the one whose id hashes lowest: the same whichever order the posts arrive in,
and a group gains a new id about log(n) times as it grows to n posts in any order (a
first-seen or smallest-id rule would rename it on every page of a newest-first backfill).
A post that is a copy of nothing has no group (``copy_group`` null): it is its own.

State lives in the database (``copy_texts``, ``copy_bands``), so grouping survives a
restart. A post is grouped once, when first stored; a later edit does not regroup it.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
import zlib
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from hashlib import blake2b
from typing import Any

import numpy as np
import sqlite_utils

COPY_TEXTS = "copy_texts"
COPY_BANDS = "copy_bands"

#: Fewer words than this: a copy only of the same author's identical text.
CROSS_WORDS = 5
#: Fewer words than this: only identical texts are copies (no near-duplicates).
FUZZY_WORDS = 8
#: Two texts are copies at this Jaccard similarity of words and word pairs, or above.
JACCARD = 0.6
BANDS = 10
ROWS = 2
PERMUTATIONS = BANDS * ROWS
#: At most this many candidate texts are compared per new text (most shared bands first).
MAX_CANDIDATES = 200
#: A band that holds this many texts takes no more (a phrase everyone writes would
#: otherwise make every text a candidate of every other).
BUCKET_CAP = 64

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@[\w.\-]+")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def _seeds(prefix: str) -> np.ndarray[Any, np.dtype[np.uint64]]:
    values = [
        int.from_bytes(blake2b(f"{prefix}{i}".encode(), digest_size=8).digest(), "big") | 1
        for i in range(PERMUTATIONS)
    ]
    return np.array(values, dtype=np.uint64)


_A = _seeds("monitor.copies.a")
_B = _seeds("monitor.copies.b")


def words(text: str) -> list[str]:
    """The normalised words of a post: no links, handles, emoji or punctuation."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).replace("\u2019", "'")
    text = text.casefold()
    if "http" in text or "www." in text:
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _HANDLE.sub(" ", text)
    return _WORD.findall(text)


def _hash64(text: str) -> int:
    return int.from_bytes(blake2b(text.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def _rank(post_id: str) -> tuple[bytes, str]:
    """The order that picks a group's id: a hash of the post id, then the id."""
    return blake2b(post_id.encode("utf-8"), digest_size=8).digest(), post_id


def text_key(text: str, author: str | None) -> tuple[int, list[str]] | None:
    """The exact key of a post's text (with its author's name when the text is short)
    and its words; None when there is nothing to compare."""
    found = words(text)
    if not found:
        return None
    norm = " ".join(found)
    if len(found) < CROSS_WORDS:
        norm = f"{author or ''}\x00{norm}"
    return _hash64(norm), found


def features(found: Sequence[str]) -> frozenset[int]:
    """The 32-bit hashes of a text's words and word pairs."""
    crc = zlib.crc32
    return frozenset(
        [crc(w.encode()) for w in found]
        + [crc(f"{a} {b}".encode()) for a, b in itertools.pairwise(found)]
    )


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    both = len(a & b)
    return both / (len(a) + len(b) - both) if a or b else 0.0


def band_keys(feats: Sequence[frozenset[int]]) -> list[list[int]]:
    """Per text, its :data:`BANDS` LSH keys (MinHash, two rows a band), for a batch."""
    if not feats:
        return []
    flat = np.fromiter(itertools.chain.from_iterable(feats), np.uint64)
    starts = np.cumsum([0, *(len(f) for f in feats[:-1])])
    hashed = (flat[:, None] * _A[None, :] + _B[None, :]) >> np.uint64(32)
    mins = np.minimum.reduceat(hashed, starts, axis=0)
    pairs = mins.reshape(len(feats), BANDS, ROWS)
    band = np.arange(BANDS, dtype=np.uint64)[None, :]
    keys = (
        (pairs[:, :, 0] << np.uint64(32)) ^ pairs[:, :, 1] ^ (band * np.uint64(0x9E3779B97F4A7C15))
    )
    return (keys >> np.uint64(1)).astype(np.int64).tolist()  # type: ignore[no-any-return]


@dataclass
class _Text:
    group: str | None
    post_id: str
    feats: frozenset[int] | None
    dirty: bool = False
    new: bool = False
    posts: list[str] = field(default_factory=list)


def group_posts(db: sqlite_utils.Database, posts: Iterable[dict[str, Any]]) -> None:
    """Group newly stored ``posts`` (rows with ``id``, ``text``, ``author``) with the copies
    already stored and with each other; call inside the transaction that stored them."""
    todo = []
    for post in posts:
        text = post.get("text")
        if text and not post.get("deleted"):
            key = text_key(text, post.get("author"))
            if key is not None:
                todo.append((str(post["id"]), key[0], key[1]))
    if not todo:
        return
    conn = db.conn
    hashes = list({h for _, h, _ in todo})
    texts: dict[int, _Text] = {}
    _load_texts(conn, hashes, texts)
    fresh = [(pid, h, w) for pid, h, w in todo if h not in texts and len(w) >= FUZZY_WORDS]
    fresh_feats = {h: features(w) for _, h, w in fresh}
    fresh_order = list(fresh_feats)
    keys = dict(zip(fresh_order, band_keys([fresh_feats[h] for h in fresh_order]), strict=True))
    bands: dict[int, set[int]] = {}
    wanted = sorted({k for ks in keys.values() for k in ks})
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for key, h in conn.execute(
            f"select key, hash from {COPY_BANDS} where key in ({marks})", chunk
        ):
            bands.setdefault(key, set()).add(h)
    _load_texts(conn, list({h for hs in bands.values() for h in hs} - texts.keys()), texts)
    renamed: list[tuple[str, str]] = []
    added: list[tuple[int, int]] = []

    def rename(old: str, new: str) -> None:
        renamed.append((new, old))
        for t in texts.values():
            if t.group == old:
                t.group = new

    for pid, h, _ in todo:
        text = texts.get(h)
        if text is not None:  # the same text again
            if pid == text.post_id or pid in text.posts:
                continue
            text.posts.append(pid)
            if text.group is None:
                text.group, text.dirty = min(text.post_id, pid, key=_rank), True
            elif _rank(pid) < _rank(text.group):
                rename(text.group, pid)
            continue
        text = texts[h] = _Text(None, pid, fresh_feats.get(h), new=True)
        if text.feats is None:
            continue
        shared: dict[int, int] = {}
        for band in keys[h]:
            for other in bands.get(band, ()):
                if other != h:
                    shared[other] = shared.get(other, 0) + 1
        linked: dict[str, None] = {}
        for other in sorted(shared, key=lambda o: (-shared[o], o))[:MAX_CANDIDATES]:
            peer = texts.get(other)
            if peer is None or peer.feats is None:
                continue
            mark = peer.group or peer.post_id
            if mark in linked or jaccard(text.feats, peer.feats) < JACCARD:
                continue
            linked[mark] = None
            if peer.group is None:
                peer.group, peer.dirty = peer.post_id, True
        if linked:
            best = min([pid, *linked], key=_rank)
            for mark in linked:
                if mark != best:
                    rename(mark, best)
            text.group = best
        # a band keeps one text per group: a copy of a copy is found through either
        for band in keys[h]:
            bucket = bands.setdefault(band, set())
            if len(bucket) >= BUCKET_CAP or (
                text.group is not None
                and any((texts[o].group or texts[o].post_id) == text.group for o in bucket)
            ):
                continue
            bucket.add(h)
            added.append((band, h))
    _write(conn, texts, added, renamed)


def _load_texts(conn: Any, hashes: list[int], into: dict[int, _Text]) -> None:
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for h, group, post_id, feats in conn.execute(
            f"select hash, copy_group, post_id, features from {COPY_TEXTS} where hash in ({marks})",
            chunk,
        ):
            vec = None if feats is None else frozenset(array("I", feats))
            into[h] = _Text(group, post_id, vec)


def _write(
    conn: Any,
    texts: dict[int, _Text],
    added: list[tuple[int, int]],
    renamed: list[tuple[str, str]],
) -> None:
    # a rename applies to every stored post and text of the old group, in order
    for new, old in renamed:
        conn.execute(f"update {COPY_TEXTS} set copy_group = ? where copy_group = ?", (new, old))
        conn.execute("update posts set copy_group = ? where copy_group = ?", (new, old))
    conn.executemany(
        f"insert into {COPY_TEXTS} (hash, copy_group, post_id, features) values (?, ?, ?, ?) "
        "on conflict (hash) do update set copy_group = excluded.copy_group",
        [
            (h, t.group, t.post_id, None if t.feats is None else array("I", t.feats).tobytes())
            for h, t in texts.items()
            if t.new or t.dirty or t.posts
        ],
    )
    conn.executemany(
        f"insert or ignore into {COPY_BANDS} (key, hash) values (?, ?)",
        added,
    )
    conn.executemany(
        "update posts set copy_group = ? where id = ?",
        [
            (t.group, pid)
            for t in texts.values()
            if t.group is not None and (t.new or t.dirty or t.posts)
            for pid in (t.post_id, *t.posts)
        ],
    )


def group_stored(db: sqlite_utils.Database, batch: int = 1000) -> int:
    """Group every stored post that has not been grouped yet, oldest row first (an
    upgrade does it once); returns how many posts were read."""
    done = 0
    last = 0
    while True:
        rows = db.conn.execute(
            "select rowid, id, text, author, deleted from posts where rowid > ? "
            "and text is not null order by rowid limit ?",
            (last, batch),
        ).fetchall()
        if not rows:
            return done
        last = rows[-1][0]
        with db.atomic():
            group_posts(
                db, [{"id": r[1], "text": r[2], "author": r[3], "deleted": r[4]} for r in rows]
            )
        done += len(rows)


def create_tables(db: sqlite_utils.Database) -> None:
    """The tables and indexes grouping keeps (see :mod:`monitor.schema`)."""
    db.execute(
        f"create table {COPY_TEXTS} (hash integer primary key, copy_group text, "
        "post_id text not null, features blob)"
    )
    db.execute(
        f"create index idx_{COPY_TEXTS}_group on {COPY_TEXTS} (copy_group) "
        "where copy_group is not null"
    )
    db.execute(
        f"create table {COPY_BANDS} (key integer not null, hash integer not null, "
        "primary key (key, hash)) without rowid"
    )

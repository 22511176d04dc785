"""Copies counted once: near-duplicate posts grouped when they are stored.

A post's text is normalised (case, spacing, links, @handles, emoji and punctuation
dropped); of a long post, only its opening and its close are read (:func:`read_part`).
Equal normalised texts are one *text* (an exact hash finds them first); two
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
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from hashlib import blake2b
from typing import TYPE_CHECKING, Any

import sqlite_utils

from .copy_text import read_part, words
from .theme_terms import STOP_WORDS

if TYPE_CHECKING:  # numpy is imported when a page is grouped: not by commands that read
    import numpy as np

COPY_TEXTS = "copy_texts"
COPY_BANDS = "copy_bands"

#: Fewer words than this: a copy only of the same author's identical text.
CROSS_WORDS = 5
#: Fewer words than this: only identical texts are copies (no near-duplicates).
FUZZY_WORDS = 8
#: Two texts are copies at this Jaccard similarity of words and word pairs, or above.
JACCARD = 0.6
BANDS = 6
ROWS = 2
PERMUTATIONS = BANDS * ROWS
#: At most this many candidate texts are compared per new text (most shared bands first:
#: a copy shares more of them than a look-alike).
MAX_CANDIDATES = 16
#: A copy this close to a text already stored adds nothing to the bands: it is found
#: through its twin (Jaccard distance is a metric).
NEAR_SAME = 0.85
#: A band that holds this many texts takes no more (a phrase everyone writes would
#: otherwise make every text a candidate of every other).
BUCKET_CAP = 8


@cache
def _seeds() -> tuple[np.ndarray[Any, np.dtype[np.uint64]], np.ndarray[Any, np.dtype[np.uint64]]]:
    """The MinHash functions' multipliers and offsets (odd 64-bit numbers)."""
    import numpy as np

    def draw(prefix: str) -> np.ndarray[Any, np.dtype[np.uint64]]:
        values = [
            int.from_bytes(blake2b(f"{prefix}{i}".encode(), digest_size=8).digest(), "big") | 1
            for i in range(PERMUTATIONS)
        ]
        return np.array(values, dtype=np.uint64)

    return draw("monitor.copies.a"), draw("monitor.copies.b")


def _hash64(text: str) -> int:
    return int.from_bytes(blake2b(text.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


@lru_cache(maxsize=4096)  # a group's id is ranked again with every post that joins it
def _rank(post_id: str) -> tuple[bytes, str]:
    """The order that picks a group's id: a hash of the post id, then the id."""
    return blake2b(post_id.encode("utf-8"), digest_size=8).digest(), post_id


def text_key(text: str, author: str | None) -> tuple[int, list[str]] | None:
    """The exact key of what is read of a post's text (:func:`read_part`; with its
    author's name when the text is short) and its words; None when there is nothing to
    compare."""
    found = words(read_part(text))
    if not found:
        return None
    norm = " ".join(found)
    if len(found) < CROSS_WORDS:
        norm = f"{author or ''}\x00{norm}"
    return _hash64(norm), found


def features(found: Sequence[str]) -> frozenset[int]:
    """The 32-bit hashes of a text's words and word pairs (as :func:`page_features`)."""
    return frozenset(array("I", page_features([found])[0][0]))


_STOP = 1 << 32


class _WordHashes(dict[str, int]):
    """word -> its 32-bit hash, plus :data:`_STOP` when it is a stop word; a new word is
    hashed when first looked up."""

    def __missing__(self, word: str) -> int:
        self[word] = value = zlib.crc32(word.encode()) | (_STOP if word in STOP_WORDS else 0)
        return value


_WORD_HASHES = _WordHashes()


def page_features(texts: Sequence[Sequence[str]]) -> tuple[list[bytes], list[list[int]]]:
    """For a page of texts at once: per text, the 32-bit hashes of its words and word
    pairs (a pair is the hash of the two words' hashes), sorted and each once, as bytes;
    and its band keys.

    The MinHash reads the words and pairs without stop words and pairs of them ("of the"
    would make every post a candidate of every other), or all of them when nothing else
    is left."""
    if not texts:
        return [], []
    import numpy as np

    known = _WORD_HASHES
    if len(known) > 200_000:  # a bound on memory: start again
        known.clear()
    flat = list(itertools.chain.from_iterable(texts))
    values = np.fromiter(map(known.__getitem__, flat), np.uint64, len(flat))
    words = values & np.uint64(0xFFFFFFFF)
    stop = values > np.uint64(0xFFFFFFFF)
    text_of = np.repeat(np.arange(len(texts), dtype=np.uint64), [len(t) for t in texts])
    pairs = (words[:-1] * np.uint64(0x9E3779B1) + words[1:] * np.uint64(0x85EBCA77)) >> np.uint64(
        16
    ) & np.uint64(0xFFFFFFFF)
    inside = text_of[:-1] == text_of[1:]  # a pair within one text
    # (text, feature) in one number: sorted, the features of each text in order
    keys = np.concatenate((words, pairs[inside])) | (
        np.concatenate((text_of, text_of[:-1][inside])) << np.uint64(32)
    )
    rare = np.concatenate((~stop, ~(stop[:-1] & stop[1:])[inside]))
    # a text with nothing but stop words is read whole
    has_rare = np.zeros(len(texts), dtype=bool)
    has_rare[(keys[rare] >> np.uint64(32)).astype(np.int64)] = True
    picked = np.sort(keys[rare | ~has_rare[(keys >> np.uint64(32)).astype(np.int64)]])
    every = np.sort(keys)
    every = every[np.concatenate(([True], every[1:] != every[:-1]))]  # each once
    bounds = np.searchsorted(every, np.arange(len(texts) + 1, dtype=np.uint64) << np.uint64(32))
    full32 = every.astype(np.uint32)  # the low 32 bits: the feature
    blobs = [full32[s:e].tobytes() for s, e in itertools.pairwise(bounds.tolist())]
    owner = picked >> np.uint64(32)
    return blobs, _band_keys(picked & np.uint64(0xFFFFFFFF), owner, len(texts))


def _band_keys(
    feats: np.ndarray[Any, Any], owner: np.ndarray[Any, Any], count: int
) -> list[list[int]]:
    """Per text, its :data:`BANDS` LSH keys: MinHash of its features (sorted by text),
    two rows a band."""
    import numpy as np

    a, b = _seeds()
    starts = np.searchsorted(owner, np.arange(count, dtype=np.uint64))
    hashed = (feats[:, None] * a[None, :] + b[None, :]) >> np.uint64(32)
    mins = np.minimum.reduceat(hashed, starts, axis=0)
    pairs = mins.reshape(count, BANDS, ROWS)
    band = np.arange(BANDS, dtype=np.uint64)[None, :]
    keys = (
        (pairs[:, :, 0] << np.uint64(32)) ^ pairs[:, :, 1] ^ (band * np.uint64(0x9E3779B97F4A7C15))
    )
    return (keys >> np.uint64(1)).astype(np.int64).tolist()  # type: ignore[no-any-return]


@dataclass(slots=True)
class _Text:
    group: str | None
    post_id: str
    blob: bytes | None  # the feature hashes, uint32, sorted, each once; None: exact only
    dirty: bool = False
    new: bool = False
    posts: list[str] = field(default_factory=list)
    _set: frozenset[int] | None = None

    def similarity(self, blob: bytes) -> float:
        """The Jaccard similarity of this text's features and ``blob``'s; 0 when their
        sizes alone rule out :data:`JACCARD`."""
        if self._set is None:
            self._set = frozenset(array("I", self.blob or b""))
        mine, theirs = len(self._set), len(blob) // 4
        if min(mine, theirs) / max(mine, theirs, 1) < JACCARD:
            return 0.0
        both = len(self._set.intersection(array("I", blob)))
        return both / (mine + theirs - both)


def assign(db: sqlite_utils.Database, posts: Iterable[dict[str, Any]]) -> None:
    """Group new ``posts`` (rows with ``id``, ``text``, ``author``) with the copies already
    stored and with each other: set each row's ``copy_group`` (None when it is a copy of
    nothing), and regroup the stored posts it joins. Call inside the transaction that
    stores the rows, before they are written."""
    todo = []
    rows: dict[str, dict[str, Any]] = {}
    for post in posts:
        text = post.get("text")
        post["copy_group"] = None
        if text and not post.get("deleted"):
            key = text_key(text, post.get("author"))
            if key is not None:
                todo.append((str(post["id"]), key[0], key[1]))
                rows[str(post["id"])] = post
    if not todo:
        return
    conn = db.conn
    hashes = list({h for _, h, _ in todo})
    texts: dict[int, _Text] = {}
    _load_texts(conn, hashes, texts)
    fresh = {h: w for _, h, w in todo if h not in texts and len(w) >= FUZZY_WORDS}
    order = list(fresh)
    blobs, found = page_features([fresh[h] for h in order])
    arrays = dict(zip(order, blobs, strict=True))
    keys = dict(zip(order, found, strict=True))
    bands: dict[int, list[int]] = {}
    wanted = sorted({k for ks in keys.values() for k in ks})
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for key, h in conn.execute(
            f"select key, hash from {COPY_BANDS} where key in ({marks})", chunk
        ):
            bands.setdefault(key, []).append(h)
    # the stored texts sharing a band with a new one (at most BUCKET_CAP a band)
    _load_texts(conn, list({o for b in bands.values() for o in b} - texts.keys()), texts)
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
        blob = arrays.get(h)
        text = texts[h] = _Text(None, pid, blob, new=True)
        if blob is None:
            continue
        linked: dict[str, None] = {}
        closest = 0.0
        for other in _candidates(h, keys[h], bands):
            peer = texts.get(other)
            if peer is None or peer.blob is None:
                continue
            mark = peer.group or peer.post_id
            if mark in linked:
                continue
            similar = text.similarity(peer.blob)
            if similar < JACCARD:
                continue
            closest = max(closest, similar)
            linked[mark] = None
            if peer.group is None:
                peer.group, peer.dirty = peer.post_id, True
        if linked:
            best = min([pid, *linked], key=_rank)
            for mark in linked:
                if mark != best:
                    rename(mark, best)
            text.group = best
        if closest >= NEAR_SAME:  # found through its twin: a band need not hold both
            continue
        for band in keys[h]:
            bucket = bands.setdefault(band, [])
            if len(bucket) >= BUCKET_CAP:
                continue
            bucket.append(h)
            added.append((band, h))
    _write(conn, texts, added, renamed, rows)


def _candidates(h: int, keys: list[int], bands: dict[int, list[int]]) -> list[int]:
    """The texts sharing a band with text ``h``: the most bands first (then the smallest
    hash), at most :data:`MAX_CANDIDATES`."""
    found = [o for band in keys if (bucket := bands.get(band)) for o in bucket if o != h]
    if len(found) <= 1:
        return found
    shared = Counter(found)
    if len(shared) <= 1:
        return list(shared)
    if len(shared) > MAX_CANDIDATES:
        return [o for o, _ in sorted(shared.items(), key=_by_shared)[:MAX_CANDIDATES]]
    return sorted(shared, key=lambda o: (-shared[o], o))


def _by_shared(item: tuple[int, int]) -> tuple[int, int]:
    return -item[1], item[0]


def _load_texts(conn: Any, hashes: list[int], into: dict[int, _Text]) -> None:
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for h, group, post_id, feats in conn.execute(
            f"select hash, copy_group, post_id, features from {COPY_TEXTS} where hash in ({marks})",
            chunk,
        ):
            into[h] = _Text(group, post_id, feats)


def _write(
    conn: Any,
    texts: dict[int, _Text],
    added: list[tuple[int, int]],
    renamed: list[tuple[str, str]],
    rows: dict[str, dict[str, Any]],
) -> None:
    # a rename applies to every stored post and text of the old group, in order
    for new, old in renamed:
        conn.execute(f"update {COPY_TEXTS} set copy_group = ? where copy_group = ?", (new, old))
        conn.execute("update posts set copy_group = ? where copy_group = ?", (new, old))
    # a text seen again keeps its row (a rename above has set its group)
    conn.executemany(
        f"insert into {COPY_TEXTS} (hash, copy_group, post_id, features) values (?, ?, ?, ?)",
        sorted((h, t.group, t.post_id, t.blob) for h, t in texts.items() if t.new),
    )
    conn.executemany(
        f"update {COPY_TEXTS} set copy_group = ? where hash = ?",
        [(t.group, h) for h, t in texts.items() if t.dirty and not t.new],
    )
    # in key order: each page of the index is written once
    conn.executemany(f"insert or ignore into {COPY_BANDS} (key, hash) values (?, ?)", sorted(added))
    # a stored post takes a group only when its text had none (a rename above did the rest)
    stored = []
    for t in texts.values():
        if t.group is None or not (t.new or t.dirty or t.posts):
            continue
        for pid in (t.post_id, *t.posts):
            if pid in rows:
                rows[pid]["copy_group"] = t.group
            elif t.dirty:
                stored.append((t.group, pid))
    conn.executemany("update posts set copy_group = ? where id = ?", stored)


def group_stored(db: sqlite_utils.Database, batch: int = 1000) -> int:
    """Group the stored posts about a title, oldest row first (an upgrade does it once);
    returns how many posts were read."""
    done = 0
    last = 0
    while True:
        rows = db.conn.execute(
            "select rowid, id, text, author, deleted from posts where rowid > ? "
            "and text is not null and exists (select 1 from mentions m where m.post_id = id) "
            "order by rowid limit ?",
            (last, batch),
        ).fetchall()
        if not rows:
            return done
        last = rows[-1][0]
        posts = [{"id": r[1], "text": r[2], "author": r[3], "deleted": r[4]} for r in rows]
        with db.atomic():
            assign(db, posts)
            db.conn.executemany(
                "update posts set copy_group = ? where id = ?",
                [(p["copy_group"], p["id"]) for p in posts if p["copy_group"]],
            )
        done += len(rows)


def features_once(db: sqlite_utils.Database, batch: int = 1000) -> None:
    """Rewrite each stored text's features sorted and each once, as :func:`page_features`
    gives them now (their count is then the size of the set); an upgrade does it once."""
    last = None
    while True:
        rows = db.conn.execute(
            f"select hash, features from {COPY_TEXTS} where features is not null "
            + ("and hash > ? " if last is not None else "")
            + "order by hash limit ?",
            (last, batch) if last is not None else (batch,),
        ).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        db.conn.executemany(
            f"update {COPY_TEXTS} set features = ? where hash = ?",
            [(array("I", sorted(set(array("I", blob)))).tobytes(), h) for h, blob in rows],
        )


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

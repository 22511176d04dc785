"""Sources -> relevance -> sentiment -> store, one page at a time.

Pollers hand each page of mapped post rows to :func:`store_page`, which decides the
mentions, labels the posts that mention a title and writes all of it, with the cursor
advance, in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from . import language, relevance, sentiment
from .config import Title
from .schema import POSTS
from .store import Row, Store


@dataclass(frozen=True)
class Cursor:
    """A high-water mark to store with a page."""

    source: str
    title: str
    query: str
    value: str


def mentions_for(
    post: Row, titles: Sequence[Title], thread_titles: frozenset[str] = frozenset()
) -> list[Row]:
    """The ``mentions`` rows for one post: one per title it is about."""
    rows = []
    for title in titles:
        verdict = relevance.judge(
            post.get("text") or "",
            title,
            community=post.get("community"),
            thread_about=title.name in thread_titles if thread_titles else None,
        )
        if verdict.about:
            rows.append(
                {
                    "post_id": post["id"],
                    "title": title.name,
                    "relevance": verdict.score,
                    "terms": json.dumps(verdict.terms),
                }
            )
    return rows


def store_page(
    store: Store,
    posts: Sequence[Row],
    titles: Sequence[Title],
    cursor: Cursor | None = None,
    *,
    thread_titles: dict[str, frozenset[str]] | None = None,
) -> int:
    """Store one page of posts with their mentions and labels; return how many were new.

    ``thread_titles`` maps a thread's post id to the titles its root is about, so that a
    comment inherits its thread's topic.
    """
    # Each post's language; posts in one the model does not read stay unscored.
    posts = [{**p, "lang": language.detect(p.get("text") or "")} for p in posts]
    ids = [p["id"] for p in posts]
    known = {
        r["id"]
        for r in store.query(
            f"select id from {POSTS} where id in (select value from json_each(?))",
            [json.dumps(ids)],
        )
    }
    mentions: list[Row] = []
    for post in posts:
        inherited = (thread_titles or {}).get(post.get("thread_id") or "", frozenset())
        mentions.extend(mentions_for(post, titles, inherited))
    about = {m["post_id"] for m in mentions}
    model = sentiment.analyzer()
    names = [name for t in titles for name in t.names]
    labels = []
    for post in posts:
        if post["id"] in about and post.get("text") and language.reads(post["lang"]):
            s = model.score(post["text"], names)
            labels.append(
                {
                    "post_id": post["id"],
                    "model": model.model,
                    "compound": s.compound,
                    "pos": s.pos,
                    "neu": s.neu,
                    "neg": s.neg,
                    "label": s.label,
                }
            )
    with store.transaction():
        store.upsert_posts(posts)
        store.upsert_mentions(mentions)
        store.upsert_sentiments(labels)
        if cursor is not None:
            store.set_cursor(cursor.source, cursor.title, cursor.query, cursor.value)
    return len(set(ids) - known)

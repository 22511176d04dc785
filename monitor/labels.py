"""Label stored posts with a sentiment model, in batches, each batch in one transaction.

Every label names its model version, so a better model adds its own labels beside the old
ones and reports can choose.
"""

from __future__ import annotations

import json
import logging
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from . import language, sentiment
from .queries import count_to_label, posts_to_label
from .rows import LabelRow, Row, label_row
from .store import Store

log = logging.getLogger("monitor.labels")

DEFAULT_BATCH = 500


def pending(store: Store, model: str = sentiment.DEFAULT_MODEL, *, relabel: bool = False) -> int:
    """How many posts :func:`label_posts` would label."""
    return count_to_label(store, sentiment.version(model), relabel=relabel)


def label_posts(
    store: Store,
    model: str = sentiment.DEFAULT_MODEL,
    *,
    relabel: bool = False,
    batch: int = DEFAULT_BATCH,
    progress: Callable[[int], None] | None = None,
    jobs: int = 1,
) -> int:
    """Label the mentioned posts ``model`` has not labelled (all of them with ``relabel``).

    Each batch is committed on its own, so an interrupted run keeps what it finished and the
    next run carries on. ``progress`` is called with the size of each committed batch.
    With ``jobs`` above 1, that many processes score the batches while this one reads and
    writes (SQLite has one writer); the labels are the same. Returns how many were labelled.
    """
    version = sentiment.version(model)
    batches = _batches(store, version, relabel, batch)
    done = 0
    for rows, langs, seen in _scored(batches, model, jobs):
        with store.transaction():
            store.set_languages(langs)
            store.upsert_sentiments(rows)
        done += len(rows)
        log.debug("labelled %d posts with %s", done, version)
        if progress is not None:
            progress(seen)
    return done


def _batches(store: Store, version: str, relabel: bool, size: int) -> Iterator[list[Row]]:
    after = ""
    while posts := posts_to_label(store, version, relabel=relabel, after=after, limit=size):
        yield posts
        after = posts[-1]["id"]


Scored = tuple[list[LabelRow], dict[str, str | None], int]


def _scored(batches: Iterator[list[Row]], model: str, jobs: int) -> Iterator[Scored]:
    """Each batch's labels, in order; scored in ``jobs`` processes, a few batches ahead."""
    if jobs <= 1:
        yield from (label_batch(model, posts) for posts in batches)
        return
    with ProcessPoolExecutor(jobs, initializer=sentiment.analyzer, initargs=(model,)) as pool:
        ahead: deque[Future[Scored]] = deque()
        for posts in batches:
            ahead.append(pool.submit(label_batch, model, posts))
            if len(ahead) >= 2 * jobs:  # never the whole table in memory
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()


def label_batch(model: str, posts: list[Row]) -> Scored:
    """The labels of one batch of :func:`~monitor.queries.posts_to_label` rows, the
    languages found for the posts stored before languages were (a post in a language the
    model does not read stays unscored), and how many posts the batch held."""
    analyzer = sentiment.analyzer(model)
    langs = {p["id"]: language.detect(p["text"]) for p in posts if p["lang"] is None}
    rows = [_label(analyzer, p) for p in posts if language.reads(langs.get(p["id"], p["lang"]))]
    return rows, langs, len(posts)


def _label(analyzer: sentiment.Analyzer, post: Row) -> LabelRow:
    names = list(json.loads(post["names"]))
    for aliases in json.loads(post["aliases"]):
        names.extend(json.loads(aliases))
    return label_row(post["id"], analyzer.model, analyzer.score(post["text"], names))

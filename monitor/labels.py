"""Label stored posts with a sentiment model, in batches, each batch in one transaction.

Every label names its model version, so a better model adds its own labels beside the old
ones and reports can choose.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from . import language, sentiment
from .store import Row, Store, count_to_label, posts_to_label

log = logging.getLogger("monitor.labels")

DEFAULT_BATCH = 500


def pending(store: Store, model: str = sentiment.DEFAULT_MODEL, *, relabel: bool = False) -> int:
    """How many posts :func:`label_posts` would label."""
    return count_to_label(store, sentiment.analyzer(model).model, relabel=relabel)


def label_posts(
    store: Store,
    model: str = sentiment.DEFAULT_MODEL,
    *,
    relabel: bool = False,
    batch: int = DEFAULT_BATCH,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Label the mentioned posts ``model`` has not labelled (all of them with ``relabel``).

    Each batch is committed on its own, so an interrupted run keeps what it finished and the
    next run carries on. ``progress`` is called with the size of each committed batch.
    Returns how many posts were labelled.
    """
    analyzer = sentiment.analyzer(model)
    done, after = 0, ""
    while True:
        posts = posts_to_label(store, analyzer.model, relabel=relabel, after=after, limit=batch)
        if not posts:
            break
        # Posts stored before languages were: detect theirs now; keep the unread unscored.
        langs = {p["id"]: language.detect(p["text"]) for p in posts if p["lang"] is None}
        rows = [_label(analyzer, p) for p in posts if language.reads(langs.get(p["id"], p["lang"]))]
        with store.transaction():
            store.set_languages(langs)
            store.upsert_sentiments(rows)
        done += len(rows)
        after = posts[-1]["id"]
        log.debug("labelled %d posts with %s (up to %s)", done, analyzer.model, after)
        if progress is not None:
            progress(len(posts))
    return done


def _label(analyzer: sentiment.Analyzer, post: Row) -> Row:
    names = list(json.loads(post["names"]))
    for aliases in json.loads(post["aliases"]):
        names.extend(json.loads(aliases))
    s = analyzer.score(post["text"], names)
    return {
        "post_id": post["id"],
        "model": analyzer.model,
        "compound": s.compound,
        "pos": s.pos,
        "neu": s.neu,
        "neg": s.neg,
        "label": s.label,
    }

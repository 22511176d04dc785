"""The daily totals the report reads, kept by SQLite triggers in the same transaction as
every write, and counted afresh by :func:`rebuild_daily`."""

from __future__ import annotations

import sqlite_utils

from .tables import DAILY_AUTHORS, DAILY_MENTIONS, DAILY_SENTIMENT, MENTIONS, POSTS, SENTIMENTS

# The report reads one row per (title, day, platform) instead of grouping a million
# mentions: ``daily_mentions`` counts a title's mentions, ``daily_sentiment`` sums their
# labels per model. Triggers on mentions, sentiments and posts keep both tables equal to a
# GROUP BY over those three, in the same transaction as the write, whatever writes: an
# upsert, a relabel, a post whose time or platform changes, a delete. ``highest`` and
# ``lowest`` only ever widen (a max cannot be taken back), so they bound the day's extremes.
# Deleted posts still count: they were said, and their labels stay.

#: Per table a trigger watches: the (title, day, platform) of each mention the changed
#: row ``{r}`` (``old`` or ``new``) stands for; a sentiment row stands for no mention.
_MENTION_ROWS = {
    MENTIONS: "select {r}.title as title, substr(p.created_at, 1, 10) as day, "
    f"p.platform as platform from {POSTS} p where p.id = {{r}}.post_id",
    POSTS: "select m.title as title, substr({r}.created_at, 1, 10) as day, "
    f"{{r}}.platform as platform from {MENTIONS} m where m.post_id = {{r}}.id",
}
#: The same with each label: title, model, day, platform, compound, label.
_LABEL_ROWS = {
    MENTIONS: "select {r}.title as title, s.model as model, substr(p.created_at, 1, 10) as day, "
    "p.platform as platform, s.compound as compound, s.label as label "
    f"from {POSTS} p join {SENTIMENTS} s on s.post_id = p.id where p.id = {{r}}.post_id",
    POSTS: "select m.title as title, s.model as model, substr({r}.created_at, 1, 10) as day, "
    "{r}.platform as platform, s.compound as compound, s.label as label "
    f"from {MENTIONS} m join {SENTIMENTS} s on s.post_id = m.post_id where m.post_id = {{r}}.id",
    SENTIMENTS: "select m.title as title, {r}.model as model, "
    "substr(p.created_at, 1, 10) as day, p.platform as platform, "
    "{r}.compound as compound, {r}.label as label "
    f"from {MENTIONS} m join {POSTS} p on p.id = m.post_id where m.post_id = {{r}}.post_id",
}

#: The same with each mention's author (a post without one, deleted or pruned, has none).
_AUTHOR_ROWS = {
    MENTIONS: "select {r}.title as title, substr(p.created_at, 1, 10) as day, "
    f"p.platform as platform, p.author as author from {POSTS} p "
    "where p.id = {r}.post_id and p.author is not null",
    POSTS: "select m.title as title, substr({r}.created_at, 1, 10) as day, "
    "{r}.platform as platform, {r}.author as author "
    f"from {MENTIONS} m where m.post_id = {{r}}.id and {{r}}.author is not null",
}

_MENTION_KEY = "title, day, platform"
_AUTHOR_KEY = "title, day, platform, author"
_LABEL_KEY = "title, model, day, platform"
#: What each label adds. Within one trigger every row has a key of its own (a post is
#: mentioned once per title and labelled once per model), so no trigger needs a GROUP BY …
_LABEL_PARTS = (
    "1 as scored, compound as sum_compound, compound * compound as sum_squares, "
    "label is 'positive' as positive, label is 'negative' as negative, "
    "compound as highest, compound as lowest"
)
#: … only counting a whole table at once does.
_LABEL_SUMS = (
    "count(*) as scored, total(compound) as sum_compound, "
    "total(compound * compound) as sum_squares, sum(label is 'positive') as positive, "
    "sum(label is 'negative') as negative, max(compound) as highest, min(compound) as lowest"
)


def _add_counts(table: str, key: str, rows: str, *, grouped: bool = False) -> list[str]:
    """Count the rows of the ``rows`` query into ``table`` by ``key``."""
    count = "count(*)" if grouped else "1"
    return [
        f"insert into {table} ({key}, posts) "
        f"select {key}, {count} from ({rows}) where true "
        + (f"group by {key} " if grouped else "")
        + f"on conflict ({key}) do update set posts = posts + excluded.posts"
    ]


def _subtract_counts(table: str, key: str, rows: str) -> list[str]:
    """Take back what :func:`_add_counts` added; a key counted down to nothing goes."""
    return [
        f"update {table} set posts = posts - 1 where ({key}) in (select {key} from ({rows}))",
        f"delete from {table} where posts <= 0 and ({key}) in (select {key} from ({rows}))",
    ]


def _add_mentions(rows: str, *, grouped: bool = False) -> list[str]:
    """Count the mentions in ``rows`` into ``daily_mentions``."""
    return _add_counts(DAILY_MENTIONS, _MENTION_KEY, rows, grouped=grouped)


def _subtract_mentions(rows: str) -> list[str]:
    return _subtract_counts(DAILY_MENTIONS, _MENTION_KEY, rows)


def _add_authors(rows: str, *, grouped: bool = False) -> list[str]:
    """Count the (mention, author) rows in ``rows`` into ``daily_authors``."""
    return _add_counts(DAILY_AUTHORS, _AUTHOR_KEY, rows, grouped=grouped)


def _subtract_authors(rows: str) -> list[str]:
    return _subtract_counts(DAILY_AUTHORS, _AUTHOR_KEY, rows)


def _add_labels(labels: str, *, grouped: bool = False) -> list[str]:
    """Sum the labels in ``labels`` into ``daily_sentiment``."""
    parts = _LABEL_SUMS if grouped else _LABEL_PARTS
    return [
        f"insert into {DAILY_SENTIMENT} ({_LABEL_KEY}, scored, sum_compound, sum_squares, "
        "positive, negative, highest, lowest) "
        f"select {_LABEL_KEY}, {parts} from ({labels}) where compound is not null "
        + (f"group by {_LABEL_KEY} " if grouped else "")
        + f"on conflict ({_LABEL_KEY}) do update set scored = scored + excluded.scored, "
        "sum_compound = sum_compound + excluded.sum_compound, "
        "sum_squares = sum_squares + excluded.sum_squares, "
        "positive = positive + excluded.positive, negative = negative + excluded.negative, "
        "highest = max(highest, excluded.highest), lowest = min(lowest, excluded.lowest)"
    ]


def _subtract_labels(labels: str) -> list[str]:
    """Take back what :func:`_add_labels` added (``highest`` and ``lowest`` stay); an
    emptied day goes."""
    t = DAILY_SENTIMENT
    return [
        f"update {t} set scored = {t}.scored - c.scored, "
        f"sum_compound = {t}.sum_compound - c.sum_compound, "
        f"sum_squares = {t}.sum_squares - c.sum_squares, "
        f"positive = {t}.positive - c.positive, negative = {t}.negative - c.negative "
        f"from (select {_LABEL_KEY}, {_LABEL_PARTS} from ({labels}) "
        "where compound is not null) c "
        f"where ({t}.title, {t}.model, {t}.day, {t}.platform) "
        "= (c.title, c.model, c.day, c.platform)",
        f"delete from {t} where scored <= 0 "
        f"and ({_LABEL_KEY}) in (select {_LABEL_KEY} from ({labels}))",
    ]


def _moves(table: str, *, old: bool = False, new: bool = False, authors: bool = True) -> list[str]:
    """The statements of a trigger on ``table``: take back the old row's part of the
    totals, add the new row's (``authors``: ``daily_authors`` too, schema 6 on)."""
    rows, labels = _MENTION_ROWS.get(table), _LABEL_ROWS[table]
    who = _AUTHOR_ROWS.get(table) if authors else None
    out = []
    if old:
        out += _subtract_mentions(rows.format(r="old")) if rows else []
        out += _subtract_labels(labels.format(r="old"))
        out += _subtract_authors(who.format(r="old")) if who else []
    if new:
        out += _add_mentions(rows.format(r="new")) if rows else []
        out += _add_labels(labels.format(r="new"))
        out += _add_authors(who.format(r="new")) if who else []
    return out


def _triggers(authors: bool) -> dict[str, tuple[str, str, list[str]]]:
    """name -> (event, when, statements); ``authors`` as in :func:`_moves`."""
    post_event, post_when = (
        (
            f"update of created_at, platform, author on {POSTS}",
            "substr(old.created_at, 1, 10) is not substr(new.created_at, 1, 10) "
            "or old.platform is not new.platform or old.author is not new.author",
        )
        if authors
        else (
            f"update of created_at, platform on {POSTS}",
            "substr(old.created_at, 1, 10) is not substr(new.created_at, 1, 10) "
            "or old.platform is not new.platform",
        )
    )
    return {
        name: (event, when, _moves(table, old=old, new=new, authors=authors))
        for name, (event, when, table, old, new) in {
            "daily_mention_insert": (f"insert on {MENTIONS}", "", MENTIONS, False, True),
            "daily_mention_delete": (f"delete on {MENTIONS}", "", MENTIONS, True, False),
            "daily_mention_update": (
                f"update of post_id, title on {MENTIONS}",
                "old.post_id is not new.post_id or old.title is not new.title",
                MENTIONS,
                True,
                True,
            ),
            "daily_sentiment_insert": (f"insert on {SENTIMENTS}", "", SENTIMENTS, False, True),
            "daily_sentiment_delete": (f"delete on {SENTIMENTS}", "", SENTIMENTS, True, False),
            "daily_sentiment_update": (
                f"update of post_id, model, compound, label on {SENTIMENTS}",
                "old.post_id is not new.post_id or old.model is not new.model "
                "or old.compound is not new.compound or old.label is not new.label",
                SENTIMENTS,
                True,
                True,
            ),
            "daily_post_update": (post_event, post_when, POSTS, True, True),
            "daily_post_delete": (f"delete on {POSTS}", "", POSTS, True, False),
        }.items()
    }


def rebuild_daily(db: sqlite_utils.Database, *, authors: bool = True) -> None:
    """Recount the daily tables from mentions, posts and sentiments (what the triggers
    keep them equal to); ``authors=False`` leaves out ``daily_authors`` (before schema 6)."""
    db.execute(f"delete from {DAILY_MENTIONS}")
    db.execute(f"delete from {DAILY_SENTIMENT}")
    everything = (
        "select m.title as title, {model} substr(p.created_at, 1, 10) as day, "
        f"p.platform as platform {{label}} from {MENTIONS} m "
        f"join {POSTS} p on p.id = m.post_id {{join}}"
    )
    mentions = everything.format(model="", label="", join="")
    labels = everything.format(
        model="s.model as model,",
        label=", s.compound as compound, s.label as label",
        join=f"join {SENTIMENTS} s on s.post_id = m.post_id",
    )
    for sql in _add_mentions(mentions, grouped=True) + _add_labels(labels, grouped=True):
        db.execute(sql)
    if authors:
        db.execute(f"delete from {DAILY_AUTHORS}")
        who = (
            "select m.title as title, substr(p.created_at, 1, 10) as day, "
            f"p.platform as platform, p.author as author from {MENTIONS} m "
            f"join {POSTS} p on p.id = m.post_id where p.author is not null"
        )
        for sql in _add_authors(who, grouped=True):
            db.execute(sql)


def create_triggers(db: sqlite_utils.Database, *, authors: bool) -> None:
    for name, (event, when, statements) in _triggers(authors).items():
        body = "".join(f"  {s};\n" for s in statements)
        guard = f" when {when}" if when else ""
        db.execute(f"drop trigger if exists {name}")
        db.execute(f"create trigger {name} after {event}{guard}\nbegin\n{body}end")

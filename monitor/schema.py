"""The database's schema: table names and the forward migrations that build it.

``PRAGMA user_version`` holds how many of :data:`MIGRATIONS` a file has been through.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

TITLES = "titles"
POSTS = "posts"
MENTIONS = "mentions"
SENTIMENTS = "sentiments"
CHART_ENTRIES = "chart_entries"
POLL_RUNS = "poll_runs"
CURSORS = "cursors"
STATE = "state"
DAILY_MENTIONS = "daily_mentions"
DAILY_SENTIMENT = "daily_sentiment"
RECHECK_MISSES = "recheck_misses"


def _v1(db: sqlite_utils.Database) -> None:
    db.table(TITLES).create(
        {"name": str, "slug": str, "aliases": str, "released": str, "chart_title": str},
        pk="name",
    )
    db.table(POSTS).create(
        {
            "id": str,  # "<platform>:<native id>", the natural key
            "platform": str,
            "native_id": str,
            "url": str,
            "author": str,
            "community": str,  # subreddit; empty on Bluesky
            "parent_id": str,  # the post this one replies to, as a posts.id
            "thread_id": str,  # the thread's root post, as a posts.id
            "text": str,
            "langs": str,
            "created_at": str,
            "score": int,
            "likes": int,
            "replies": int,
            "reposts": int,
            "quotes": int,
            "num_comments": int,
            "deleted": int,
            "fetched_at": str,
        },
        pk="id",
        not_null={"platform", "native_id", "created_at"},
        defaults={"deleted": 0},
    )
    db.table(MENTIONS).create(
        {"post_id": str, "title": str, "relevance": float, "terms": str},
        pk=("post_id", "title"),
        foreign_keys=[("post_id", POSTS, "id"), ("title", TITLES, "name")],
    )
    db.table(SENTIMENTS).create(
        {
            "post_id": str,
            "model": str,
            "compound": float,
            "pos": float,
            "neu": float,
            "neg": float,
            "label": str,
        },
        pk=("post_id", "model"),
        foreign_keys=[("post_id", POSTS, "id")],
    )
    db.table(CHART_ENTRIES).create(
        {
            "chart": str,
            "region": str,
            "category": str,
            "period_start": str,
            "period_end": str,
            "rank": int,
            "title": str,  # the tracked title it matched, or null
            "chart_title": str,  # the chart's own spelling
            "season": str,
            "weeks_on_chart": int,
            "hours_viewed": int,
            "views": int,
        },
        pk=("chart", "region", "category", "period_start", "rank"),
    )
    db.table(POLL_RUNS).create(
        {
            "id": int,
            "source": str,
            "title": str,
            "query": str,
            "started": str,
            "finished": str,
            "status": str,  # running, ok, failed
            "requests": int,
            "fetched": int,
            "new": int,
            "error": str,
            "cap_hit": int,
            "gap_start": str,  # what could not be reached, when anything could not
            "gap_end": str,
        },
        pk="id",
        defaults={"requests": 0, "fetched": 0, "new": 0, "cap_hit": 0},
    )
    db.table(CURSORS).create(
        {"source": str, "title": str, "query": str, "value": str, "updated_at": str},
        pk=("source", "title", "query"),
    )
    db.table(STATE).create({"key": str, "value": str, "updated_at": str}, pk="key")


def _v2(db: sqlite_utils.Database) -> None:
    """Indexes for the report: by title, then by time."""
    db.table(POSTS).create_index(["created_at"], if_not_exists=True)
    db.table(POSTS).create_index(["thread_id"], if_not_exists=True)
    db.table(MENTIONS).create_index(["title", "post_id"], if_not_exists=True)
    db.table(CHART_ENTRIES).create_index(["title", "period_start"], if_not_exists=True)
    db.table(POLL_RUNS).create_index(["source", "title", "started"], if_not_exists=True)


def _v3_chart_platform(db: sqlite_utils.Database) -> None:
    """charts: the platform a chart ranks (netflix, prime-video…), for CSV-imported charts."""
    db.table(CHART_ENTRIES).add_column("platform", str)


def _report_indexes(db: sqlite_utils.Database) -> None:
    """The report's most positive and negative posts: sentiments by model, then score."""
    db.table(SENTIMENTS).create_index(["model", "compound"], if_not_exists=True)


# --- daily totals, kept by triggers ----------------------------------------------------
#
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

_MENTION_KEY = "title, day, platform"
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


def _add_mentions(rows: str, *, grouped: bool = False) -> list[str]:
    """Count the mentions in ``rows`` into ``daily_mentions``."""
    count = "count(*)" if grouped else "1"
    return [
        f"insert into {DAILY_MENTIONS} ({_MENTION_KEY}, posts) "
        f"select {_MENTION_KEY}, {count} from ({rows}) where true "
        + (f"group by {_MENTION_KEY} " if grouped else "")
        + f"on conflict ({_MENTION_KEY}) do update set posts = posts + excluded.posts"
    ]


def _subtract_mentions(rows: str) -> list[str]:
    """Take back what :func:`_add_mentions` added; an emptied day goes."""
    return [
        f"update {DAILY_MENTIONS} set posts = posts - 1 "
        f"where ({_MENTION_KEY}) in (select {_MENTION_KEY} from ({rows}))",
        f"delete from {DAILY_MENTIONS} where posts <= 0 "
        f"and ({_MENTION_KEY}) in (select {_MENTION_KEY} from ({rows}))",
    ]


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


def _moves(table: str, *, old: bool = False, new: bool = False) -> list[str]:
    """The statements of a trigger on ``table``: take back the old row's part of the
    totals, add the new row's."""
    rows, labels = _MENTION_ROWS.get(table), _LABEL_ROWS[table]
    out = []
    if old:
        out += _subtract_mentions(rows.format(r="old")) if rows else []
        out += _subtract_labels(labels.format(r="old"))
    if new:
        out += _add_mentions(rows.format(r="new")) if rows else []
        out += _add_labels(labels.format(r="new"))
    return out


#: name -> (event, when, statements)
_TRIGGERS: dict[str, tuple[str, str, list[str]]] = {
    "daily_mention_insert": (f"insert on {MENTIONS}", "", _moves(MENTIONS, new=True)),
    "daily_mention_delete": (f"delete on {MENTIONS}", "", _moves(MENTIONS, old=True)),
    "daily_mention_update": (
        f"update of post_id, title on {MENTIONS}",
        "old.post_id is not new.post_id or old.title is not new.title",
        _moves(MENTIONS, old=True, new=True),
    ),
    "daily_sentiment_insert": (f"insert on {SENTIMENTS}", "", _moves(SENTIMENTS, new=True)),
    "daily_sentiment_delete": (f"delete on {SENTIMENTS}", "", _moves(SENTIMENTS, old=True)),
    "daily_sentiment_update": (
        f"update of post_id, model, compound, label on {SENTIMENTS}",
        "old.post_id is not new.post_id or old.model is not new.model "
        "or old.compound is not new.compound or old.label is not new.label",
        _moves(SENTIMENTS, old=True, new=True),
    ),
    "daily_post_update": (
        f"update of created_at, platform on {POSTS}",
        "substr(old.created_at, 1, 10) is not substr(new.created_at, 1, 10) "
        "or old.platform is not new.platform",
        _moves(POSTS, old=True, new=True),
    ),
    "daily_post_delete": (f"delete on {POSTS}", "", _moves(POSTS, old=True)),
}


def rebuild_daily(db: sqlite_utils.Database) -> None:
    """Recount both daily tables from mentions, posts and sentiments (what the triggers
    keep them equal to)."""
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


def _daily_totals(db: sqlite_utils.Database) -> None:
    """Per-day totals for the report, kept by triggers (see above), counted once here."""
    db.execute(
        f"create table {DAILY_MENTIONS} (title text not null, day text not null, "
        "platform text not null, posts integer not null, "
        "primary key (title, day, platform)) without rowid"
    )
    db.execute(
        f"create table {DAILY_SENTIMENT} (title text not null, model text not null, "
        "day text not null, platform text not null, scored integer not null, "
        "sum_compound float not null, sum_squares float not null, positive integer not null, "
        "negative integer not null, highest float, lowest float, "
        "primary key (title, model, day, platform)) without rowid"
    )
    for name, (event, when, statements) in _TRIGGERS.items():
        body = "".join(f"  {s};\n" for s in statements)
        guard = f" when {when}" if when else ""
        db.execute(f"create trigger {name} after {event}{guard}\nbegin\n{body}end")
    rebuild_daily(db)


def _unreliable_answers(db: sqlite_utils.Database) -> None:
    """A post a re-check did not find, since when (it is deleted only once missing on two
    runs a day apart); how many items each poll passed over as unreadable."""
    db.execute(
        f"create table {RECHECK_MISSES} (post_id text primary key "
        f"references {POSTS}(id) on delete cascade, since text not null) without rowid"
    )
    db.table(POLL_RUNS).add_column("skipped", int, not_null_default=0)


def _chart_titles(db: sqlite_utils.Database) -> None:
    """Titles a followed chart brought in: where they came from and where they stand.

    ``origin`` is null for a config title; ``state`` is active, backfilling or retired;
    ``first_week``/``last_week`` are the chart's own weeks (period starts); ``facts`` holds
    what TMDB said (JSON), ``backfill_since``/``backfill_until`` the stretch to fetch."""
    titles = db.table(TITLES)
    for column in (
        "origin",
        "state",
        "chart",
        "region",
        "category",
        "season",
        "kind",
        "first_week",
        "last_week",
        "added_at",
        "backfill_since",
        "backfill_until",
        "facts",
    ):
        titles.add_column(column, str)
    titles.create_index(["origin", "state"], if_not_exists=True)


#: Forward migrations; ``MIGRATIONS[n]`` takes a database from version n to n + 1.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1,
    _v2,
    _v3_chart_platform,
    _report_indexes,
    _daily_totals,
    _unreliable_answers,
    _chart_titles,
]
SCHEMA_VERSION = len(MIGRATIONS)

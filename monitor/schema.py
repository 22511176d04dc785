"""The database's schema: table names and the forward migrations that build it.

``PRAGMA user_version`` holds how many of :data:`MIGRATIONS` a file has been through.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from .daily_totals import create_triggers, rebuild_daily
from .tables import (
    ALERT_DELIVERIES,
    ALERTS,
    CHART_ENTRIES,
    CURSORS,
    DAILY_AUTHORS,
    DAILY_MENTIONS,
    DAILY_SENTIMENT,
    MENTIONS,
    POLL_RUNS,
    POSTS,
    RECHECK_MISSES,
    SENTIMENTS,
    STATE,
    TITLES,
)

__all__ = [
    "ALERTS",
    "ALERT_DELIVERIES",
    "CHART_ENTRIES",
    "CURSORS",
    "DAILY_AUTHORS",
    "DAILY_MENTIONS",
    "DAILY_SENTIMENT",
    "MENTIONS",
    "MIGRATIONS",
    "POLL_RUNS",
    "POSTS",
    "RECHECK_MISSES",
    "SCHEMA_VERSION",
    "SENTIMENTS",
    "STATE",
    "TITLES",
    "rebuild_daily",
]


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
def _daily_totals(db: sqlite_utils.Database) -> None:
    """Per-day totals for the report, kept by triggers (:mod:`monitor.daily_totals`), counted
    once here."""
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
    create_triggers(db, authors=False)
    rebuild_daily(db, authors=False)


def _copies_and_authors(db: sqlite_utils.Database) -> None:
    """Copies counted once and unique authors: ``posts.copy_group`` (see
    :mod:`monitor.copies`), the tables grouping keeps, and ``daily_authors`` (posts per
    title, day, platform and author, kept by the triggers above), counted once here."""
    from . import copies  # copies does not import the schema: no cycle

    db.table(POSTS).add_column("copy_group", str)
    db.execute(
        f"create index idx_{POSTS}_copy_group on {POSTS} (copy_group) where copy_group is not null"
    )
    copies.create_tables(db)
    db.execute(
        f"create table {DAILY_AUTHORS} (title text not null, day text not null, "
        "platform text not null, author text not null, posts integer not null, "
        "primary key (title, day, platform, author)) without rowid"
    )
    create_triggers(db, authors=True)
    rebuild_daily(db)
    copies.group_stored(db)


def _unreliable_answers(db: sqlite_utils.Database) -> None:
    """A post a re-check did not find, since when (it is deleted only once missing on two
    runs a day apart); how many items each poll passed over as unreadable."""
    db.execute(
        f"create table {RECHECK_MISSES} (post_id text primary key "
        f"references {POSTS}(id) on delete cascade, since text not null) without rowid"
    )
    db.table(POLL_RUNS).add_column("skipped", int, not_null_default=0)


def _post_language(db: sqlite_utils.Database) -> None:
    """``posts.lang``: the language :func:`monitor.language.detect` found (null: not yet
    looked at, or undetermined). Posts in a language the sentiment model does not read are
    left unscored."""
    db.execute(f"alter table {POSTS} add column lang text")
    # the few posts with a language known: `monitor status` counts the unread among them
    db.execute(f"create index idx_{POSTS}_lang on {POSTS} (lang) where lang is not null")


def _alerts(db: sqlite_utils.Database) -> None:
    """Events found by ``monitor run`` (one row per title, kind and moment, ``key`` unique)
    and, per alert and channel, whether it was delivered (see :mod:`monitor.alerts`)."""
    db.execute(
        f"create table {ALERTS} (id integer primary key, key text not null unique, "
        "title text not null, kind text not null, moment text not null, "
        "figures text not null, message text not null, late integer not null default 0, "
        "raised_at text not null, notified_at text)"
    )
    db.execute(f"create index idx_alerts_title_moment on {ALERTS} (title, moment)")
    db.execute(f"create index idx_alerts_pending on {ALERTS} (notified_at)")
    db.execute(
        f"create table {ALERT_DELIVERIES} (alert_id integer not null "
        f"references {ALERTS}(id) on delete cascade, channel text not null, "
        "attempts integer not null default 0, sent_at text, error text, tried_at text, "
        "primary key (alert_id, channel)) without rowid"
    )


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
def _copies_index(db: sqlite_utils.Database) -> None:
    """The copies by group, author and time: :func:`monitor.voices.floods` counts them from
    the index alone. It stands in for the index of groups alone (one index to write)."""
    db.execute(f"drop index if exists idx_{POSTS}_copy_group")
    db.execute(
        f"create index idx_{POSTS}_copies on {POSTS} "
        "(copy_group, author, created_at, platform) where copy_group is not null"
    )


def _copy_features_once(db: sqlite_utils.Database) -> None:
    """Each stored text's features sorted and each once (see
    :func:`monitor.copies.features_once`): grouping then knows their count without
    reading them."""
    from . import copies

    copies.features_once(db)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1,
    _v2,
    _v3_chart_platform,
    _report_indexes,
    _daily_totals,
    _unreliable_answers,
    _copies_and_authors,
    _post_language,
    _alerts,
    _chart_titles,
    _copies_index,
    _copy_features_once,
]
SCHEMA_VERSION = len(MIGRATIONS)

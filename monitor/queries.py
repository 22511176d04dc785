"""Read queries: the report's series, the status tables, what to re-check or label.

Each takes the :class:`~monitor.store.Store` to read. Report queries take a title and an
optional window as ISO dates (``since`` and ``until`` inclusive) and one sentiment model.
Nothing here writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from .language import READS
from .rows import Row
from .schema import (
    CHART_ENTRIES,
    CURSORS,
    DAILY_MENTIONS,
    DAILY_SENTIMENT,
    MENTIONS,
    POLL_RUNS,
    POSTS,
    SENTIMENTS,
    TITLES,
)
from .store import Store

# --- the report: daily series, quotes, chart ranks -----------------------------------------

#: The cursor query holding the stretches of a chart title's window a source has not
#: backfilled yet, as JSON ``[[start, end], …]`` (written by :mod:`monitor.backfill`).
PENDING = "window:pending"
#: A day after every stored timestamp, for an open-ended window.
FAR_FUTURE = "9999-12-31"


def window(since: str | None, until: str | None) -> tuple[str, str]:
    """``[since, until]`` as dates -> ``[low, high)`` over ``created_at`` text."""
    return since or "", (until + "T99") if until else FAR_FUTURE


def sentiment_models(store: Store, *, by_use: bool = False) -> list[str]:
    """The models that have labelled posts, read off the sentiments(model, …) index (a
    few milliseconds); ``by_use`` orders them by how many posts each labelled (a scan)."""
    if not by_use:
        return [str(r["model"]) for r in store.query(f"select distinct model from {SENTIMENTS}")]
    return [
        str(r["model"])
        for r in store.query(
            f"select model from {SENTIMENTS} group by model order by count(*) desc, model"
        )
    ]


def daily_counts(
    store: Store,
    title: str,
    model: str,
    *,
    since: str | None = None,
    until: str | None = None,
    platform: str | None = None,
) -> Iterator[Row]:
    """Per day and platform: posts, labelled posts, sum, sum of squares, highest and lowest
    of the compound score (bounds: see :mod:`monitor.schema`), and how many were positive
    and negative. Read off the daily totals the triggers keep: a few hundred rows a title,
    however many posts."""
    return store.query(
        f"""
        select d.day, d.platform, d.posts, coalesce(s.scored, 0) as scored,
          coalesce(s.sum_compound, 0.0) as sum_compound,
          coalesce(s.sum_squares, 0.0) as sum_squares,
          coalesce(s.positive, 0) as positive, coalesce(s.negative, 0) as negative,
          s.highest, s.lowest
        from {DAILY_MENTIONS} d
        left join {DAILY_SENTIMENT} s on (s.title, s.model, s.day, s.platform)
          = (d.title, :model, d.day, d.platform)
        where d.title = :title and d.day >= :since and d.day <= :until
          and (:platform is null or d.platform = :platform)
        order by d.day, d.platform
        """,
        {
            "title": title,
            "model": model,
            "since": since or "",
            "until": until or FAR_FUTURE,
            "platform": platform,
        },
    )


def extreme_posts(
    store: Store,
    title: str,
    model: str,
    since: str,
    until: str,
    *,
    most: str = "positive",
    bound: float,
    limit: int = 3,
    platform: str | None = None,
) -> list[Row]:
    """The ``limit`` most positive (or negative) labelled posts of a window.

    ``bound`` is a score the answer is known to reach (at least ``limit`` posts of the
    window score ``bound`` or better), so the query walks the sentiments(model, compound)
    index from the extreme end and stops early instead of scanning the whole window."""
    low, high = window(since, until)
    if most == "positive":
        order, where = "desc", "s.compound >= :bound"
    else:
        order, where = "asc", "s.compound <= :bound"
    return list(
        store.query(
            f"""
            select p.id, p.platform, p.url, p.author, p.created_at, p.text, s.compound,
              coalesce(p.copy_group, p.id) as copy_group
            from {SENTIMENTS} s indexed by idx_sentiments_model_compound
            join {POSTS} p on p.id = s.post_id
            join {MENTIONS} m on m.post_id = s.post_id and m.title = :title
            where s.model = :model and {where} and s.label = :most
              and +p.created_at >= :low and +p.created_at < :high and p.deleted = 0
              and (:platform is null or p.platform = :platform)
            order by s.compound {order}, p.created_at
            limit :limit
            """,
            {
                "title": title,
                "model": model,
                "low": low,
                "high": high,
                "limit": limit,
                "platform": platform,
                "most": most,
                "bound": bound,
            },
        )
    )


def chart_rows(store: Store, title: str) -> list[Row]:
    """The chart entries matched to ``title``, oldest first."""
    return list(
        store.query(
            f"""
            select chart, region, category, period_start, period_end, rank,
              chart_title, season, weeks_on_chart, hours_viewed, views
            from {CHART_ENTRIES}
            where title = :title
            order by period_start, chart, region, rank
            """,
            {"title": title},
        )
    )


# --- status: titles, polls, gaps ---------------------------------------------------------


def title_counts(store: Store) -> list[Row]:
    """Each tracked title with its post counts per platform (off the daily totals) and
    the time of its newest post."""
    return list(
        store.query(
            f"""
            select t.name as title, t.released,
              coalesce(sum(d.posts), 0) as posts,
              coalesce(sum(case d.platform when 'reddit' then d.posts end), 0) as reddit,
              coalesce(sum(case d.platform when 'bluesky' then d.posts end), 0) as bluesky,
              (select max(p.created_at) from {POSTS} p
                 where p.created_at >= max(d.day) and exists (
                   select 1 from {MENTIONS} m where m.post_id = p.id and m.title = t.name)
              ) as last_post
            from {TITLES} t
            left join {DAILY_MENTIONS} d on d.title = t.name
            group by t.name order by t.name
            """
        )
    )


def last_polls(store: Store) -> list[Row]:
    """The latest poll run per source and title, with failure counts."""
    return list(
        store.query(
            f"""
            select source, title, max(started) as last_started,
              (select status from {POLL_RUNS} r2 where r2.source = r.source
                 and r2.title = r.title order by started desc, id desc limit 1) as status,
              sum(new) as new_total, sum(status = 'failed') as failures,
              sum(cap_hit) as caps_hit, count(*) as runs
            from {POLL_RUNS} r group by source, title order by source, title
            """
        )
    )


def open_gaps(store: Store) -> list[Row]:
    """Poll runs that could not reach everything, oldest first.

    A failed run, or one still marked ``running`` (killed, or in progress), is closed by a
    later run of the same source and title that finished ``ok`` without hitting the cap (it
    resumed from the stored cursor). A run that finished but hit
    the cap or cut a rate-limit wait short stays open: those posts were passed over.
    ``gap_start`` is null when the gap is open towards the past (a first poll that failed
    before reaching its oldest post).
    """
    return list(
        store.query(
            f"""
            select r.id, r.source, r.title, r.started, r.status, r.cap_hit, r.error,
              case when r.gap_end is not null then r.gap_start
                else coalesce(r.gap_start, r.started) end as gap_start,
              coalesce(r.gap_end, r.finished, r.started) as gap_end
            from {POLL_RUNS} r
            where (r.status in ('failed', 'running') or r.cap_hit = 1
                   or r.gap_start is not null)
              and not (
                r.status in ('failed', 'running') and r.cap_hit = 0
                and exists (
                  select 1 from {POLL_RUNS} later
                  where later.source = r.source and later.title = r.title
                    and later.id > r.id and later.status = 'ok' and later.cap_hit = 0
                )
              )
            union all  -- what each source has not backfilled yet (see monitor.backfill)
            select null, c.source, t.name, t.added_at, 'ok', 0, 'backfill not done yet',
              json_extract(s.value, '$[0]'), json_extract(s.value, '$[1]')
            from {TITLES} t
              join {CURSORS} c on c.title = t.name and c.query = '{PENDING}'
              join json_each(iif(json_valid(c.value), c.value, '[]')) s
            where t.state = 'backfilling'
            union all  -- no source has started on the title: its whole window
            select null, 'backfill', t.name, t.added_at, 'ok', 0, 'backfill not done yet',
              t.backfill_since, t.backfill_until
            from {TITLES} t where t.state = 'backfilling' and not exists (
              select 1 from {CURSORS} c where c.title = t.name and c.query = '{PENDING}')
            order by 4, 1
            """
        )
    )


# --- charts ---------------------------------------------------------------------------------


def chart_spellings(store: Store) -> list[str]:
    """Every distinct ``chart_title`` in the charts."""
    return [
        str(r["chart_title"])
        for r in store.query(f"select distinct chart_title from {CHART_ENTRIES}")
    ]


def chart_history(store: Store, title: str | None, chart_titles: Sequence[str] = ()) -> list[Row]:
    """Chart entries of a tracked title or of these chart spellings, oldest first.

    ``latest`` is the newest period the same chart and region holds, for "still on".
    """
    return list(
        store.query(
            f"""
            select c.chart, c.region, c.category, c.period_start, c.period_end, c.rank,
              c.chart_title, c.season,
              (select max(l.period_start) from {CHART_ENTRIES} l
                 where l.chart = c.chart and l.region = c.region) as latest
            from {CHART_ENTRIES} c
            where c.title = :title
               or c.chart_title in (select value from json_each(:spellings))
            order by c.chart, c.region, c.period_start, c.rank
            """,
            {"title": title, "spellings": json.dumps(list(chart_titles))},
        )
    )


# --- ingest and running unattended: what is stored, what to re-check and label -----------


def stored_ids(store: Store, post_ids: Sequence[str]) -> set[str]:
    """Which of these post ids are stored already."""
    return {
        str(r["id"])
        for r in store.query(
            f"select id from {POSTS} where id in (select value from json_each(?))",
            [json.dumps(list(post_ids))],
        )
    }


def recent_post_ids(store: Store, platform: str, since: str) -> list[str]:
    """Ids of the live (not deleted) posts of ``platform`` created at or after ``since``."""
    return [
        str(r["id"])
        for r in store.query(
            f"select id from {POSTS} where platform = ? and created_at >= ? and deleted = 0 "
            f"order by created_at",
            [platform, since],
        )
    ]


def threads_about(store: Store, post_ids: Sequence[str]) -> dict[str, tuple[int, frozenset[str]]]:
    """Of these posts, the ones about a tracked title: their stored comment count and the
    titles they are about."""
    return {
        str(r["id"]): (int(r["num_comments"] or 0), frozenset(json.loads(r["titles"])))
        for r in store.query(
            f"select p.id, p.num_comments, json_group_array(m.title) as titles "
            f"from {POSTS} p join {MENTIONS} m on m.post_id = p.id "
            f"where p.id in (select value from json_each(?)) group by p.id",
            [json.dumps(list(post_ids))],
        )
    }


#: A post the sentiment model reads: its language is one it reads, or not yet known.
_READ = "(p.lang is null or p.lang in ({}))".format(", ".join(f"'{c}'" for c in sorted(READS)))


def posts_to_label(
    store: Store, model: str, *, relabel: bool = False, after: str = "", limit: int = 500
) -> list[Row]:
    """Posts with a mention and text, by id after ``after``, that ``model`` has not labelled
    (every one with ``relabel``); each with ``names``, a JSON list of the mentioned titles'
    names and aliases."""
    return list(
        store.query(
            f"""
            select p.id, p.text, p.lang, json_group_array(t.name) as names,
              json_group_array(coalesce(t.aliases, '[]')) as aliases
            from {POSTS} p
            join {MENTIONS} m on m.post_id = p.id
            join {TITLES} t on t.name = m.title
            where p.id > :after and p.deleted = 0 and coalesce(p.text, '') != ''
              and {_READ}
              and (:relabel or not exists (
                select 1 from {SENTIMENTS} s where s.post_id = p.id and s.model = :model))
            group by p.id order by p.id limit :limit
            """,
            {"after": after, "relabel": int(relabel), "model": model, "limit": limit},
        )
    )


def count_to_label(store: Store, model: str, *, relabel: bool = False) -> int:
    """How many posts :func:`posts_to_label` would go through."""
    rows = store.query(
        f"""
        select count(distinct p.id) as n from {POSTS} p join {MENTIONS} m on m.post_id = p.id
        where p.deleted = 0 and coalesce(p.text, '') != '' and {_READ}
          and (:relabel or not exists (
            select 1 from {SENTIMENTS} s where s.post_id = p.id and s.model = :model))
        """,
        {"relabel": int(relabel), "model": model},
    )
    return int(next(rows)["n"])

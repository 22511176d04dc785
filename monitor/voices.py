"""Who speaks, and how many times: copies counted once, unique authors, authors who flood,
and the posts the themes read.

The daily totals (:mod:`monitor.schema`) count every post. Copies (:mod:`monitor.copies`)
are few, and only they carry a ``copy_group``, so the report reads them alone (through a
partial index) and takes back what each group's extra copies added to a day: a group
counts once a day, through its earliest post that day. Unique authors per day come from
``daily_authors``, which the triggers keep.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from . import themes
from .rows import Row
from .schema import DAILY_AUTHORS, MENTIONS, POSTS, SENTIMENTS
from .store import Store

#: An author with this many near-identical posts …
FLOOD_POSTS = 5
#: … within this many hours is flagged.
FLOOD_HOURS = 24
#: Themes read at most this many posts of a phase (evenly spread over it, in slices).
THEME_POSTS = 2000
THEME_SLICES = 40

_FAR_FUTURE = "9999-12-31"


def _window(since: str | None, until: str | None) -> tuple[str, str]:
    return since or "", (until + "T99") if until else _FAR_FUTURE


def counted_once(
    store: Store,
    title: str,
    model: str,
    rows: Sequence[Row],
    *,
    since: str | None = None,
    until: str | None = None,
    platform: str | None = None,
) -> list[Row]:
    """The daily rows of :func:`monitor.store.daily_counts` with ``texts`` (distinct texts)
    and ``authors`` (unique authors) added, and the sentiment sums taking each group of
    copies once a day. ``posts`` still counts every post."""
    low, high = _window(since, until)
    # every copy after the first of its group that day (and platform) is taken back
    extra = {
        (r["day"], r["platform"]): r
        for r in store.query(
            f"""
            select c.day, c.platform, count(*) as posts, count(s.compound) as scored,
              total(s.compound) as total, total(s.compound * s.compound) as squares,
              total(s.label = 'positive') as positive, total(s.label = 'negative') as negative
            from (
              select substr(p.created_at, 1, 10) as day, p.platform, p.id,
                row_number() over (partition by substr(p.created_at, 1, 10), p.platform,
                  p.copy_group order by p.created_at, p.id) as n
              from {POSTS} p indexed by idx_{POSTS}_copies
              join {MENTIONS} m on m.post_id = p.id and m.title = :title
              where p.copy_group is not null and p.created_at >= :low and p.created_at < :high
                and (:platform is null or p.platform = :platform)
            ) c
            left join {SENTIMENTS} s on s.post_id = c.id and s.model = :model
            where c.n > 1
            group by c.day, c.platform
            """,
            {"title": title, "model": model, "low": low, "high": high, "platform": platform},
        )
    }
    authors = {
        (r["day"], r["platform"]): r["authors"]
        for r in store.query(
            f"""
            select day, platform, count(*) as authors from {DAILY_AUTHORS}
            where title = :title and day >= :since and day <= :until
              and (:platform is null or platform = :platform)
            group by day, platform
            """,
            {
                "title": title,
                "since": since or "",
                "until": until or _FAR_FUTURE,
                "platform": platform,
            },
        )
    }
    none = {"posts": 0, "scored": 0, "total": 0.0, "squares": 0.0, "positive": 0, "negative": 0}
    out = []
    for r in rows:
        key = (r["day"], r["platform"])
        x = extra.get(key, none)
        posts, scored, total, squares = x["posts"], x["scored"], x["total"], x["squares"]
        pos, neg = x["positive"], x["negative"]
        out.append(
            {
                **r,
                "texts": r["posts"] - int(posts),
                "authors": authors.get(key, 0),
                "scored": r["scored"] - int(scored),
                "sum_compound": r["sum_compound"] - total,
                "sum_squares": max(0.0, r["sum_squares"] - squares),
                "positive": r["positive"] - int(pos),
                "negative": r["negative"] - int(neg),
            }
        )
    return out


@dataclass(frozen=True)
class Flood:
    """An author who posted the same text (or near copies) many times in a short time."""

    author: str
    posts: int  # the most within FLOOD_HOURS
    first: str
    last: str
    text: str


def floods(
    store: Store,
    title: str | None = None,
    *,
    since: str | None = None,
    until: str | None = None,
    platform: str | None = None,
) -> list[Flood]:
    """Authors with at least :data:`FLOOD_POSTS` copies of one text within
    :data:`FLOOD_HOURS` hours (of posts about ``title``, or any), most first."""
    low, high = _window(since, until)
    window = {"low": low, "high": high, "platform": platform}
    about = (
        f"and exists (select 1 from {MENTIONS} m where m.post_id = p.id and m.title = :title)"
        if title
        else ""
    )
    # the (author, group) pairs with enough copies in the window, from the index alone;
    # a title only takes posts away, so it is checked on these few
    pairs = store.db.execute(
        f"""
        select p.author, p.copy_group from {POSTS} p indexed by idx_{POSTS}_copies
        where p.copy_group is not null and p.author is not null
          and p.created_at >= :low and p.created_at < :high
          and (:platform is null or p.platform = :platform)
        group by p.copy_group, p.author having count(*) >= :least
        """,
        {**window, "least": FLOOD_POSTS},
    ).fetchall()
    found: dict[str, Flood] = {}
    span = timedelta(hours=FLOOD_HOURS)
    for author, group in pairs:
        rows = store.db.execute(
            f"""
            select p.created_at, p.text from {POSTS} p indexed by idx_{POSTS}_copies
            where p.author = :author and p.copy_group = :group and p.copy_group is not null
              and p.created_at >= :low and p.created_at < :high
              and (:platform is null or p.platform = :platform) {about}
            """,
            {**window, "author": author, "group": group, "title": title},
        ).fetchall()
        if len(rows) < FLOOD_POSTS:
            continue
        times = sorted(r[0] for r in rows)
        moments = [_moment(t) for t in times]
        best, at, j = 0, 0, 0
        for i, moment in enumerate(moments):
            while moment - moments[j] > span:
                j += 1
            if i - j + 1 > best:
                best, at = i - j + 1, j
        if best >= FLOOD_POSTS and (author not in found or found[author].posts < best):
            text = min((r[1] for r in rows if r[1] is not None), default="")
            found[author] = Flood(author, best, times[at], times[at + best - 1], text)
    return sorted(found.values(), key=lambda f: (-f.posts, f.author))


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def theme_docs(
    store: Store,
    title: str,
    first: date,
    last: date,
    *,
    platform: str | None = None,
    posts: int | None = None,
) -> list[themes.Doc]:
    """The live posts about ``title`` from ``first`` to ``last`` for the themes, each group
    of copies once; at most :data:`THEME_POSTS`, taken in :data:`THEME_SLICES` even slices
    of the time from the first such post to the last when there are more (``posts``: how
    many there are, when known)."""
    where = f"""
        from {POSTS} p
        where p.created_at >= :low and p.created_at < :high and p.deleted = 0
          and p.text is not null and (:platform is null or p.platform = :platform)
          and exists (select 1 from {MENTIONS} m where m.post_id = p.id and m.title = :title)
    """
    sql = f"""
        select p.id, p.platform, p.url, p.author, p.created_at, p.text,
          coalesce(p.copy_group, p.id) as grp
        {where}
        order by p.created_at limit :limit
    """
    params = {"title": title, "platform": platform}
    low, high = first.isoformat(), last.isoformat() + "T99"
    if posts is None:  # how many, and from when to when (the rest of a title's days)
        found = store.db.execute(
            f"select count(*), min(p.created_at), max(p.created_at) {where}",
            {**params, "low": low, "high": high},
        ).fetchone()
        posts = found[0]
        with contextlib.suppress(TypeError, ValueError):  # a platform's odd time: the range
            first = max(first, date.fromisoformat(found[1][:10]))
            last = min(last, date.fromisoformat(found[2][:10]))
    if posts <= THEME_POSTS:
        rows = list(store.query(sql, {**params, "low": low, "high": high, "limit": THEME_POSTS}))
    else:
        start = datetime.combine(first, datetime.min.time())
        step = (datetime.combine(last + timedelta(days=1), datetime.min.time()) - start) / (
            THEME_SLICES
        )
        rows = []
        for n in range(THEME_SLICES):
            at = (start + n * step).strftime("%Y-%m-%dT%H:%M:%S")
            rows += store.query(
                sql,
                {**params, "low": at, "high": high, "limit": THEME_POSTS // THEME_SLICES},
            )
    seen: set[str] = set()
    out = []
    for r in sorted(rows, key=lambda r: (r["created_at"], r["id"])):
        if r["grp"] in seen:
            continue
        seen.add(r["grp"])
        out.append(
            themes.Doc(r["id"], r["platform"], r["url"], r["author"], r["created_at"], r["text"])
        )
    return out

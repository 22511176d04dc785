"""The canned queries a published copy carries: the report's figures, in SQL over the copy.

Each reads the tables :mod:`monitor.publish` writes and gives the numbers
:func:`monitor.report.build_report` gives for the same title and window (the tests compare
them through Datasette's JSON API). Datasette hands a missing parameter over as ``''``.
"""

from __future__ import annotations

from typing import Any

from .report import MIN_POSTS, ROLLING_DAYS, TOP_POSTS

#: The rank the report's chart run gives a day (``ChartRun.rank_on``).
_RANK = """(select r.rank from chart_runs r where r.title = :title
    and {day} between r.period_start and r.period_end order by r.period_start limit 1)"""

DAILY_SERIES = f"""
select d.day, d.platform, d.posts, coalesce(s.scored, 0) as scored,
  case when s.scored > 0 then s.sum_compound / s.scored end as mean_sentiment,
  coalesce(s.positive, 0) as positive, coalesce(s.negative, 0) as negative,
  {_RANK.format(day="d.day")} as rank
from daily_mentions d
left join daily_sentiment s on s.title = d.title and s.day = d.day and s.platform = d.platform
where d.title = :title
order by d.day, d.platform
"""

DAILY_TOTALS = f"""
with recursive
  span (first_day, last_day) as (
    select min(first_day), max(last_day) from phases where title = :title),
  calendar (day) as (
    select first_day from span where first_day is not null
    union all
    select date(day, '+1 day') from calendar, span where day < span.last_day),
  posts (day, posts) as (
    select day, sum(posts) from daily_mentions where title = :title group by day),
  labels (day, scored, total) as (
    select day, sum(scored), sum(sum_compound) from daily_sentiment where title = :title
    group by day),
  series as (
    select c.day, coalesce(p.posts, 0) as posts, coalesce(l.scored, 0) as scored,
      coalesce(l.total, 0.0) as total
    from calendar c left join posts p on p.day = c.day left join labels l on l.day = c.day),
  rolling as (
    select *, sum(scored) over week as week_scored, sum(total) over week as week_total
    from series
    window week as (order by day rows between {ROLLING_DAYS - 1} preceding and current row))
select day, posts, scored,
  case when scored > 0 then total / scored end as mean_sentiment,
  week_scored as scored_7_days,
  case when week_scored >= {MIN_POSTS} then week_total / week_scored end
    as rolling_sentiment,
  {_RANK.format(day="day")} as rank
from rolling
order by day
"""

PHASES = """
select p.position, p.phase, p.first_day, p.last_day,
  max(0, cast(julianday(p.last_day) - julianday(p.first_day) as integer) + 1) as days,
  coalesce(m.posts, 0) as posts,
  case when p.last_day >= p.first_day
    then coalesce(m.posts, 0) * 1.0 / (julianday(p.last_day) - julianday(p.first_day) + 1)
  end as posts_per_day,
  case when s.scored > 0 then s.total / s.scored end as mean_sentiment,
  case when s.scored > 0 then s.positive * 1.0 / s.scored end as share_positive,
  case when s.scored > 0 then s.negative * 1.0 / s.scored end as share_negative
from phases p
left join (
  select p2.position, sum(d.posts) as posts from phases p2
  join daily_mentions d on d.title = p2.title and d.day between p2.first_day and p2.last_day
  where p2.title = :title group by p2.position
) m on m.position = p.position
left join (
  select p3.position, sum(d.scored) as scored, sum(d.sum_compound) as total,
    sum(d.positive) as positive, sum(d.negative) as negative
  from phases p3
  join daily_sentiment d on d.title = p3.title and d.day between p3.first_day and p3.last_day
  where p3.title = :title group by p3.position
) s on s.position = p.position
where p.title = :title
order by p.position
"""

_EXTREME = """
select '{most}' as most, c.id as post, c.platform, c.created_at, c.author, c.url, c.text,
  s.compound
from sentiments s indexed by idx_sentiments_label
join posts c on c.id = s.post_id
join phases ph on ph.title = :title and ph.phase = :phase
where s.label = '{most}' and c.deleted = 0
  and c.day between ph.first_day and ph.last_day
  and exists (select 1 from mentions m where m.post_id = c.id and m.title = :title)
order by s.compound {order}, c.created_at
limit coalesce(nullif(:top, ''), {top})
"""

PHASE_POSTS = (
    "select * from ("
    + _EXTREME.format(most="positive", order="desc", top=TOP_POSTS)
    + ")\nunion all\nselect * from ("
    + _EXTREME.format(most="negative", order="asc", top=TOP_POSTS)
    + ")"
)

SHARE_OF_VOICE = """
select day, title, posts,
  posts * 1.0 / sum(posts) over (partition by day) as share
from (select day, title, sum(posts) as posts from daily_mentions group by day, title)
order by day, title
"""


def canned_queries() -> dict[str, dict[str, Any]]:
    """Datasette's ``queries`` block: name -> title, description, SQL and parameters."""
    return {
        "daily_series": {
            "title": "Daily series per platform",
            "description": "Posts per day and platform about a title, their mean sentiment "
            "(-1 to +1), positive and negative posts, and the chart rank that day: the bars "
            "and rank line of the report's figure. Days without posts are not listed.",
            "sql": DAILY_SERIES.strip(),
            "params": ["title"],
        },
        "daily_totals": {
            "title": "Daily totals with the 7-day sentiment",
            "description": "Every day of the report's window over all platforms: posts, mean "
            "sentiment, and the trailing 7-day mean sentiment the report draws (left out "
            f"where the 7 days hold fewer than {MIN_POSTS} labelled posts).",
            "sql": DAILY_TOTALS.strip(),
            "params": ["title"],
        },
        "phases": {
            "title": "Phases of the chart run",
            "description": "Before the chart, climbing, at best, falling, after: days, posts, "
            "posts per day, mean sentiment and the share of positive and negative posts, as "
            "in the report's phases table.",
            "sql": PHASES.strip(),
            "params": ["title"],
        },
        "phase_posts": {
            "title": "Most positive and most negative posts of a phase",
            "description": "The posts the report quotes for a phase (phase: before, "
            "climbing, at best, falling, after, or 'all days' for a title that never "
            f"charted); top: how many of each (default {TOP_POSTS}). Deleted posts are left "
            "out.",
            "sql": PHASE_POSTS.strip(),
            "params": ["title", "phase", "top"],
        },
        "share_of_voice": {
            "title": "Share of voice",
            "description": "Per day, each title's posts and its share of the posts about all "
            "the titles in this copy that day (0 to 1).",
            "sql": SHARE_OF_VOICE.strip(),
        },
    }

"""The tables of a published copy (:mod:`monitor.publish`) and the SQL that fills them from
a snapshot of the database attached as ``src``.

Posts keep the source's rowid as their id (a number that means nothing outside the copy),
so mentions and labels join by rowid; the posts are read in rowid order, the cheapest.
"""

from __future__ import annotations

from .schema import CHART_ENTRIES, DAILY_MENTIONS, DAILY_SENTIMENT, MENTIONS, POSTS, SENTIMENTS

#: The table that says what a copy is; its presence marks a file ``publish`` wrote.
INFO = "copy_info"

#: The published tables: the copy's own schema, independent of the source's.
SCHEMA = f"""
create table titles (name text primary key, released text, aliases text, chart_title text);
create table posts (id integer primary key, platform text not null, created_at text not null,
  day text not null, community text, author text, url text, text text, langs text,
  score integer, likes integer, replies integer, reposts integer, quotes integer,
  num_comments integer, deleted integer not null);
create table mentions (post_id integer not null references posts(id), title text not null
  references titles(name), relevance real, terms text, primary key (post_id, title));
create table sentiments (post_id integer primary key references posts(id), model text not null,
  compound real not null, pos real, neu real, neg real, label text not null);
create table daily_mentions (title text not null, day text not null, platform text not null,
  posts integer not null, primary key (title, day, platform)) without rowid;
create table daily_sentiment (title text not null, model text not null, day text not null,
  platform text not null, scored integer not null, sum_compound real not null,
  sum_squares real not null, positive integer not null, negative integer not null,
  highest real, lowest real, primary key (title, model, day, platform)) without rowid;
create table chart_entries (chart text, region text, category text, period_start text,
  period_end text, rank integer, title text, chart_title text, season text,
  weeks_on_chart integer, hours_viewed integer, views integer, platform text,
  primary key (chart, region, category, period_start, rank));
create table chart_runs (title text not null, chart text not null, region text not null,
  period_start text not null, period_end text not null, rank integer not null,
  primary key (title, period_start));
create table phases (title text not null, position integer not null, phase text not null,
  first_day text not null, last_day text not null, primary key (title, position));
create table gaps (title text not null, platform text not null, gap_start text not null,
  gap_end text not null, reason text not null);
create table {INFO} (key text primary key, value text);
"""

INDEXES = """
create index idx_posts_day on posts (day);
create index idx_mentions_title on mentions (title, post_id);
create index idx_sentiments_label on sentiments (label, compound);
create index idx_chart_entries_title on chart_entries (title, period_start);
"""


IN_TITLES = "in (select value from json_each(:titles))"
#: Fills the copy; parameters: titles (JSON list), low/high (created_at), first/last
#: (days), model, every_chart; ``{url}`` is the url column's expression.
COPY = [
    f"""insert into titles select name, released, aliases, chart_title from src.titles
        where name {IN_TITLES}""",
    f"""insert into posts select p.rowid, p.platform, p.created_at, substr(p.created_at, 1, 10),
        p.community, case when p.deleted then null else publish_author(p.author) end,
        {{url}}, case when p.deleted then null else p.text end, p.langs, p.score, p.likes,
        p.replies, p.reposts, p.quotes, p.num_comments, coalesce(p.deleted, 0)
        from src.{POSTS} p
        where +p.created_at >= :low and +p.created_at < :high and exists (
          select 1 from src.{MENTIONS} m where m.post_id = p.id and m.title {IN_TITLES})
        order by p.rowid""",
    f"""insert into mentions select c.id, m.title, m.relevance, m.terms
        from main.posts c join src.{POSTS} p on p.rowid = c.id
        join src.{MENTIONS} m on m.post_id = p.id where m.title {IN_TITLES}""",
    f"""insert into sentiments select c.id, s.model, s.compound, s.pos, s.neu, s.neg, s.label
        from main.posts c join src.{POSTS} p on p.rowid = c.id
        join src.{SENTIMENTS} s on s.post_id = p.id and s.model = :model""",
    f"""insert into daily_mentions select title, day, platform, posts from src.{DAILY_MENTIONS}
        where title {IN_TITLES} and day >= :first and day <= :last""",
    f"""insert into daily_sentiment select title, model, day, platform, scored, sum_compound,
        sum_squares, positive, negative, highest, lowest from src.{DAILY_SENTIMENT}
        where model = :model and title {IN_TITLES} and day >= :first and day <= :last""",
    f"""insert into chart_entries select chart, region, category, period_start, period_end,
        rank, title, chart_title, season, weeks_on_chart, hours_viewed, views, platform
        from src.{CHART_ENTRIES}
        where coalesce(period_end, period_start) >= :first and period_start <= :last
          and (:every_chart or title {IN_TITLES})""",
]

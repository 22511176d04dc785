"""`monitor publish`: a copy of the database fit to put on the web, with its Datasette metadata.

The copy holds what a reader of the report needs and nothing that belongs to the collector:
the tracked titles, the posts about them (text absent where the post was deleted or
pruned), their mentions and sentiment labels (the model the report reads), the daily
totals, the chart entries, and the report's own chart run, phases and gaps as tables. No
``state``, cursors or poll runs. Authors are dropped, kept, or (the default) replaced by a
pseudonym salted for this copy only: one author's posts stay linked inside a copy, not
across copies. With pseudonyms or no authors, links to the posts are left out too, since a
link names its author (a Bluesky link holds the handle, a post id the account's DID).

It is built from a snapshot (``VACUUM INTO``: never a copy of a live file) into a new file
that only ever receives the rows it publishes, so no freed page holds anything left out;
then renamed into place beside its ``metadata.json``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from urllib.parse import quote

from . import publish_metadata
from .config import Title
from .errors import ConfigError, MonitorError
from .report import Report, build_report, label_model
from .schema import CHART_ENTRIES, DAILY_MENTIONS, DAILY_SENTIMENT, MENTIONS, POSTS, SENTIMENTS
from .store import Store

AUTHOR_MODES = ("hash", "drop", "keep")
DATABASE_NAME = "monitor.db"
METADATA_NAME = "metadata.json"
#: The table that says what a copy is; its presence marks a file this command wrote.
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


@dataclass(frozen=True)
class Published:
    """What ``publish`` wrote."""

    database: Path
    metadata: Path
    titles: tuple[str, ...]
    posts: int
    authors: str


def publish(
    store: Store,
    out: Path,
    *,
    title: str | None = None,
    since: date | None = None,
    until: date | None = None,
    authors: str = "hash",
    site_title: str | None = None,
) -> Published:
    """Write ``out/monitor.db`` and ``out/metadata.json``; refuse to replace any file that
    an earlier ``publish`` did not write, or the source database itself."""
    if authors not in AUTHOR_MODES:
        raise ConfigError(f"unknown authors mode {authors!r}: one of {', '.join(AUTHOR_MODES)}")
    if since and until and since > until:
        raise ConfigError(f"the window starts ({since}) after it ends ({until})")
    target, meta = out / DATABASE_NAME, out / METADATA_NAME
    _check_targets(store.path, target, meta)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MonitorError(f"{out}: cannot create the folder ({exc.strerror})") from None
    with _temporary(out, ".snapshot") as snapshot, _temporary(out, ".tmp") as building:
        try:
            store.db.execute("vacuum into ?", [str(snapshot)])
        except sqlite3.Error as exc:
            raise MonitorError(f"{out}: cannot write the snapshot ({exc})") from None
        snapshot.chmod(0o400)  # opens read-only and immutable: nothing touches it
        with Store(snapshot, create=False) as frozen:
            chosen = _titles(frozen, title)
            model = label_model(frozen)
            reports = _reports(frozen, chosen, since, until, model, explicit=title is not None)
        names = tuple(t.name for t in chosen)
        try:
            posts = _build(
                building, snapshot, names, since, until, model, authors, reports, title is None
            )
        except sqlite3.Error as exc:
            raise MonitorError(f"{out}: cannot write the copy ({exc})") from None
        notes = publish_metadata.Notes(
            site_title=site_title or _default_title(names),
            titles=names,
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None,
            authors=authors,
            model=model,
            database=target.stem,
        )
        text = json.dumps(publish_metadata.metadata(notes), indent=2, ensure_ascii=False)
        with _temporary(out, ".json") as meta_tmp:
            meta_tmp.write_text(text + "\n", encoding="utf-8")
            meta_tmp.chmod(0o644)
            building.chmod(0o644)
            os.replace(building, target)
            os.replace(meta_tmp, meta)
    return Published(target, meta, names, posts, authors)


# --- where it writes ------------------------------------------------------------------


def _check_targets(source: Path, target: Path, meta: Path) -> None:
    if target.exists() and source.exists() and os.path.samefile(source, target):
        raise MonitorError(
            f"{target} is the database being published; the copy never replaces it",
            hint="publish into another folder",
        )
    if target.exists() and not _is_copy(target):
        raise MonitorError(
            f"{target} exists and is not a copy `monitor publish` wrote; it is left alone",
            hint="publish into another folder, or move that file away",
        )
    if meta.exists() and not publish_metadata.is_ours(meta):
        raise MonitorError(
            f"{meta} exists and `monitor publish` did not write it; it is left alone",
            hint="publish into another folder, or move that file away",
        )


def _is_copy(path: Path) -> bool:
    try:
        conn = sqlite3.connect(f"file:{quote(str(path.absolute()))}?mode=ro", uri=True)
        try:
            found = conn.execute(
                "select 1 from sqlite_master where type = 'table' and name = ?", [INFO]
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return found is not None


@contextmanager
def _temporary(folder: Path, suffix: str) -> Iterator[Path]:
    """A new file's name in ``folder`` (created 0600, empty), removed on the way out
    unless it was renamed into place."""
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{DATABASE_NAME}.", suffix=suffix)
    except OSError as exc:
        raise MonitorError(f"{folder}: cannot write there ({exc.strerror})") from None
    os.close(fd)
    path = Path(name)
    path.unlink()  # VACUUM INTO and sqlite want to create it themselves
    try:
        yield path
    finally:
        for leftover in (path, Path(f"{path}-journal")):
            with suppress(FileNotFoundError):
                leftover.unlink()


# --- what it publishes ------------------------------------------------------------------


def _titles(store: Store, name: str | None) -> list[Title]:
    rows = list(store.query("select name, slug, aliases, released, chart_title from titles"))
    titles = [
        Title(
            name=r["name"],
            aliases=tuple(json.loads(r["aliases"] or "[]")),
            released=date.fromisoformat(r["released"]) if r["released"] else None,
            chart_title=r["chart_title"],
        )
        for r in sorted(rows, key=lambda r: str(r["name"]))
    ]
    if name is None:
        return titles
    for t in titles:
        if name.casefold() in (t.name.casefold(), t.slug):
            return [t]
    known = ", ".join(t.name for t in titles) or "none"
    raise ConfigError(f"{name!r} is not a title in the database (titles: {known})")


def _reports(
    store: Store,
    titles: Sequence[Title],
    since: date | None,
    until: date | None,
    model: str,
    *,
    explicit: bool,
) -> dict[str, Report]:
    """The report of each title over the window (its phases, chart run and gaps go in
    the copy); a title with nothing stored there has none, unless it was asked for."""
    reports = {}
    for t in titles:
        try:
            reports[t.name] = build_report(
                store, t, since=since, until=until, model=model, quotes=False
            )
        except MonitorError:
            if explicit:
                raise
    return reports


def _default_title(names: Sequence[str]) -> str:
    return f"Social media talk about {', '.join(names)}" if names else "Social media talk"


def _pseudonyms(mode: str) -> Callable[[str | None], str | None]:
    """The author column's function: the handle, nothing, or a pseudonym keyed by a salt
    that is made for this copy and never stored."""
    if mode == "keep":
        return lambda author: author
    if mode == "drop":
        return lambda author: None
    salt = secrets.token_bytes(32)

    @lru_cache(maxsize=65_536)
    def pseudonym(author: str | None) -> str | None:
        if author is None:
            return None
        digest = hmac.new(salt, author.encode("utf-8", "replace"), hashlib.sha256)
        return "author-" + digest.hexdigest()[:16]

    return pseudonym


def _build(
    path: Path,
    snapshot: Path,
    titles: Sequence[str],
    since: date | None,
    until: date | None,
    model: str,
    authors: str,
    reports: dict[str, Report],
    every_chart: bool,
) -> int:
    """Fill a new database at ``path`` from the snapshot; returns how many posts.
    ``every_chart``: every chart entry of the window, not only the titles' own."""
    conn = sqlite3.connect(f"file:{quote(str(path.absolute()))}", uri=True, isolation_level=None)
    try:
        conn.execute("pragma journal_mode = off")  # a new file: renamed only once whole
        conn.execute("pragma synchronous = off")
        conn.create_function("publish_author", 1, _pseudonyms(authors), deterministic=True)
        conn.execute(
            "attach database ? as src",
            [f"file:{quote(str(snapshot.absolute()))}?mode=ro&immutable=1"],
        )
        conn.execute("begin")
        for sql in _statements(SCHEMA):
            conn.execute(sql)
        params = {
            "titles": json.dumps(list(titles)),
            "low": since.isoformat() if since else "",
            "high": f"{until.isoformat()}T99" if until else "9999-12-31",
            "first": since.isoformat() if since else "",
            "last": until.isoformat() if until else "9999-12-31",
            "model": model,
            "every_chart": int(every_chart),
        }
        for sql in _COPY:
            conn.execute(sql.format(url="p.url" if authors == "keep" else "null"), params)
        _report_tables(conn, reports)
        _info(conn, titles, since, until, model, authors)
        conn.execute("commit")
        for sql in _statements(INDEXES):
            conn.execute(sql)
        conn.execute("analyze main")
        conn.execute("detach database src")
        return int(conn.execute("select count(*) from posts").fetchone()[0])
    finally:
        conn.close()


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


_IN_TITLES = "in (select value from json_each(:titles))"
_COPY = [
    f"""insert into titles select name, released, aliases, chart_title from src.titles
        where name {_IN_TITLES}""",
    f"""insert into posts select p.rowid, p.platform, p.created_at, substr(p.created_at, 1, 10),
        p.community, case when p.deleted then null else publish_author(p.author) end,
        {{url}}, case when p.deleted then null else p.text end, p.langs, p.score, p.likes,
        p.replies, p.reposts, p.quotes, p.num_comments, coalesce(p.deleted, 0)
        from src.{POSTS} p
        where +p.created_at >= :low and +p.created_at < :high and exists (
          select 1 from src.{MENTIONS} m where m.post_id = p.id and m.title {_IN_TITLES})
        order by p.rowid""",
    f"""insert into mentions select c.id, m.title, m.relevance, m.terms
        from main.posts c join src.{POSTS} p on p.rowid = c.id
        join src.{MENTIONS} m on m.post_id = p.id where m.title {_IN_TITLES}""",
    f"""insert into sentiments select c.id, s.model, s.compound, s.pos, s.neu, s.neg, s.label
        from main.posts c join src.{POSTS} p on p.rowid = c.id
        join src.{SENTIMENTS} s on s.post_id = p.id and s.model = :model""",
    f"""insert into daily_mentions select title, day, platform, posts from src.{DAILY_MENTIONS}
        where title {_IN_TITLES} and day >= :first and day <= :last""",
    f"""insert into daily_sentiment select title, model, day, platform, scored, sum_compound,
        sum_squares, positive, negative, highest, lowest from src.{DAILY_SENTIMENT}
        where model = :model and title {_IN_TITLES} and day >= :first and day <= :last""",
    f"""insert into chart_entries select chart, region, category, period_start, period_end,
        rank, title, chart_title, season, weeks_on_chart, hours_viewed, views, platform
        from src.{CHART_ENTRIES}
        where coalesce(period_end, period_start) >= :first and period_start <= :last
          and (:every_chart or title {_IN_TITLES})""",
]


def _report_tables(conn: sqlite3.Connection, reports: dict[str, Report]) -> None:
    """The report's own reading of each title: chart run, phases, gaps."""
    for name, report in reports.items():
        if report.chart is not None:
            conn.executemany(
                "insert into chart_runs values (?, ?, ?, ?, ?, ?)",
                [
                    (
                        name,
                        report.chart.chart,
                        report.chart.region,
                        s.start.isoformat(),
                        s.end.isoformat(),
                        s.rank,
                    )
                    for s in report.chart.steps
                ],
            )
        conn.executemany(
            "insert into phases values (?, ?, ?, ?, ?)",
            [
                (name, i, p.name, p.start.isoformat(), p.end.isoformat())
                for i, p in enumerate(report.phases, 1)
            ],
        )
        conn.executemany(
            "insert into gaps values (?, ?, ?, ?, ?)",
            [(name, g.source, _stamp(g.start), _stamp(g.end), g.reason) for g in report.gaps],
        )


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _info(
    conn: sqlite3.Connection,
    titles: Sequence[str],
    since: date | None,
    until: date | None,
    model: str,
    authors: str,
) -> None:
    conn.executemany(
        f"insert into {INFO} values (?, ?)",
        [
            ("made_at", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")),
            ("made_by", f"monitor {version('monitor')} (monitor publish)"),
            ("titles", json.dumps(list(titles), ensure_ascii=False)),
            ("since", since.isoformat() if since else ""),
            ("until", until.isoformat() if until else ""),
            ("sentiment_model", model),
            ("authors", authors),
        ],
    )

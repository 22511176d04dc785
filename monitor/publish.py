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
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import quote

from . import publish_metadata
from .config import Title
from .errors import ConfigError, MonitorError
from .publish_schema import COPY, INDEXES, INFO, SCHEMA
from .report import Report, build_report, label_model
from .store import Store

AUTHOR_MODES = ("hash", "drop", "keep")
DATABASE_NAME = "monitor.db"
METADATA_NAME = "metadata.json"


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
    made = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        # private (0700) and on the copy's file system, so that the last step is a rename
        work = Path(tempfile.mkdtemp(dir=out, prefix=".monitor-publish-"))
    except OSError as exc:
        raise MonitorError(f"{out}: cannot write there ({exc.strerror})") from None
    snapshot, building = work / "snapshot.db", work / DATABASE_NAME
    try:
        try:
            store.db.execute("vacuum into ?", [str(snapshot)])
        except sqlite3.Error as exc:
            raise MonitorError(f"{out}: cannot write the snapshot ({exc})") from None
        snapshot.chmod(0o400)  # so it opens read-only and immutable: nothing touches it
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
        (work / METADATA_NAME).write_text(text + "\n", encoding="utf-8")
        for done in (building, work / METADATA_NAME):
            done.chmod(0o644)
        os.replace(building, target)
        os.replace(work / METADATA_NAME, meta)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if made and not any(out.iterdir()):
            out.rmdir()  # a failed first publish leaves no empty folder behind
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
        for sql in COPY:
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


def _version() -> str:
    try:
        return version("monitor")
    except PackageNotFoundError:
        return "(version unknown)"


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
            ("made_by", f"monitor {_version()} (monitor publish)"),
            ("titles", json.dumps(list(titles), ensure_ascii=False)),
            ("since", since.isoformat() if since else ""),
            ("until", until.isoformat() if until else ""),
            ("sentiment_model", model),
            ("authors", authors),
        ],
    )

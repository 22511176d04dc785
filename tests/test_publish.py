"""`monitor publish`: a copy fit to share, checked through Datasette itself and byte by byte."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from report_data import START, add_gap, add_post, chart_run_scenario

from monitor import publish_metadata, session_file
from monitor.config import Title
from monitor.publish import publish
from monitor.report import Report, build_report, share_of_voice
from monitor.store import Store

BACKTRACE = Title("Backtrace")
OTHER = Title("Other")
SINCE, UNTIL = START + timedelta(days=3), START + timedelta(days=52)
SECRET_STATE = "etag-0f3a9c51d2e8-never-published"


def _fill(store: Store) -> None:
    """The chart-run scenario for Backtrace; another title that talks on some of the same
    days; a deleted post, a pruned one, a gap, and state that must not be published."""
    store.sync_titles([BACKTRACE, OTHER])
    chart_run_scenario(store)
    for n in range(60):
        day = START + timedelta(days=n % 40)
        compound = (n % 9 - 4) / 5
        add_post(store, 50_000 + n, day, compound, title="Other", author=f"fan{n % 7}.bsky.social")
    add_post(store, 90_001, START + timedelta(days=30), 0.97, text="gone soon, loved it")
    store.mark_deleted(["reddit:90001"])
    add_post(store, 90_003, START + timedelta(days=31), 0.9, text="flagged deleted elsewhere")
    with store.transaction():  # another tool marked it deleted and left the words
        store.db.execute("update posts set deleted = 1 where id = 'reddit:90003'")
    add_post(store, 90_002, START + timedelta(days=5), -0.99, text="old words, pruned away")
    store.prune_text((START + timedelta(days=6)).isoformat())
    add_gap(
        store,
        "bluesky",
        f"{START + timedelta(days=20)}T00:00:00Z",
        f"{START + timedelta(days=21)}T06:00:00Z",
    )
    store.set_state("charts.netflix:all-weeks-global.tsv", json.dumps({"etag": SECRET_STATE}))
    store.set_cursor("reddit", "Backtrace", "q", "cursor-value-never-published")


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("source") / "monitor.db"
    with Store(path) as store:
        _fill(store)
    return path


@pytest.fixture(scope="module")
def site(source: Path) -> Path:
    out = source.parent.parent / "site"
    with Store(source) as store:
        publish(store, out, since=SINCE, until=UNTIL)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def datasette(site: Path) -> Iterator[str]:
    """Datasette serving the copy with its metadata on 127.0.0.1; yields its base URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "datasette", "serve", "-i", str(site / "monitor.db")),
            *("-m", str(site / "metadata.json"), "--host", "127.0.0.1", "--port", str(port)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/-/versions.json", timeout=2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    _, err = proc.communicate(timeout=10)
                    raise RuntimeError(f"datasette did not start: {err!r}") from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def query(base: str, name: str, **params: str) -> list[dict[str, Any]]:
    """A canned query through Datasette's JSON API, one object per row."""
    args = urllib.parse.urlencode({**params, "_shape": "array"})
    with urllib.request.urlopen(f"{base}/monitor/{name}.json?{args}", timeout=30) as answer:
        rows: list[dict[str, Any]] = json.load(answer)
    return rows


def reports(source: Path, **kwargs: Any) -> dict[str, Report]:
    with Store(source) as store:
        return {
            t.name: build_report(store, t, since=SINCE, until=UNTIL, **kwargs)
            for t in (BACKTRACE, OTHER)
        }


def picked(served: list[dict[str, Any]], like: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The served rows with only the columns of the expected ones."""
    keys = list(like[0]) if like else []
    return [{k: r[k] for k in keys} for r in served]


def approx(value: float | None) -> Any:
    return None if value is None else pytest.approx(value, abs=1e-9)


def test_every_canned_query_equals_the_reports_own_figures(source: Path, datasette: str) -> None:
    served = json.load(urllib.request.urlopen(f"{datasette}/-/metadata.json", timeout=10))
    names = set(served["databases"]["monitor"]["queries"])
    assert names == {"daily_series", "daily_totals", "phases", "phase_posts", "share_of_voice"}
    mine = reports(source)
    for name, report in mine.items():
        assert report.phases  # both titles have talk in the window
        rows = [
            {
                "day": d.day.isoformat(),
                "platform": d.platform,
                "posts": d.posts,
                "scored": d.scored,
                "mean_sentiment": approx(d.mean_sentiment),
                "positive": d.positive,
                "negative": d.negative,
                "rank": d.rank,
            }
            for d in report.rows
        ]
        assert picked(query(datasette, "daily_series", title=name), rows) == rows
        days = [
            {
                "day": d.day.isoformat(),
                "posts": d.posts,
                "scored": d.scored,
                "mean_sentiment": approx(d.mean_sentiment),
                "rolling_sentiment": approx(d.rolling),
                "rank": d.rank,
            }
            for d in report.days
        ]
        assert picked(query(datasette, "daily_totals", title=name), days) == days
        phases = [
            {
                "phase": p.name,
                "first_day": p.start.isoformat(),
                "last_day": p.end.isoformat(),
                "days": p.days,
                "posts": p.posts,
                "posts_per_day": approx(p.posts_per_day),
                "mean_sentiment": approx(p.mean_sentiment),
                "share_positive": approx(p.share_positive),
                "share_negative": approx(p.share_negative),
            }
            for p in report.phases
        ]
        assert picked(query(datasette, "phases", title=name), phases) == phases
    assert [p["phase"] for p in query(datasette, "phases", title="Backtrace")] == [
        "before",
        "climbing",
        "at best",
        "falling",
        "after",
    ]

    quoted = reports(source, quotes=True)
    for name, report in quoted.items():
        for phase in report.phases:
            rows = query(datasette, "phase_posts", title=name, phase=phase.name)
            expected = [("positive", p) for p in phase.most_positive]
            expected += [("negative", p) for p in phase.most_negative]
            assert [(r["most"], r["created_at"], r["text"] or "", r["compound"]) for r in rows] == [
                (most, p.created_at, p.text, approx(p.score)) for most, p in expected
            ], (name, phase.name)
            assert all((r["author"] or "author-").startswith("author-") for r in rows)
            assert all(r["url"] is None for r in rows)
    assert len(query(datasette, "phase_posts", title="Backtrace", phase="at best", top="5")) == 5

    voice = share_of_voice(list(mine.values()))
    expected_voice = {
        (day.isoformat(), name): (posts[i], approx(shares[i]))
        for name, posts, shares in zip(mine, voice.posts, voice.shares, strict=True)
        for i, day in enumerate(voice.days)
        if posts[i]
    }
    served_voice = {
        (r["day"], r["title"]): (r["posts"], approx(r["share"]))
        for r in query(datasette, "share_of_voice")
    }
    assert served_voice == expected_voice
    shares = [r["share"] for r in query(datasette, "share_of_voice")]
    assert any(0 < share < 1 for share in shares)  # the two titles share days


def test_datasette_shows_the_tables_with_their_descriptions(datasette: str) -> None:
    served = json.load(urllib.request.urlopen(f"{datasette}/monitor.json", timeout=10))
    tables = {t["name"] for t in served["tables"]}
    assert tables >= set(publish_metadata.tables())
    assert not tables & {"state", "cursors", "poll_runs"}
    page = urllib.request.urlopen(f"{datasette}/monitor/posts", timeout=10).read().decode()
    assert "a pseudonym made for this copy" in page  # the column descriptions are served
    facets = json.load(urllib.request.urlopen(f"{datasette}/monitor/posts.json", timeout=10))
    assert {f for f in facets["facet_results"]} >= {"platform"}


def test_every_table_and_column_is_described(site: Path) -> None:
    described = publish_metadata.tables()
    conn = sqlite3.connect(site / "monitor.db")
    names = [
        r[0]
        for r in conn.execute(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'"
        )
    ]
    for table in names:
        columns = [r[1] for r in conn.execute(f"pragma table_info([{table}])")]
        assert table in described and described[table]["description"], table
        assert sorted(described[table]["columns"]) == sorted(columns), table
    conn.close()


def test_the_copy_leaves_out_state_cursors_polls_and_the_words_of_deleted_and_pruned_posts(
    source: Path, site: Path
) -> None:
    raw = (site / "monitor.db").read_bytes()
    left_out = ("gone soon", "flagged deleted", "old words")
    for secret in (SECRET_STATE, "cursor-value-never-published", *left_out):
        assert secret.encode() not in raw
    conn = sqlite3.connect(site / "monitor.db")
    deleted = conn.execute("select text, author, deleted from posts where deleted = 1").fetchall()
    assert deleted == [(None, None, 1), (None, None, 1)]
    pruned = conn.execute(
        "select count(*) from posts where day = ? and text is null",
        [str(START + timedelta(days=5))],
    )
    assert pruned.fetchone()[0] >= 1
    days = conn.execute("select min(day), max(day) from posts").fetchone()
    assert days[0] >= SINCE.isoformat() and days[1] <= UNTIL.isoformat()
    conn.close()
    with Store(source) as store:  # the source still has it all
        assert store.get_state("charts.netflix:all-weeks-global.tsv")


def test_authors_are_pseudonyms_linked_within_a_copy_not_across(
    source: Path, tmp_path: Path
) -> None:
    with Store(source) as store:
        publish(store, tmp_path / "a", title="Other")
        publish(store, tmp_path / "b", title="Other")
        publish(store, tmp_path / "kept", title="Other", authors="keep")
        publish(store, tmp_path / "none", title="Other", authors="drop")
        handles = [
            r["author"] for r in store.query("select author from posts where author is not null")
        ]

    def authors(folder: str) -> list[str | None]:
        conn = sqlite3.connect(tmp_path / folder / "monitor.db")
        found = [r[0] for r in conn.execute("select author from posts order by id")]
        conn.close()
        return found

    a, b = authors("a"), authors("b")
    assert len(a) == 60 and len([x for x in a if x]) > 40  # the pruned ones have none
    assert all(x.startswith("author-") for x in a if x)
    pairs = set(zip(authors("kept"), a, strict=True))
    assert len({k for k, _ in pairs}) == len({h for _, h in pairs}) == len(pairs) == 8
    # one pseudonym per author, the same on each of their posts (7 fans, and None)
    assert not (set(a) & set(b)) - {None}  # another copy, other pseudonyms
    assert set(authors("kept")) - {None} <= set(handles)
    assert set(authors("none")) == {None}
    raw = (tmp_path / "a" / "monitor.db").read_bytes()
    assert not [h for h in handles if h.encode() in raw]


def test_the_demo_database_published_holds_no_state_token_or_handle(
    run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    assert run_cli("demo", "--out", "demo").exit_code == 0
    db = tmp_path / "demo" / "monitor.db"
    result = run_cli("--db", str(db), "publish", "site")
    assert result.exit_code == 0, result.output
    assert "site/monitor.db" in result.output and "datasette" in result.output
    raw = (tmp_path / "site" / "monitor.db").read_bytes()
    raw += (tmp_path / "site" / "metadata.json").read_bytes()

    conn = sqlite3.connect(db)
    state = conn.execute("select key, value from state").fetchall()
    handles = [
        r[0] for r in conn.execute("select distinct author from posts where author is not null")
    ]
    conn.close()
    values = []
    for key, value in state:
        values.append(key)
        try:
            values += [str(v) for v in json.loads(value).values()]
        except (ValueError, AttributeError):
            values.append(value)
    assert state and handles
    assert not [v for v in values if len(v) >= 10 and v.encode() in raw]
    saved = json.loads(session_file.path_for(db).read_text())["session"]
    tokens = [part for part in saved.split(":::") if part.startswith("ey")]
    assert len(tokens) == 2
    assert not [
        t for t in [*tokens, "demo-app-password", "demo-client-secret"] if t.encode() in raw
    ]
    assert not [h for h in handles if h.encode() in raw]


def test_publish_refuses_to_replace_what_it_did_not_write(
    run_cli, source: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    db = ["--db", str(source)]
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "monitor.db").write_text("my notes")
    refused = run_cli(*db, "publish", "mine")
    assert refused.exit_code == 1
    assert (
        "Error:" in refused.output and "left alone" in refused.output and "Hint:" in refused.output
    )
    assert (tmp_path / "mine" / "monitor.db").read_text() == "my notes"
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["monitor.db"]

    (tmp_path / "theirs").mkdir()
    (tmp_path / "theirs" / "metadata.json").write_text("{}")
    assert run_cli(*db, "publish", "theirs").exit_code == 1
    assert (tmp_path / "theirs" / "metadata.json").read_text() == "{}"

    itself = run_cli(*db, "publish", str(source.parent))
    assert itself.exit_code == 1 and "is the database being published" in itself.output

    first = run_cli(*db, "publish", "again", "--title", "Other")
    assert first.exit_code == 0, first.output
    second = run_cli(*db, "publish", "again", "--title", "Backtrace")  # its own: replaced
    assert second.exit_code == 0, second.output
    conn = sqlite3.connect(tmp_path / "again" / "monitor.db")
    assert conn.execute("select name from titles").fetchall() == [("Backtrace",)]
    conn.close()
    assert sorted(p.name for p in (tmp_path / "again").iterdir()) == ["metadata.json", "monitor.db"]


def test_publish_errors_are_one_line_with_a_hint_and_the_right_status(
    run_cli, source: Path
) -> None:  # type: ignore[no-untyped-def]
    db = ["--db", str(source)]
    unknown = run_cli(*db, "publish", "out", "--title", "Nope")
    assert unknown.exit_code == 2 and "'Nope' is not a title" in unknown.output
    assert "Traceback" not in unknown.output
    backwards = run_cli(*db, "publish", "out", "--since", "2024-02-01", "--until", "2024-01-01")
    assert backwards.exit_code == 2 and "Error" in backwards.output
    empty = run_cli(*db, "publish", "out", "--title", "Other", "--since", "2030-01-01")
    assert empty.exit_code == 1 and "nothing stored" in empty.output
    missing = run_cli("--db", "nowhere.db", "publish", "out")
    assert missing.exit_code == 1 and "no such database" in missing.output
    assert not Path("out").exists()  # a failed publish leaves no folder behind
    bad = run_cli(*db, "publish", "out", "--authors", "blur")
    assert bad.exit_code == 2


def test_the_copy_opens_as_a_plain_file_with_no_write_ahead_log(site: Path) -> None:
    assert sorted(p.name for p in site.iterdir()) == ["metadata.json", "monitor.db"]
    conn = sqlite3.connect(f"file:{site / 'monitor.db'}?mode=ro", uri=True)
    assert conn.execute("pragma journal_mode").fetchone()[0] != "wal"
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    conn.close()

"""Exports read back equal the database: CSV via the csv module, JSON lines via json."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from datetime import timedelta
from pathlib import Path

from report_data import START, add_chart, add_post, chart_run_scenario

from monitor.config import Title
from monitor.errors import StoreError
from monitor.export import inert
from monitor.report import build_report
from monitor.store import Store

NASTY = [
    "line one\nline two\r\nline three",
    "emoji 🎬🍿 and ünïcödé",
    '=cmd|" /C calc"!A0',
    "+1 for Backtrace",
    "-2 stars",
    "@everyone watch it",
    "\tleading tab",
    "\rcarriage return",
    'quotes "inside", and, commas',
    "plain Backtrace post",
]


def nasty_store(path: Path) -> Store:
    store = Store(path)
    store.sync_titles([Title("Backtrace")])
    for n, text in enumerate(NASTY):
        add_post(store, n, START + timedelta(days=n), 0.1 * n - 0.4, text=text)
    add_post(store, 99, START, None, text="gone", author="someone")
    store.mark_deleted(["reddit:99"])
    return store


def db_rows(store: Store) -> list[dict[str, object]]:
    return list(
        store.query(
            "select p.id, p.text, p.author, p.created_at, s.compound from posts p "
            "join mentions m on m.post_id = p.id "
            "left join sentiments s on s.post_id = p.id order by p.rowid"
        )
    )


def test_inert_prefixes_formula_starts_only() -> None:
    assert [inert(v) for v in ("=1+1", "+1", "-1", "@a", "\tx", "\rx")] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@a",
        "'\tx",
        "'\rx",
    ]
    assert inert("Backtrace = fun") == "Backtrace = fun"
    assert inert(-0.5) == -0.5 and inert(None) is None


def test_posts_csv_reads_back_equal_to_the_database(
    run_cli, config_file: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with nasty_store(tmp_path / "monitor.db") as store:
        expected = db_rows(store)
    result = run_cli("export", "posts", "--title", "backtrace", "-o", "posts.csv")
    assert result.exit_code == 0, result.output
    raw = (tmp_path / "posts.csv").read_bytes()
    assert raw.startswith(b"id,title,platform,") and b"\r\n" in raw
    with (tmp_path / "posts.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(expected) == len(NASTY) + 1
    for row, db in zip(rows, expected, strict=True):
        assert row["id"] == db["id"]
        assert row["created_at"] == db["created_at"]
        text = db["text"] or ""
        assert row["text"] == (
            "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text
        )
        assert row["author"] == (db["author"] or "")
        assert row["compound"] == ("" if db["compound"] is None else repr(db["compound"]))
    deleted = next(r for r in rows if r["id"] == "reddit:99")
    assert deleted["text"] == "" and deleted["author"] == "" and deleted["deleted"] == "1"
    assert "line one\nline two\r\nline three" in [r["text"] for r in rows]


def test_every_text_column_of_the_posts_csv_is_formula_safe(
    run_cli, config_file: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Authors, communities and URLs come from the platforms too: none runs as a formula."""
    with Store(tmp_path / "monitor.db") as store:
        store.sync_titles([Title("Backtrace")])
        add_post(store, 1, START, 0.5, author="=HYPERLINK(1)", community="+sub", url="@x")
    result = run_cli("export", "posts", "-o", "posts.csv")
    assert result.exit_code == 0, result.output
    with (tmp_path / "posts.csv").open(encoding="utf-8", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert (row["author"], row["community"], row["url"]) == ("'=HYPERLINK(1)", "'+sub", "'@x")
    assert row["compound"] == "0.5"


def test_a_large_posts_csv_written_in_two_processes_is_the_same_bytes(
    run_cli, config_file: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from monitor import export_halves

    with nasty_store(tmp_path / "monitor.db") as store:
        for n in range(100, 160):
            add_post(store, n, START + timedelta(hours=n), 0.01 * n - 1, text=f"=post {n}")
    one = run_cli("export", "posts", "-o", "one.csv")
    monkeypatch.setattr(export_halves, "SPLIT_AT", 5)
    two = run_cli("export", "posts", "-o", "two.csv")
    stdout = run_cli("export", "posts")
    assert one.exit_code == two.exit_code == stdout.exit_code == 0, two.output
    assert "Wrote 71 rows" in one.output and "Wrote 71 rows" in two.output
    written = (tmp_path / "one.csv").read_bytes()
    assert (tmp_path / "two.csv").read_bytes() == written == stdout.stdout_bytes
    assert written.count(b"\r\n") == 72 + written.count(b"line two\r\n")
    since = run_cli("export", "posts", "--since", "2024-01-01", "-o", "since.csv")
    assert since.exit_code == 0, since.output


def test_a_failed_second_half_fails_the_export_and_writes_no_file(
    run_cli, config_file: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from monitor import export_halves

    nasty_store(tmp_path / "monitor.db").close()
    real = export_halves.read_rows

    def broken(db, sql, params, read_only):  # type: ignore[no-untyped-def]
        if params["first_row"] > 0:  # the child's half
            raise StoreError("disk I/O error")
        return real(db, sql, params, read_only)

    monkeypatch.setattr(export_halves, "SPLIT_AT", 2)
    monkeypatch.setattr(export_halves, "read_rows", broken)
    result = run_cli("export", "posts", "-o", "posts.csv")
    assert result.exit_code == 1
    assert "second half failed: disk I/O error" in result.output
    assert not (tmp_path / "posts.csv").exists()
    assert not list(Path(tempfile.gettempdir()).glob("monitor-export-*.csv"))


def test_posts_jsonl_on_stdout_keeps_text_as_is(run_cli, config_file: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with nasty_store(tmp_path / "monitor.db") as store:
        expected = db_rows(store)
    result = run_cli("export", "posts", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout_bytes.decode("utf-8").splitlines()]
    assert [(r["id"], r["text"]) for r in rows] == [(d["id"], d["text"]) for d in expected]


def test_export_window_and_chart(run_cli, config_file: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with nasty_store(tmp_path / "monitor.db") as store:
        add_chart(store, {START: 7, START + timedelta(days=7): 3})
    result = run_cli("export", "posts", "--since", "2024-01-03", "--until", "2024-01-04")
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8"), newline="")))
    assert [r["created_at"][:10] for r in rows] == ["2024-01-03", "2024-01-04"]
    chart = run_cli("export", "chart", "--title", "Backtrace")
    rows = list(csv.DictReader(io.StringIO(chart.stdout_bytes.decode("utf-8"), newline="")))
    assert [(r["period_start"], r["rank"]) for r in rows] == [
        ("2024-01-01", "7"),
        ("2024-01-08", "3"),
    ]
    later = run_cli("export", "chart", "--since", "2024-01-08", "--format", "jsonl")
    assert [json.loads(line)["rank"] for line in later.stdout.splitlines()] == [3]


def test_daily_export_is_the_series_the_figure_draws(
    run_cli, config_file: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with Store(tmp_path / "monitor.db") as store:
        store.sync_titles([Title("Backtrace")])
        chart_run_scenario(store)
        report = build_report(store, Title("Backtrace"))
    result = run_cli("export", "daily", "--title", "Backtrace")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8"), newline="")))
    assert len(rows) == len(report.rows)
    for row, r in zip(rows, report.rows, strict=True):
        assert (row["date"], row["platform"], int(row["posts"])) == (
            r.day.isoformat(),
            r.platform,
            r.posts,
        )
        assert row["rank"] == ("" if r.rank is None else str(r.rank))
    assert rows[0] == {
        "title": "Backtrace",
        "date": "2024-01-01",
        "platform": "bluesky",
        "posts": "1",
        "unscored": "0",
        "mean_sentiment": "-0.5",
        "positive": "0",
        "negative": "1",
        "rank": "",
        "texts": "1",
        "authors": "1",
    }
    assert any(row["rank"] == "4" for row in rows)


def test_export_errors_are_one_line(run_cli, config_file: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run_cli("label")  # a writer: creates the database, syncs the titles
    bad = run_cli("export", "posts", "--title", "Nope")
    assert bad.exit_code == 2 and "not a tracked title" in bad.output
    window = run_cli("export", "daily", "--since", "2024-02-01", "--until", "2024-01-01")
    assert window.exit_code == 2 and "after" in window.output and "check --since" in window.output
    assert "Traceback" not in bad.output + window.output
    folder = run_cli("export", "posts", "-o", str(tmp_path / "missing" / "x.csv"))
    assert folder.exit_code == 1 and "cannot write" in folder.output


def test_export_without_a_database_says_so(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("export", "posts")
    assert result.exit_code == 1 and "no such database" in result.output
    assert not (tmp_path / "monitor.db").exists()

"""`monitor demo` end to end: real pollers against the bundled scenario, no network."""

from __future__ import annotations

import re
from pathlib import Path

from monitor.config import Title
from monitor.replay import scenario
from monitor.report import build_report
from monitor.store import Store

DEBUGGER_WORDS = ("gdb", "lldb", "segfault", "RUST_BACKTRACE", "debugger", "stack trace")


def test_demo_runs_the_pipeline_offline_and_counts_no_debugger_post(
    run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("demo", "--out", "demo")
    assert result.exit_code == 0, result.output
    out = tmp_path / "demo"
    for name in ("monitor.db", "backtrace.html", "backtrace.png", "monitor.toml"):
        assert (out / name).exists(), name
        assert str(out / name) in result.output or name in result.output
    printed = [ln for ln in result.output.splitlines() if not re.match(r"\d{4}-\d\d-\d\dT", ln)]
    assert all(len(line) <= 80 for line in printed if str(out) not in line), printed

    posts = scenario.posts()
    film = [p for p in posts if p.about_film]
    with Store(out / "monitor.db") as store:
        counted = list(
            store.query(
                "select p.platform, p.text from posts p join mentions m on m.post_id = p.id "
                "where m.title = 'Backtrace'"
            )
        )
        fetched_debugger = list(
            store.query("select text from posts where text like '%gdb%' or text like '%lldb%'")
        )
        chart = list(store.query("select rank from chart_entries where title = 'Backtrace'"))
    assert fetched_debugger, "the debugger posts were fetched (they say backtrace)"
    assert not [
        t for _, t in counted if any(w.lower() in (t or "").lower() for w in DEBUGGER_WORDS)
    ]
    submissions_and_bluesky = len(film)
    comments = sum(len(p.comments) for p in film)
    assert len(counted) == submissions_and_bluesky + comments
    assert sorted(r["rank"] for r in chart) == [4, 4, 6, 7, 9]
    assert "peaked at #4" in result.output
    assert "at best" in result.output
    assert "Talk leads the chart by" in result.output  # the scenario's talk swells first
    assert "demo-client-secret" not in result.output and "demo-app-password" not in result.output

    again = run_cli("demo", "--out", "demo")  # a second run replaces the demo database
    assert again.exit_code == 0, again.output
    report = run_cli("--config", str(out / "monitor.toml"), "report", "Backtrace", "--out", "r")
    assert report.exit_code == 0, report.output

    # the talk the scenario plants: "so bad it's good" as it climbs, Stallone at its best
    with Store(out / "monitor.db") as store:
        built = build_report(store, Title("Backtrace", aliases=("Backtrace 2018",)))
    top = {p.name: [t.term for t in p.themes[:3]] for p in built.phases}
    assert "bad it's good" in top["climbing"], top
    assert "stallone" in top["at best"], top
    assert all("bad it's good" not in t for name, t in top.items() if name != "climbing"), top
    assert all("stallone" not in t for name, t in top.items() if name != "at best"), top
    assert 'climbing: "bad it\'s good"' in report.output
    # the scenario's templates are copies: fewer distinct texts than posts
    assert 0 < built.texts < built.posts


def test_demo_leaves_another_database_alone(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "d").mkdir()
    Store(tmp_path / "d" / "monitor.db").close()
    before = (tmp_path / "d" / "monitor.db").read_bytes()
    result = run_cli("demo", "--out", "d")
    assert result.exit_code == 1 and "not a demo database" in result.output
    assert (tmp_path / "d" / "monitor.db").read_bytes() == before

"""``monitor charts surprises``: the Backtrace kind of story on the followed charts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from report_data import add_post

from monitor.config import load_config
from monitor.rows import ChartEntryRow
from monitor.store import Store

CONFIG = """
[[titles]]
name = "Backtrace"
released = 2018-12-14

[[follow]]
regions = ["global", "US"]
"""

#: (region, category, week, rank, chart title)
ENTRIES = [
    ("global", "Films (English)", "2024-06-17", 9, "Backtrace (2018)"),
    ("global", "Films (English)", "2024-06-24", 4, "Backtrace (2018)"),
    ("global", "Films (English)", "2024-06-24", 1, "Brand New"),
    ("global", "Films (English)", "2024-06-17", 2, "Brand New"),
    ("US", "Films", "2024-06-24", 2, "Local Hit"),
    ("US", "Films", "2024-06-24", 5, "Brand New"),
    ("US", "Films", "2024-06-17", 6, "Brand New"),
]


def setup(tmp_path: Path) -> Path:
    config = tmp_path / "monitor.toml"
    config.write_text(CONFIG, encoding="utf-8")
    rows: list[ChartEntryRow] = [
        {
            "chart": "netflix",
            "region": region,
            "category": category,
            "period_start": week,
            "period_end": str(date.fromisoformat(week).replace(day=int(week[-2:]) + 6)),
            "rank": rank,
            "chart_title": name,
            "title": "Backtrace" if name.startswith("Backtrace") else None,
        }
        for region, category, week, rank, name in ENTRIES
    ]
    with Store(tmp_path / "monitor.db") as store:
        store.sync_titles([])
        store.upsert_chart_entries(rows)
    return config


def test_surprises_list_late_climbing_and_country_only_entries(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = setup(tmp_path)
    result = run_cli("--config", str(config), "charts", "surprises", "--weeks", "2")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines == [
        "Local Hit: #2 netflix US Films, week of 2024-06-24, released unknown: "
        "entered in US while absent from the global list",
        "Backtrace: #4 netflix global Films (English), week of 2024-06-24, released 2018-12-14: "
        "on the chart 5.5 years after its release (2018-12-14); "
        "up 5 places in a week (#9 to #4)",
        "Backtrace: #9 netflix global Films (English), week of 2024-06-17, released 2018-12-14: "
        "on the chart 5.5 years after its release (2018-12-14)",
    ]
    # one week back: the climb needs the week before, which is read but not listed
    last = run_cli("--config", str(config), "charts", "surprises", "--weeks", "1")
    assert len(last.output.splitlines()) == 2 and "up 5 places" in last.output


def test_the_report_of_a_surprise_says_so_first(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = setup(tmp_path)
    with Store(tmp_path / "monitor.db") as store:
        store.sync_titles(load_config(config).titles)
        add_post(store, 1, date(2024, 6, 20), 0.5)
    result = run_cli("--config", str(config), "report", "Backtrace", "--out", "out")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("A surprise: on the chart 5.5 years after its release")


def test_surprises_need_a_followed_chart(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "monitor.toml"
    config.write_text('[[titles]]\nname = "Backtrace"\n', encoding="utf-8")
    result = run_cli("--config", str(config), "charts", "surprises")
    assert result.exit_code == 2
    assert "Error: no chart is followed" in result.output

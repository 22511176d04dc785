"""``[[follow]]``: its config keys, and chart titles found, kept and retired in chart time."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.config import Title, parse_config
from monitor.errors import ConfigError
from monitor.follow import chart_titles, display_name, update, with_chart_titles
from monitor.replay.netflix import GLOBAL_HEADER
from monitor.rows import ChartEntryRow
from monitor.store import Store


def test_follow_defaults_and_the_regions_it_needs_are_fetched() -> None:
    config = parse_config({"follow": [{"regions": ["US"], "categories": ["Films"]}]})
    (follow,) = config.follows
    assert (follow.chart, follow.top, follow.backfill_days, follow.keep_days) == (
        "netflix",
        10,
        28,
        28,
    )
    assert follow.max_titles == 200 and follow.categories == ("Films",)
    assert config.backfill.requests == 200
    assert "US" in config.netflix.countries


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"follow": {"chart": "netflix"}}, "follow: must be an array of tables"),
        ({"follow": [{"regions": ["usa"]}]}, "follow[0].regions: 'usa' is not an ISO-2 code"),
        ({"follow": [{"regions": []}]}, "follow[0].regions: must name at least one region"),
        ({"follow": [{"top": 0}]}, "follow[0].top: must be a whole number from 1 to"),
        ({"follow": [{"top": 250}]}, "follow[0].top: must be at most 100"),
        ({"follow": [{"keep_days": -1}]}, "follow[0].keep_days: must be a whole number from 0 to"),
        ({"follow": [{"max_titles": 0}]}, "follow[0].max_titles: must be a whole number from 1 to"),
        ({"follow": [{"chart": ""}]}, "follow[0].chart: must not be empty"),
        ({"follow": [{"top10": 5}]}, "follow[0].top10: unknown key"),
        ({"backfill": {"requests": "many"}}, "backfill.requests: must be a whole number"),
        ({"backfill": {"budget": 5}}, "backfill.budget: unknown key"),
    ],
)
def test_bad_follow_keys_name_the_key(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_config(data)


def test_display_name_drops_a_trailing_year() -> None:
    assert display_name("Backtrace (2018)") == ("Backtrace", 2018)
    assert display_name("Wednesday") == ("Wednesday", None)


LATEST = date(2024, 6, 30)


def week(store: Store, sunday: date, titles: list[str], region: str = "global") -> None:
    rows: list[ChartEntryRow] = [
        {
            "chart": "netflix",
            "region": region,
            "category": "TV (English)" if name.startswith("Show") else "Films (English)",
            "period_start": (sunday - timedelta(days=6)).isoformat(),
            "period_end": sunday.isoformat(),
            "rank": rank,
            "chart_title": name,
            "season": f"{name}: Season 2" if name.startswith("Show") else None,
        }
        for rank, name in enumerate(titles, start=1)
    ]
    store.upsert_chart_entries(rows)


def follow_config(**keys: Any) -> Any:
    return parse_config(
        {
            "titles": [{"name": "The Man from Toronto"}],
            "follow": [{"regions": ["global"], **keys}],
        }
    )


def states(store: Store) -> dict[str, str]:
    return {t.name: t.state for t in chart_titles(store)}


def test_the_first_update_follows_only_the_latest_week_and_a_config_title_wins(
    store: Store,
) -> None:
    config = follow_config()
    week(store, LATEST - timedelta(weeks=1), ["Old Film", "Backtrace (2018)"])
    week(store, LATEST, ["Backtrace (2018)", "the man from toronto", "Show Time"])
    result = update(store, config)
    assert sorted(result.added) == ["Backtrace", "Show Time"]  # not Old Film, not Toronto
    backtrace, show = chart_titles(store)
    # first week: its first in the chart's history; backfill from 28 days before it
    assert backtrace.first_week == "2024-06-17" and backtrace.kind == "film"
    assert backtrace.backfill_since == "2024-05-20T00:00:00Z"
    assert backtrace.title().context == ("2018",)  # the chart's year, a fact for relevance
    assert (show.kind, show.season, show.category) == ("tv", "Show Time: Season 2", "TV (English)")
    # the relevance rule takes the chart's facts with the title
    assert (show.title().kind, show.title().season) == ("tv", "Show Time: Season 2")
    assert backtrace.title().kind == "film"
    # its chart rows name it, so the report finds its chart run
    assert {r["title"] for r in store.query("select title from chart_entries")} >= {"Backtrace"}
    assert update(store, config).added == []  # nothing new the second time
    merged = with_chart_titles(config, store)
    assert [t.name for t in merged.titles] == ["The Man from Toronto", "Backtrace", "Show Time"]
    assert merged.title("backtrace").name == "Backtrace"


def test_titles_leave_after_keep_days_of_chart_time_and_come_back(store: Store) -> None:
    config = follow_config(keep_days=14, backfill_days=0)
    week(store, LATEST, ["Backtrace", "Heat"])
    update(store, config)
    assert states(store) == {"Backtrace": "active", "Heat": "active"}
    # the chart's weeks are its clock: two weeks without Heat is not yet over 14 days
    for n in (1, 2):
        week(store, LATEST + timedelta(weeks=n), ["Backtrace"])
        # as `monitor run` does: the config it holds has the chart titles in it already
        update(store, with_chart_titles(config, store))
    assert states(store)["Heat"] == "active"
    week(store, LATEST + timedelta(weeks=3), ["Backtrace"])
    update(store, with_chart_titles(config, store))
    assert states(store) == {"Backtrace": "active", "Heat": "retired"}
    assert chart_titles(store)[0].last_week == str(LATEST + timedelta(weeks=3) - timedelta(6))
    merged = with_chart_titles(config, store)
    assert "Heat" not in [t.name for t in merged.titles]  # not polled…
    assert merged.title("Heat").name == "Heat"  # …still found by name
    week(store, LATEST + timedelta(weeks=4), ["Heat", "Backtrace"])
    assert update(store, config).returned == ["Heat"]
    assert states(store)["Heat"] == "active"


def test_max_titles_caps_with_a_log_line(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    config = follow_config(max_titles=2)
    week(store, LATEST, ["One Film", "Two Film", "Three Film"])
    result = update(store, config)
    assert result.added == ["One Film", "Two Film"] and result.capped == ["Three Film"]
    assert "max_titles (2) reached; not followed: Three Film" in caplog.text


def test_region_and_category_scope(store: Store) -> None:
    config = parse_config({"follow": [{"regions": ["US"], "categories": ["Films"], "top": 2}]})
    rows: list[ChartEntryRow] = [
        {"chart": "netflix", "region": region, "category": category, "rank": rank,
         "period_start": "2024-06-24", "period_end": "2024-06-30", "chart_title": name}
        for region, category, rank, name in [
            ("US", "Films", 1, "Wanted"),
            ("US", "Films", 3, "Too Low"),
            ("US", "TV", 1, "Other Category"),
            ("GB", "Films", 1, "Other Region"),
        ]
    ]  # fmt: skip
    store.upsert_chart_entries(rows)
    assert update(store, config).added == ["Wanted"]
    assert (
        Title("Wanted", chart_title="Wanted", kind="film")
        in with_chart_titles(config, store).titles
    )


def test_charts_update_follows_and_titles_lists_them(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "top10"
    folder.mkdir()
    lines = [
        GLOBAL_HEADER,
        "2024-06-30\tFilms (English)\t1\tBacktrace (2018)\tN/A\t100\t1.5\t60\t1\tFalse\t",
        "2024-06-30\tTV (English)\t1\tWednesday\tWednesday: Season 2\t90\t8.0\t11\t2\tFalse\t",
    ]
    (folder / "all-weeks-global.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = tmp_path / "monitor.toml"
    config.write_text(
        f'[netflix]\nsource = "{folder}"\ncountries = ["global"]\n\n[[follow]]\n',
        encoding="utf-8",
    )
    updated = run_cli("--config", str(config), "charts", "update")
    assert updated.exit_code == 0, updated.output
    assert "follow: 2 new chart titles" in updated.output
    listed = run_cli("--config", str(config), "titles")
    assert "From the charts (2):" in listed.output
    charted = listed.output.split("From the charts")[1]
    row = next(line for line in charted.splitlines() if line.startswith("Wednesday"))
    assert row.split()[:3] == ["Wednesday", "backfilling", "netflix"]
    assert "2024-06-24  Wednesday: Seas" in row  # first week, season (cut to 80 columns)
    film = next(line for line in charted.splitlines() if line.startswith("Backtrace"))
    assert film.endswith("(2018)")  # what is known of it: the chart's year
    shown = run_cli("--config", str(config), "charts", "show", "backtrace")
    assert shown.exit_code == 0 and "#1" in shown.output
    again = run_cli("--config", str(config), "charts", "update")
    assert "follow: 0 new chart titles" in again.output


def test_a_chart_title_later_written_in_the_config_becomes_a_config_title(store: Store) -> None:
    week(store, LATEST, ["Backtrace (2018)", "Heat"])
    update(store, follow_config())
    assert states(store) == {"Backtrace": "backfilling", "Heat": "backfilling"}
    config = parse_config({"titles": [{"name": "Backtrace"}], "follow": [{"regions": ["global"]}]})
    update(store, config)
    assert states(store) == {"Heat": "backfilling"}  # no longer backfilled as a chart title
    assert [t.name for t in with_chart_titles(config, store).titles] == ["Backtrace", "Heat"]


def test_an_imported_chart_can_be_followed(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    csv = tmp_path / "prime.csv"
    csv.write_text(
        "date,rank,title\n2024-06-29,1,The Boys\n2024-06-29,2,Road House\n"
        "2024-06-30,1,Road House\n2024-06-30,2,Fallout\n",
        encoding="utf-8",
    )
    config = tmp_path / "monitor.toml"
    config.write_text('[[follow]]\nchart = "prime-video"\nregions = ["US"]\n', encoding="utf-8")
    result = run_cli(
        "--config", str(config), "charts", "import", str(csv), "--chart", "prime-video",
        "--region", "US",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "follow: 2 new chart titles" in result.output  # the latest day only
    with Store(tmp_path / "monitor.db") as store:
        assert sorted(t.name for t in chart_titles(store)) == ["Fallout", "Road House"]
        assert {t.chart for t in chart_titles(store)} == {"prime-video"}

"""Netflix Top 10 files and CSV charts -> chart_entries, through a local server and a folder."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes import ReplayServer

from monitor.charts import TitleMatcher, title_key
from monitor.charts.netflix import COUNTRIES, GLOBAL, Top10File, ingest, state_key, update
from monitor.config import Title, load_config
from monitor.errors import InputError, SourceError
from monitor.replay.netflix import COUNTRIES_HEADER, GLOBAL_HEADER, GLOBAL_HEADER_OLD, Top10Files
from monitor.schema import CHART_ENTRIES
from monitor.store import Store
from tests.conftest import BACKTRACE, Invoke

GLOBAL_NEW = f"""{GLOBAL_HEADER}
2024-06-30\tFilms (English)\t1\tBacktrace (2018)\tN/A\t12000000\t1.5\t8000000\t2\tFalse\t
2024-06-30\tFilms (Non-English)\t1\tAmélie\tN/A\t5000000\t2.0\t2500000\t1\tFalse\t
2024-06-30\tTV (English)\t1\tWednesday\tWednesday: Season 1\t30000000\t8.1\t3700000\t3\tFalse\t
2024-06-23\tFilms (English)\t4\tBacktrace (2018)\tN/A\t9000000\t1.5\t6000000\t1\tFalse\t
"""
GLOBAL_OLD = f"""{GLOBAL_HEADER_OLD}
2022-07-03\tFilms (English)\t1\tThe Man from Toronto\tN/A\t53120000\t\t\t1
2022-07-03\tTV (Non-English)\t1\tÉlite\tÉlite: Temporada 5\t20000000\t\t\t2
"""
COUNTRIES_TSV = f"""{COUNTRIES_HEADER}
United States\tUS\t2024-06-30\tFilms\t2\tBacktrace\tN/A\t2
United States\tUS\t2024-06-30\tTV\t1\tWednesday\tWednesday: Season 1\t3
United States\tUS\t2024-06-23\tFilms\t4\tBacktrace\tN/A\t1
France\tFR\t2024-06-30\tFilms\t1\tAmélie\tN/A\t3
United Kingdom\tGB\t2024-06-30\tTV\t1\tÉlite\tÉlite: Temporada 8\t1
"""


def write_config(path: Path, source: str, countries: str = '["global", "US"]') -> Path:
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        BACKTRACE + f'\n[netflix]\nsource = "{source}"\ncountries = {countries}\n', "utf-8"
    )
    return path


@pytest.fixture
def files() -> Top10Files:
    return Top10Files({GLOBAL: GLOBAL_NEW.encode(), COUNTRIES: COUNTRIES_TSV.encode()})


@pytest.fixture
def server(files: Top10Files) -> Iterator[ReplayServer]:
    with ReplayServer(files) as srv:
        yield srv


@pytest.fixture
def http_config(tmp_path: Path, server: ReplayServer) -> Path:
    return write_config(tmp_path / "config" / "monitor.toml", f"{server.url}/tudum/top10/data")


def entries(tmp_path: Path) -> list[dict[str, Any]]:
    with Store(tmp_path / "monitor.db") as store:
        return list(
            store.query(
                f"select * from {CHART_ENTRIES} "
                "order by chart, region, period_start, category, rank"
            )
        )


def entry(rows: list[dict[str, Any]], **where: Any) -> dict[str, Any]:
    found = [r for r in rows if all(r[k] == v for k, v in where.items())]
    assert len(found) == 1, (where, found)
    return found[0]


def state(tmp_path: Path, name: str) -> str | None:
    with Store(tmp_path / "monitor.db") as store:
        return store.get_state(state_key(name))


# --- matching --------------------------------------------------------------------------


def test_title_key_ignores_case_punctuation_and_trailing_year() -> None:
    assert title_key("Backtrace (2018)") == title_key("BACKTRACE") == title_key("backtrace 2018")
    assert title_key("Spider-Man: No Way Home") == title_key("spider man no way home")
    assert title_key("Élite") == title_key("ÉLITE") != title_key("Elite")
    assert title_key("1917") == "1917"  # a title that is a year keeps it
    matcher = TitleMatcher(
        [Title("Backtrace"), Title("Toronto", chart_title="The Man from Toronto")]
    )
    assert matcher.match("Backtrace (2018)") == "Backtrace"
    assert matcher.match("The Man From Toronto") == "Toronto"
    assert matcher.match("Backtracer") is None


# --- Netflix over HTTP --------------------------------------------------------------------


def test_update_over_http_stores_configured_regions(
    run_cli: Invoke, http_config: Path, tmp_path: Path
) -> None:
    result = run_cli("--config", str(http_config), "charts", "update")
    assert result.exit_code == 0, result.output
    assert "all-weeks-global.tsv: 4 rows stored" in result.output
    assert "all-weeks-countries.tsv: 3 rows stored" in result.output
    rows = entries(tmp_path)
    assert {r["region"] for r in rows} == {"global", "US"}  # FR and GB are not configured
    top = entry(rows, region="global", rank=1, category="Films (English)")
    assert top == {
        "chart": "netflix",
        "region": "global",
        "category": "Films (English)",
        "period_start": "2024-06-24",  # the Monday
        "period_end": "2024-06-30",  # the Sunday Netflix names the week by
        "rank": 1,
        "title": "Backtrace",
        "chart_title": "Backtrace (2018)",
        "season": None,  # N/A
        "weeks_on_chart": 2,
        "hours_viewed": 12000000,
        "views": 8000000,
        "platform": "netflix",
    }
    amelie = entry(rows, chart_title="Amélie")
    assert amelie["title"] is None  # kept all the same: what else was charting
    wednesday = entry(rows, region="US", category="TV")
    assert wednesday["season"] == "Wednesday: Season 1" and wednesday["hours_viewed"] is None
    assert entry(rows, region="US", rank=4)["title"] == "Backtrace"


def test_older_global_layout_without_views(
    run_cli: Invoke, files: Top10Files, http_config: Path, tmp_path: Path
) -> None:
    files.put(GLOBAL, GLOBAL_OLD.encode())
    result = run_cli("--config", str(http_config), "charts", "update")
    assert result.exit_code == 0, result.output
    rows = entries(tmp_path)
    toronto = entry(rows, region="global", chart_title="The Man from Toronto")
    assert (toronto["title"], toronto["period_start"], toronto["period_end"]) == (
        "The Man from Toronto",
        "2022-06-27",
        "2022-07-03",
    )
    assert toronto["hours_viewed"] == 53120000 and toronto["views"] is None
    assert entry(rows, chart_title="Élite")["season"] == "Élite: Temporada 5"


def test_unchanged_files_cost_one_conditional_request_each(
    run_cli: Invoke, files: Top10Files, server: ReplayServer, http_config: Path, tmp_path: Path
) -> None:
    assert run_cli("--config", str(http_config), "charts", "update").exit_code == 0
    first = entries(tmp_path)
    sent = server.bytes_sent
    assert sent > len(COUNTRIES_TSV.encode()) + len(GLOBAL_NEW.encode())

    again = run_cli("--config", str(http_config), "charts", "update")
    assert again.exit_code == 0, again.output
    assert again.stdout.count("unchanged") == 2
    assert server.count("/tudum/top10/data/") == 4  # one request per file per run
    assert server.bytes_sent - sent < 1000  # two 304s: headers only, no body
    assert all(r.headers.get("if-none-match") for r in server.requests[2:])
    assert entries(tmp_path) == first

    files.put(
        COUNTRIES,
        (COUNTRIES_TSV + "United States\tUS\t2024-07-07\tFilms\t1\tBacktrace\tN/A\t3\n").encode(),
    )
    third = run_cli("--config", str(http_config), "charts", "update")
    assert "all-weeks-global.tsv: unchanged" in third.output
    assert "all-weeks-countries.tsv: 4 rows stored" in third.output
    assert len(entries(tmp_path)) == len(first) + 1


def test_if_modified_since_alone_gets_304(files: Top10Files, server: ReplayServer) -> None:
    url = f"{server.url}/data/{GLOBAL}"
    with urllib.request.urlopen(url) as response:
        modified = response.headers["Last-Modified"]
    request = urllib.request.Request(url, headers={"If-Modified-Since": modified})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request)
    caught.value.close()
    assert caught.value.code == 304


def test_download_failing_half_way_changes_nothing(
    run_cli: Invoke, files: Top10Files, server: ReplayServer, http_config: Path, tmp_path: Path
) -> None:
    assert run_cli("--config", str(http_config), "charts", "update").exit_code == 0
    before, stamp = entries(tmp_path), state(tmp_path, COUNTRIES)
    files.put(COUNTRIES, COUNTRIES_TSV.replace("\t2\tBacktrace", "\t9\tBacktrace").encode())
    server.fail("truncate", path=f"/tudum/top10/data/{COUNTRIES}")
    result = run_cli("--config", str(http_config), "charts", "update")
    assert result.exit_code == 1
    assert "Error:" in result.output and "stopped after" in result.output
    assert "Traceback" not in result.output
    assert entries(tmp_path) == before and state(tmp_path, COUNTRIES) == stamp

    retry = run_cli("--config", str(http_config), "charts", "update")
    assert retry.exit_code == 0, retry.output
    assert (
        entry(entries(tmp_path), region="US", period_start="2024-06-24", category="Films")["rank"]
        == 9
    )


def test_http_error_is_a_source_error(
    run_cli: Invoke, server: ReplayServer, http_config: Path, tmp_path: Path
) -> None:
    server.fail("status", status=503, path="/tudum/top10/data/all-weeks-global")
    result = run_cli("--config", str(http_config), "charts", "update")
    assert result.exit_code == 1
    assert "HTTP 503" in result.output and "all-weeks-global.tsv" in result.output
    assert entries(tmp_path) == []


# --- bad input ----------------------------------------------------------------------------

BAD_INPUT = [
    pytest.param(
        COUNTRIES_TSV.replace("\tweekly_rank", "\trank"),
        "line 1: missing column weekly_rank",
        id="missing-column",
    ),
    pytest.param(
        COUNTRIES_TSV.replace("2024-06-23\tFilms\t4", "2024-06-23\tFilms\tfour"),
        "line 4, column 5 (weekly_rank): 'four' is not a whole number",
        id="rank-not-a-number",
    ),
    pytest.param(
        COUNTRIES_TSV.replace("France\tFR\t2024-06-30", "France\tFR\t30/06/2024"),
        "line 5, column 3 (week): '30/06/2024' is not a date YYYY-MM-DD",
        id="bad-date",
    ),
    pytest.param(
        "<!DOCTYPE html>\n<html><head><title>Sign in to Wi-Fi</title></head></html>\n",
        "line 1, column 1: this is an HTML page",
        id="html-page",
    ),
    pytest.param(
        COUNTRIES_TSV + "Spain\tES\t2024-06-30\tFilms\n",
        "line 7, column 5 (weekly_rank): missing",
        id="short-row",
    ),
]


@pytest.mark.parametrize(("content", "message"), BAD_INPUT)
def test_bad_file_stores_nothing_from_it(
    run_cli: Invoke,
    files: Top10Files,
    http_config: Path,
    tmp_path: Path,
    content: str,
    message: str,
) -> None:
    files.put(COUNTRIES, content.encode())
    result = run_cli("--config", str(http_config), "charts", "update")
    assert result.exit_code == 1, result.output
    assert f"Error: {files_url(http_config)}/{COUNTRIES}, {message}" in result.output
    assert "Traceback" not in result.output
    rows = entries(tmp_path)
    assert rows and {r["region"] for r in rows} == {"global"}  # the good file went in
    assert state(tmp_path, COUNTRIES) is None  # so the next run fetches it again


def files_url(config: Path) -> str:
    return load_config(config).netflix.source


def test_bad_line_late_in_a_file_keeps_earlier_rows_of_that_file_out(tmp_path: Path) -> None:
    lines = COUNTRIES_TSV.splitlines(keepends=True)
    bad = [*lines, "United States\tUS\t2024-06-16\tFilms\t1\tBacktrace\tN/A\tx\n"]
    with Store(tmp_path / "monitor.db") as store:
        with pytest.raises(InputError, match=r"line 7, column 8 \(cumulative_weeks_in_top_10\)"):
            ingest(store, bad, "f.tsv", ["US"], TitleMatcher([]))
        assert store.count(CHART_ENTRIES) == 0


# --- a local folder -----------------------------------------------------------------------


def test_update_from_a_folder_then_rerun_changes_nothing(run_cli: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "top10"
    folder.mkdir()
    (folder / GLOBAL).write_text(GLOBAL_NEW, "utf-8")
    (folder / COUNTRIES).write_text(COUNTRIES_TSV, "utf-8")
    config = write_config(tmp_path / "config" / "monitor.toml", str(folder), '["global", "GB"]')
    result = run_cli("--config", str(config), "charts", "update")
    assert result.exit_code == 0, result.output
    rows = entries(tmp_path)
    assert {r["region"] for r in rows} == {"global", "GB"}
    assert entry(rows, region="GB")["chart_title"] == "Élite"

    again = run_cli("--config", str(config), "charts", "update")
    assert again.stdout.count("unchanged") == 2
    with Store(tmp_path / "monitor.db") as store:  # forget the stamps: a full re-ingest
        store.set_state(state_key(GLOBAL), None)
        store.set_state(state_key(COUNTRIES), None)
    forced = run_cli("--config", str(config), "charts", "update")
    assert "4 rows stored" in forced.output
    assert entries(tmp_path) == rows


def test_missing_file_in_folder_is_a_clear_error(run_cli: Invoke, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config" / "monitor.toml", str(tmp_path / "nowhere"))
    result = run_cli("--config", str(config), "charts", "update")
    assert result.exit_code == 1
    assert "all-weeks-global.tsv: no such file" in result.output


def test_parser_streams_lines_without_a_store() -> None:
    parsed = Top10File(
        iter(COUNTRIES_TSV.encode().splitlines(True)), "c.tsv", ["FR"], TitleMatcher([])
    )
    rows = list(parsed)
    assert [r["chart_title"] for r in rows] == ["Amélie"]
    assert (parsed.lines, parsed.rows) == (6, 1)


# --- generic CSV --------------------------------------------------------------------------

PRIME_CSV = """date,rank,title,region,category
2024-07-01,1,The Boys,US,TV
2024-07-01,2,"Backtrace (2018)",US,Films
2024-07-02,1,"Backtrace, the film",,Films
"""


def test_import_generic_csv(run_cli: Invoke, config_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "prime.csv"
    path.write_text(PRIME_CSV, "utf-8")
    args = ("charts", "import", str(path), "--chart", "prime-video")
    result = run_cli(*args, "--platform", "prime", "--region", "GB")
    assert result.exit_code == 0, result.output
    assert "3 rows stored in chart prime-video" in result.output
    rows = entries(tmp_path)
    backtrace = entry(rows, rank=2)
    assert backtrace == {
        "chart": "prime-video",
        "region": "US",
        "category": "Films",
        "period_start": "2024-07-01",
        "period_end": "2024-07-01",
        "rank": 2,
        "title": "Backtrace",
        "chart_title": "Backtrace (2018)",
        "season": None,
        "weeks_on_chart": None,
        "hours_viewed": None,
        "views": None,
        "platform": "prime",
    }
    other = entry(rows, period_start="2024-07-02")
    assert (other["region"], other["title"]) == ("GB", None)  # --region fills the blank

    path.write_text(PRIME_CSV.replace("2024-07-01,1,The Boys", "2024-07-01,3,The Boys"), "utf-8")
    assert run_cli(*args, "--platform", "prime", "--region", "GB").exit_code == 0
    corrected = entries(tmp_path)  # a corrected file replaces the ranks of the days it covers
    assert [r["rank"] for r in corrected if r["region"] == "US"] == [2, 3]
    path.write_text(PRIME_CSV, "utf-8")
    again = run_cli(*args, "--platform", "prime", "--region", "GB")  # again: the same rows
    assert again.exit_code == 0 and entries(tmp_path) == rows


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("day,rank,title\n2024-07-01,1,X\n", "line 1: missing column date"),
        ("date,rank,title\n2024-07-01,1,X\n2024-07-01,#2,Y\n", "line 3, column 2 (rank): '#2'"),
        ("date,rank,title\n2024-07-01,1,X\n2024-13-01,2,Y\n", "line 3, column 1 (date)"),
        (
            "date,rank,title\n2024-07-01,1,X\n2024-07-01,1,Y\n",
            "line 3, column 2 (rank): rank 1 on 2024-07-01 is also on line 2",
        ),
        ("<html><body>502 Bad Gateway</body></html>\n", "line 1, column 1: this is an HTML"),
    ],
    ids=["missing-column", "rank", "date", "duplicate-rank", "html"],
)
def test_bad_csv_stores_nothing(
    run_cli: Invoke, config_file: Path, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "chart.csv"
    path.write_text(content, "utf-8")
    result = run_cli("charts", "import", str(path), "--chart", "max")
    assert result.exit_code == 1
    assert f"Error: {path}, {message}" in result.output
    assert entries(tmp_path) == []


# --- charts show --------------------------------------------------------------------------


def test_show_prints_rank_history_per_region(
    run_cli: Invoke, http_config: Path, tmp_path: Path
) -> None:
    assert run_cli("--config", str(http_config), "charts", "update").exit_code == 0
    csv_path = tmp_path / "daily.csv"
    csv_path.write_text(
        "date,rank,title\n2024-06-20,3,Backtrace\n2024-06-21,1,Backtrace\n", "utf-8"
    )
    assert (
        run_cli(
            "--config",
            str(http_config),
            "charts",
            "import",
            str(csv_path),
            "--chart",
            "netflix-daily",
            "--region",
            "US",
        ).exit_code
        == 0
    )

    result = run_cli("--config", str(http_config), "charts", "show", "backtrace")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert lines[0].split() == [
        "chart",
        "region",
        "entered",
        "best",
        "best",
        "week",
        "on",
        "chart",
        "last",
    ]
    body = [line.split() for line in lines[2:]]
    assert [
        "netflix",
        "global",
        "2024-06-17",
        "#1",
        "2024-06-24",
        "2",
        "wk",
        "2024-06-24",
        "*",
    ] in body
    assert ["netflix", "US", "2024-06-17", "#2", "2024-06-24", "2", "wk", "2024-06-24", "*"] in body
    assert [
        "netflix-daily",
        "US",
        "2024-06-20",
        "#1",
        "2024-06-21",
        "2",
        "d",
        "2024-06-21",
        "*",
    ] in body

    untracked = run_cli("--config", str(http_config), "charts", "show", "AMÉLIE")
    assert "global" in untracked.output and "#1" in untracked.output
    nothing = run_cli("--config", str(http_config), "charts", "show", "Nope")
    assert nothing.exit_code == 0 and "no chart entries" in nothing.output


def test_upsert_chart_entries_refreshes_by_key_and_keeps_left_out_columns(tmp_path: Path) -> None:
    key = {"chart": "c", "region": "US", "category": "TV", "period_start": "2024-07-01", "rank": 1}
    with Store(tmp_path / "monitor.db") as store:
        store.upsert_chart_entries([{**key, "chart_title": "Old", "views": 5}])
        store.upsert_chart_entries([{**key, "chart_title": "New"}, {**key, "rank": 2}])
        rows = list(store.query(f"select rank, chart_title, views from {CHART_ENTRIES}"))
    assert rows == [
        {"rank": 1, "chart_title": "New", "views": 5},
        {"rank": 2, "chart_title": None, "views": None},
    ]


def test_a_server_that_hangs_times_out_and_changes_nothing(
    server: ReplayServer, tmp_path: Path
) -> None:
    config = load_config(write_config(tmp_path / "config" / "monitor.toml", server.url, '["US"]'))
    server.fail("hang", seconds=5, path=f"/{COUNTRIES}")
    with Store(tmp_path / "monitor.db") as store:
        with pytest.raises(SourceError, match="timed out"):
            update(store, config, timeout=0.3)
        assert store.count(CHART_ENTRIES) == 0 and store.get_state(state_key(COUNTRIES)) is None

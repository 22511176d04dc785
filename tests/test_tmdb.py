"""TMDB facts for chart titles, against a local fake of TMDB's v3 API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fakes import ReplayServer, Request, Response

from monitor.config import parse_config
from monitor.follow import chart_titles, update, with_chart_titles
from monitor.rows import ChartEntryRow
from monitor.store import Store
from monitor.tmdb import enrich

KEY = "good-key-123"

SEARCH = {
    ("/3/search/movie", "Backtrace", "2018"): [
        {"id": 7, "title": "Backtrace Reloaded", "release_date": "2021-01-01"},
        {"id": 500, "title": "Backtrace", "release_date": "2018-12-14"},
    ],
    ("/3/search/tv", "Wednesday", None): [
        {"id": 119051, "name": "Wednesday", "first_air_date": "2022-11-23"}
    ],
    ("/3/search/movie", "Gone Film", None): [
        {"id": 404, "title": "Gone Film", "release_date": "2001-02-03"}
    ],
}
DETAILS = {
    "/3/movie/500": {
        "id": 500,
        "title": "Backtrace",
        "original_title": "Backtrace",
        "release_date": "2018-12-14",
        "credits": {
            "cast": [
                {"name": "Sylvester Stallone", "order": 1},
                {"name": "Matthew Modine", "order": 0},
                {"name": "Ryan Guzman", "order": 2},
            ],
            "crew": [{"name": "Brian A. Miller", "job": "Director"}],
        },
        "alternative_titles": {
            "titles": [
                {"iso_3166_1": "GB", "title": "Backtrace: The Heist"},
                {"iso_3166_1": "DE", "title": "Backtrace - Im Netz"},
            ]
        },
    },
    "/3/tv/119051": {
        "id": 119051,
        "name": "Wednesday",
        "original_name": "Wednesday",
        "first_air_date": "2022-11-23",
        "created_by": [{"name": "Alfred Gough"}, {"name": "Miles Millar"}],
        "credits": {"cast": [{"name": "Jenna Ortega", "order": 0}]},
        "alternative_titles": {"results": []},
    },
}


class FakeTmdb:
    """search/movie, search/tv and the details; 401 for another key; ``limited`` answers
    429 that many times."""

    def __init__(self) -> None:
        self.limited = 0
        self.asked: list[str] = []

    def __call__(self, request: Request) -> Response:
        self.asked.append(request.path)
        if request.arg("api_key") != KEY:
            return Response.json(
                {"status_code": 7, "status_message": "Invalid API key", "success": False}, 401
            )
        if self.limited:
            self.limited -= 1
            return Response.json({"status_code": 25, "status_message": "limit"}, 429)
        if request.path.startswith("/3/search/"):
            year = request.arg("year") or request.arg("first_air_date_year")
            key = (request.path, request.arg("query"), year)
            return Response.json({"page": 1, "results": SEARCH.get(key, []), "total_results": 0})
        if request.path in DETAILS and request.arg("append_to_response"):
            return Response.json(DETAILS[request.path])
        return Response.json({"status_code": 34, "status_message": "not found"}, 404)


@pytest.fixture
def tmdb() -> Iterator[tuple[FakeTmdb, str]]:
    fake = FakeTmdb()
    with ReplayServer(fake) as server:
        yield fake, server.url + "/3"


def follow(store: Store, names: list[str]) -> None:
    sunday = date(2024, 6, 30)
    rows: list[ChartEntryRow] = [
        {
            "chart": "netflix",
            "region": "global",
            "category": "TV (English)" if name == "Wednesday" else "Films (English)",
            "period_start": (sunday - timedelta(days=6)).isoformat(),
            "period_end": sunday.isoformat(),
            "rank": rank,
            "chart_title": name,
        }
        for rank, name in enumerate(names, start=1)
    ]
    store.upsert_chart_entries(rows)
    update(store, CONFIG)


CONFIG = parse_config({"follow": [{"regions": ["global"]}]})


def test_facts_become_release_aliases_and_context(
    store: Store, tmdb: tuple[FakeTmdb, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    follow(store, ["Backtrace (2018)", "Wednesday", "Zzyzx Nowhere", "Gone Film"])
    assert enrich(store, KEY, tmdb[1]) == 3
    titles = {t.name: t for t in with_chart_titles(CONFIG, store).titles}
    backtrace = titles["Backtrace"]
    assert backtrace.released == date(2018, 12, 14)  # the exact match, not the first
    assert backtrace.aliases == ("Backtrace: The Heist",)  # an English alternative title
    assert backtrace.context[:4] == (
        "Matthew Modine",
        "Sylvester Stallone",
        "Ryan Guzman",
        "Brian A. Miller",
    )
    assert "Stallone" in backtrace.context  # a surname no dictionary holds
    wednesday = titles["Wednesday"]
    assert wednesday.released == date(2022, 11, 23)
    assert "Alfred Gough" in wednesday.context and "Jenna Ortega" in wednesday.context
    assert titles["Gone Film"].released == date(2001, 2, 3)  # details 404: the search's facts
    assert titles["Zzyzx Nowhere"].context == ()
    assert "tmdb: no match for Zzyzx Nowhere (film)" in caplog.text
    # asked once: the next run asks nothing
    asked = len(tmdb[0].asked)
    assert enrich(store, KEY, tmdb[1]) == 0 and len(tmdb[0].asked) == asked
    row = next(store.query("select released, facts from titles where name = 'Backtrace'"))
    assert row["released"] == "2018-12-14" and json.loads(row["facts"])["tmdb"] == 500


@pytest.mark.parametrize(
    ("key", "limited", "message"),
    [
        ("wrong-key", 0, "TMDB refused the API key (401); check TMDB_API_KEY"),
        (KEY, 5, "TMDB's rate limit was reached (429)"),
    ],
)
def test_a_refused_key_or_a_rate_limit_stops_the_lookups_not_the_run(
    store: Store,
    tmdb: tuple[FakeTmdb, str],
    caplog: pytest.LogCaptureFixture,
    key: str,
    limited: int,
    message: str,
) -> None:
    tmdb[0].limited = limited
    follow(store, ["Backtrace (2018)", "Wednesday"])
    assert enrich(store, key, tmdb[1]) == 0
    assert message in caplog.text and "wait for the next run" in caplog.text
    assert len(tmdb[0].asked) == 1  # nothing more asked of a TMDB that said no
    assert all("tmdb" not in t.facts for t in chart_titles(store))  # asked again next run
    tmdb[0].limited = 0
    assert enrich(store, KEY, tmdb[1]) == 2


def test_unreachable_tmdb_is_a_log_line(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    follow(store, ["Backtrace (2018)"])
    assert enrich(store, KEY, "http://127.0.0.1:9/3") == 0
    assert "TMDB is unreachable" in caplog.text


def test_without_a_key_nothing_is_asked(store: Store, tmp_path: Path) -> None:
    follow(store, ["Backtrace (2018)"])
    assert enrich(store, None, "http://127.0.0.1:9/3") == 0
    assert chart_titles(store)[0].facts == {"chart_title": "Backtrace (2018)", "year": 2018}

"""Relevance with a chart's facts: film or TV, and the season charting (issue 14)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from monitor.config import Title, parse_config
from monitor.errors import ConfigError
from monitor.relevance import judge
from monitor.relevance_kind import season_of, season_words

FIXTURES = Path(__file__).parent / "fixtures"
#: TV seasons and one-word titles, with what a chart and TMDB bring (no exclude words).
TMDB = parse_config(tomllib.loads((FIXTURES / "relevance_series.toml").read_text("utf-8")))
POSTS = [
    json.loads(line)
    for line in (FIXTURES / "relevance_series.jsonl").read_text("utf-8").splitlines()
]
WEDNESDAY = Title("Wednesday", kind="tv", season="Wednesday: Season 2")
YOU = Title("You", kind="tv", season="YOU: Season 5")
HEAT = Title("Heat", kind="film")


def figures(facts: str) -> tuple[float, float]:
    """Precision and recall over the chart-style posts, each title known by ``facts``."""
    tp = fp = fn = 0
    for post in POSTS:
        if facts == "name":
            title = Title(post["title"])
        elif facts == "chart":
            title = Title(post["title"], kind=post["kind"], season=post["season"])
        else:
            title = TMDB.title(post["title"])
        about = judge(post["text"], title, community=post["community"]).about
        tp += about and post["about"]
        fp += about and not post["about"]
        fn += not about and post["about"]
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def test_the_chart_style_fixture_has_both_kinds_and_hard_negatives() -> None:
    assert len(POSTS) >= 100
    kinds = {(p["kind"], p["about"]) for p in POSTS}
    assert kinds == {("tv", True), ("tv", False), ("film", True), ("film", False)}
    assert {p["platform"] for p in POSTS} == {"reddit", "bluesky"}
    # non-mentions that talk about another show's season
    seasons = [p for p in POSTS if not p["about"] and re.search(r"season \d", p["text"], re.I)]
    assert len(seasons) >= 20


def test_the_chart_facts_meet_the_names_only_targets() -> None:
    precision, recall = figures("chart")
    assert precision >= 0.90, f"precision {precision:.3f} with the chart's facts"
    assert recall >= 0.85, f"recall {recall:.3f} with the chart's facts"
    # and they are what makes the difference: the name alone counts the other kind's talk
    assert figures("name")[0] < precision


def test_tmdb_facts_meet_their_targets() -> None:
    precision, recall = figures("tmdb")
    assert precision >= 0.95, f"precision {precision:.3f} with TMDB's facts"
    assert recall >= 0.90, f"recall {recall:.3f} with TMDB's facts"


@pytest.mark.parametrize(
    ("text", "title", "about", "term"),
    [
        # the season charting, beside the name, is strong evidence
        ("just finished YOU s5, penn badgley was unhinged", YOU, True, "season:5"),
        ("the fifth season of you is so dumb and i love it", YOU, True, "season:5"),
        ("Wednesday S02E03 is the best episode", WEDNESDAY, True, "season:2"),
        ("wednesday season two drags in the middle", WEDNESDAY, True, "season:2"),
        # another show's season, beside a weekday, is not
        ("Season 2 of The Bear drops Wednesday, clearing my schedule", WEDNESDAY, False, "date"),
        # a film word does not make a show of a weekday, nor a series word a film of heat
        ("Wednesday movie night at the library", WEDNESDAY, False, "other-kind:movie"),
        ("Heat season is over, the Butler era is done", HEAT, False, "other-kind:season"),
        ("Trust season 1 on FX was great", Title("Trust", kind="film"), False, "other-kind:season"),
        # words of both kinds still count
        ("rewatched Heat last night, that diner scene", HEAT, True, "film-phrase"),
        ("Wednesday is one of the best shows on Netflix", WEDNESDAY, True, "is-a-film"),
    ],
)
def test_the_chart_facts_as_evidence(text: str, title: Title, about: bool, term: str) -> None:
    verdict = judge(text, title)
    assert verdict.about is about, verdict
    assert term in verdict.terms, verdict.terms


def test_without_the_facts_the_other_kind_still_reads_as_a_title() -> None:
    # what the facts change: a title of unknown kind takes every film and series word
    assert judge("Heat season is over, the Butler era is done", Title("Heat")).about
    assert not judge("just finished YOU s5, penn badgley was unhinged", Title("You")).about


def test_a_directors_possessive_reads_as_the_title() -> None:
    assert "cast-in" in judge("Jordan Peele's Us just landed on Netflix", Title("Us")).terms
    assert not judge("the Drake and Kendrick's beef was all over my feed", Title("Beef")).about


@pytest.mark.parametrize(
    ("season", "name", "expected"),
    [
        ("Wednesday: Season 2", "Wednesday", ("season", 2)),
        ("YOU: Season 5", "You", ("season", 5)),
        ("Lupin: Part 3", "Lupin", ("part", 3)),
        ("Money Heist: Part Five", "Money Heist", ("part", 5)),
        ("The Crown: Series 6", "The Crown", ("season", 6)),
        ("Stranger Things 4", "Stranger Things", ("season", 4)),
        ("Baby Reindeer: Limited Series", "Baby Reindeer", None),
        ("", "Heat", None),
    ],
)
def test_the_season_a_chart_names(season: str, name: str, expected: tuple[str, int] | None) -> None:
    assert season_of(season, name) == expected


def test_the_ways_a_season_is_written() -> None:
    pairs = season_words(("season", 2))
    assert {("season", "2"), ("season", "02"), ("season", "two"), ("second", "season")} <= pairs
    assert ("2nd", "series") in pairs and ("season", "3") not in pairs


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"titles": [{"name": "Heat", "kind": "movie"}]}, "titles[0].kind: must be film or tv"),
        ({"titles": [{"name": "Heat", "kind": 2}]}, "titles[0].kind"),
    ],
)
def test_a_bad_kind_names_the_key(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_config(data)


def test_a_config_title_may_say_its_kind_and_season() -> None:
    config = parse_config(
        {"titles": [{"name": "Wednesday", "kind": "tv", "season": "Wednesday: Season 2"}]}
    )
    title = config.title("Wednesday")
    assert (title.kind, title.season) == ("tv", "Wednesday: Season 2")

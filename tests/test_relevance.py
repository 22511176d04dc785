"""Relevance: the labelled fixture meets its targets, and each piece of evidence does its job."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from monitor.config import Title, parse_config
from monitor.relevance import distinctive, judge

FIXTURES = Path(__file__).parent / "fixtures"
CONFIG = parse_config(tomllib.loads((FIXTURES / "relevance.toml").read_text("utf-8")))
POSTS = [
    json.loads(line) for line in (FIXTURES / "relevance.jsonl").read_text("utf-8").splitlines()
]


def figures(posts: list[dict[str, object]], ambiguous: bool) -> tuple[float, float, int]:
    """Precision, recall and the number of posts, over the ambiguous or distinctive titles."""
    tp = fp = fn = n = 0
    for post in posts:
        title = CONFIG.title(str(post["title"]))
        if distinctive(title.name) == ambiguous:
            continue
        n += 1
        verdict = judge(
            str(post["text"]),
            title,
            community=post.get("community"),  # type: ignore[arg-type]
            thread_about=post.get("thread_about"),  # type: ignore[arg-type]
        )
        tp += verdict.about and bool(post["about"])
        fp += verdict.about and not post["about"]
        fn += not verdict.about and bool(post["about"])
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), n


def test_fixture_is_big_enough_and_labelled_both_ways() -> None:
    assert len(POSTS) >= 300
    titles = {p["title"] for p in POSTS}
    assert len([t for t in titles if not distinctive(str(t))]) >= 5
    assert {p["about"] for p in POSTS} == {True, False}


@pytest.mark.parametrize("split", ["tune", "holdout", None])
def test_fixture_meets_the_targets(split: str | None) -> None:
    posts = [p for p in POSTS if split is None or p["split"] == split]
    precision, recall, n = figures(posts, ambiguous=True)
    assert n > 0
    assert precision >= 0.95, f"precision {precision:.3f} on ambiguous titles ({split})"
    assert recall >= 0.90, f"recall {recall:.3f} on ambiguous titles ({split})"
    _, recall, n = figures(posts, ambiguous=False)
    assert n > 0
    assert recall >= 0.98, f"recall {recall:.3f} on The Man from Toronto ({split})"


BACKTRACE = Title(
    "Backtrace",
    context=("Stallone", "Netflix"),
    exclude=("gdb", "segfault"),
)


def test_terms_explain_the_verdict() -> None:
    verdict = judge("Watched #Backtrace on Netflix, Stallone barely shows up", BACKTRACE)
    assert verdict.about
    assert {"name:Backtrace", "#hashtag", "context:Stallone"} <= set(verdict.terms)
    assert verdict.score >= 1.5


@pytest.mark.parametrize(
    ("text", "community", "about"),
    [
        ("Backtrace is the weirdest Netflix hit this year", "movies", True),
        ("rewatched Backtrace's ending and it still makes no sense", None, True),
        ("https://letterboxd.com/film/backtrace/ three stars, generous", None, True),
        ("my backtrace from gdb is 400 frames deep", None, False),
        ("How do I print a backtrace on panic?", "rust", False),
        ("Backtrace", "programming", False),
        ("https://github.com/rust-lang/backtrace-rs/issues/1 is the bug", None, False),
    ],
)
def test_name_forms_communities_and_excludes(text: str, community: str | None, about: bool) -> None:
    assert judge(text, BACKTRACE, community=community).about is about


def test_ordinary_word_needs_evidence_that_it_is_the_title() -> None:
    you = Title("You", context=("Penn Badgley",))
    assert not judge("you should watch this movie", you, community="movies").about
    assert judge("binged You season 4 in a weekend", you).about
    assert judge("Penn Badgley is so creepy in this", you, thread_about=True).about


def test_comment_inherits_its_thread() -> None:
    nope = Title("Nope")
    assert judge("the chimp scene though", nope, thread_about=True).about
    assert not judge("the chimp scene though", nope, thread_about=False).about


def test_distinctive_name_alone_is_enough() -> None:
    toronto = Title("The Man from Toronto")
    verdict = judge("the man from toronto was fine i guess", toronto)
    assert verdict.about
    assert verdict.terms == ("name:The Man from Toronto",)
    assert not judge("a man from Toronto won the lottery", toronto).about


def test_a_sentence_opening_name_reads_as_title_only_where_a_pronoun_cannot() -> None:
    # A common word opening a sentence is not evidence on its own (issue 20): it needs a
    # film word near it; an object pronoun as a subject ("Us was") can only be the title.
    assert not judge("Smile gave me nightmares for a week", Title("Smile")).about
    assert judge("Smile gave me nightmares for a week, best horror movie", Title("Smile")).about
    assert judge("Us was so much creepier on a rewatch", Title("Us")).about
    assert not judge("You made me cry, what a movie", Title("You")).about
    assert not judge("It was a great movie", Title("It")).about


def test_two_word_name_needs_a_little_support() -> None:
    red_notice = Title("Red Notice")
    assert not judge("Interpol issued a red notice for him", red_notice).about
    assert judge("red notice was fun on netflix", red_notice).about


def test_code_identifiers_are_not_the_title() -> None:
    backtrace = Title("Backtrace")
    assert not judge("Rust's std::backtrace::Backtrace is stable now", backtrace).about
    assert not judge("call Backtrace::capture() in the panic hook", backtrace).about
    assert judge("Backtrace(2018) is weirdly good", backtrace).about


def test_lower_case_opening_needs_a_film_word_too() -> None:
    smile = Title("Smile")
    assert judge("smile is the scariest movie of the year", smile).about
    assert not judge("smile is contagious", smile).about

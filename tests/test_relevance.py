"""Relevance: the labelled fixture meets its targets, and each piece of evidence does its job."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.config import Title, parse_config
from monitor.relevance import Matcher, distinctive, judge

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


# --- Chart titles by their name alone (issue 20) -------------------------------------------

CHART = parse_config(tomllib.loads((FIXTURES / "relevance_chart.toml").read_text("utf-8")))
#: Real texts from non-film sources that hold a chart-title word (mined with their source
#: and id by tools/mine_relevance_negatives.py), and film/TV posts about those titles.
CHART_POSTS = [
    json.loads(line)
    for name in ("relevance_negatives.jsonl", "relevance_positives.jsonl")
    for line in (FIXTURES / name).read_text("utf-8").splitlines()
]


def chart_figures(posts: list[dict[str, Any]], configured: bool) -> tuple[float, float, float]:
    """Share of ordinary-word texts counted, precision and recall over the chart posts."""
    matchers = {t.name: Matcher([t]) for t in CHART.titles}
    tp = fp = fn = negatives = 0
    for post in posts:
        title = CHART.title(post["title"]) if configured else Title(post["title"])
        if configured:
            verdicts = matchers[title.name].judge(post["text"], community=post["community"])
            about = any(v.about for _, v in verdicts)
        else:
            about = judge(post["text"], title, community=post["community"]).about
        negatives += not post["about"]
        tp += about and post["about"]
        fp += about and not post["about"]
        fn += not about and post["about"]
    return fp / max(negatives, 1), tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def test_chart_fixture_holds_real_negatives_with_their_source() -> None:
    negatives = [p for p in CHART_POSTS if not p["about"]]
    assert len(negatives) >= 500
    assert len({p["title"] for p in negatives}) >= 10
    assert all(":" in p["source"] and p["source"].split(":")[0].endswith(".tsv") for p in negatives)
    assert {p["split"] for p in CHART_POSTS} == {"tune", "holdout"}


@pytest.mark.parametrize("split", ["tune", "holdout", None])
def test_names_alone_meet_the_targets(split: str | None) -> None:
    posts = [p for p in CHART_POSTS if split is None or p["split"] == split]
    counted, precision, recall = chart_figures(posts, configured=False)
    assert counted <= 0.05, f"{counted:.3f} of ordinary-word texts counted ({split})"
    assert precision >= 0.90, f"precision {precision:.3f} by names alone ({split})"
    assert recall >= 0.85, f"recall {recall:.3f} by names alone ({split})"


@pytest.mark.parametrize("split", ["tune", "holdout", None])
def test_configured_facts_meet_the_targets(split: str | None) -> None:
    posts = [p for p in CHART_POSTS if split is None or p["split"] == split]
    counted, precision, recall = chart_figures(posts, configured=True)
    assert counted <= 0.05
    assert precision >= 0.95, f"precision {precision:.3f} with cast and year ({split})"
    assert recall >= 0.90, f"recall {recall:.3f} with cast and year ({split})"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Wichita Wild vs. Omaha Beef tonight, doors at 6", "Beef"),
        ("Tuesday night like always Beef Kabob special", "Beef"),
        ("Watching the Miami Heat game tonight on TV", "Heat"),
        ("they played the clip from Home Alone again", "Home"),
        ("they played the clip from Home Alone again", "Alone"),
        ("See you Wednesday, we are watching a movie on Netflix after work", "Wednesday"),
        ("THE HEAT IS UNBEARABLE AND I CAN'T EVEN WATCH TV", "Heat"),
        ("Hospital Treats 6 For Heat Problems In Des Moines Area", "Heat"),
        ("#Wednesday", "Wednesday"),
        ("What movie made you smile the most this year?", "Smile"),
    ],
)
def test_ordinary_words_are_not_titles(text: str, name: str) -> None:
    assert not judge(text, Title(name)).about


def test_a_name_inside_a_longer_proper_noun_counts_against() -> None:
    verdict = judge("the Miami Heat season is over, what a run", Title("Heat"))
    assert not verdict.about
    assert dict(verdict.evidence)["proper-noun:Miami Heat"] < 0


def test_a_known_character_beside_the_name_counts_for_it() -> None:
    text = "Jenna Ortega as Wednesday Addams is perfect casting"
    assert not judge(text, Title("Wednesday")).about
    verdict = judge(text, CHART.title("Wednesday"))
    assert verdict.about
    assert "context:Jenna Ortega" in verdict.terms
    assert not any(t.startswith("proper-noun") for t in verdict.terms)


def test_how_common_the_name_is_sets_the_evidence_it_needs() -> None:
    text = "finally got around to {} and the ending is wild"
    assert judge(text.format("Backtrace"), Title("Backtrace")).about
    assert not judge(text.format("Trust"), Title("Trust")).about
    common = dict(judge(text.format("Trust"), Title("Trust")).evidence)
    assert common["common:5.1"] < 0


def test_configured_backtrace_is_not_a_symbolicated_stack() -> None:
    text = (
        "our crash reporter finally symbolicates the Backtrace so I can stop reading hex addresses"
    )
    verdict = judge(text, CONFIG.title("Backtrace"))
    assert not verdict.about


def test_film_evidence_counts_for_a_common_word_title() -> None:
    heat = Title("Heat")
    assert judge("rewatched Heat last night, the diner scene still rules", heat).about
    assert judge("Heat (1995) is still the best heist movie", heat).about
    assert judge('nothing beats "Heat" on a Sunday', heat).about
    assert judge("Heat is on Netflix now, clear three hours tonight", heat).about


def test_the_command_prints_verdict_score_and_each_piece_of_evidence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no config: the title is judged by its name alone
    runner = CliRunner()
    args = ["relevance"]
    result = runner.invoke(cli, [*args, "Watching the Miami Heat game tonight", "--title", "Heat"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Heat: not about (score ")
    assert "-1.50  proper-noun:Miami Heat" in result.output
    assert "+0.50  name:Heat" in result.output
    result = runner.invoke(cli, [*args, "rewatched Heat, the diner scene!", "--title", "Heat"])
    assert result.output.startswith("Heat: about (score ")
    assert "+1.50  film-phrase" in result.output


def test_the_command_uses_a_configured_title() -> None:
    config = str(FIXTURES / "relevance_chart.toml")
    text = "Jenna Ortega as Wednesday Addams is perfect casting"
    result = CliRunner().invoke(
        cli, ["--config", config, "relevance", text, "--title", "wednesday"]
    )
    assert result.exit_code == 0, result.output
    assert "Wednesday: about" in result.output
    assert "context:Jenna Ortega" in result.output


# --- One matcher for a title set (issues 17 and 13) ----------------------------------------


def test_a_matcher_gives_the_same_verdicts_as_judging_each_title() -> None:
    matcher = Matcher(CHART.titles)
    for post in CHART_POSTS[::3]:
        expected = {t.name: judge(post["text"], t) for t in CHART.titles}
        got = dict((t.name, v) for t, v in matcher.judge(post["text"]))
        assert {n for n, v in got.items() if v.about} == {
            n for n, v in expected.items() if v.about
        }, post["text"]


def test_two_thousand_titles_give_the_right_verdicts() -> None:
    titles = [Title(f"Harbor Lights Chapter {i}") for i in range(1998)]
    titles += [Title("Heat"), Title("Wednesday")]
    matcher = Matcher(titles)
    about = {
        t.name for t, v in matcher.judge("rewatched Heat on Netflix, still perfect") if v.about
    }
    assert about == {"Heat"}
    text = "harbor lights chapter 1500 was the best one, chapter 15 dragged"
    assert {t.name for t, v in matcher.judge(text) if v.about} == {"Harbor Lights Chapter 1500"}
    assert matcher.judge("nothing to see here, just a walk on Wednesday morning") == [
        (titles[-1], judge("nothing to see here, just a walk on Wednesday morning", titles[-1]))
    ]


def test_an_unbroken_forty_thousand_character_word_is_judged() -> None:
    word = "x" * 40_000
    assert not judge(word, Title("Backtrace")).about
    assert not judge(f"https://{word}.com/ {word}", Title("Backtrace")).about
    assert judge(f"{word} watched Heat on Netflix last night", Title("Heat")).about


def test_a_one_megabyte_post_is_judged() -> None:
    filler = "the weather was nice and we went for a long walk by the river. "
    text = filler * (1_000_000 // len(filler))
    assert len(text) > 990_000
    assert not judge(text, Title("Heat")).about
    assert judge(text + "Then we watched Heat on Netflix.", Title("Heat")).about
    assert judge("We watched Heat on Netflix. " + text, Title("Heat")).about
    assert not judge(text.replace("nice", "Miami Heat"), Title("Heat")).about


@pytest.mark.parametrize(
    ("text", "name", "about"),
    [
        # a singular verb cannot agree with a plural or a number: only a title is its subject
        ("Players is a fun netflix romcom", "Players", True),
        ("Two is 70 minutes of pure discomfort, netflix really said body horror", "Two", True),
        ("Two is better than one, said my math teacher", "Two", False),
        # an apposition names what the title is
        ("Home the DreamWorks movie is my comfort watch", "Home", True),
        ("Alone (the History Channel show) is my comfort watch", "Alone", True),
        ("I feel at home watching a movie on Netflix", "Home", False),
        # a channel is a platform
        ("Trust on FX is so underrated", "Trust", True),
    ],
)
def test_readings_that_only_a_title_can_have(text: str, name: str, about: bool) -> None:
    assert judge(text, Title(name)).about is about


def test_a_name_is_found_past_words_that_contain_it() -> None:
    # "us" inside "just", "because", "thus" must not hide the title Us later in the post
    text = (
        "I just thought, because everyone talks about it, thus it must be good. Anyway I "
        "rewatched Us on Netflix and the tethered scenes still got me"
    )
    assert judge(text, Title("Us")).about
    game = "Miami Heat won, the Heat bench was loud and it was a fine game for all of the fans. "
    assert not judge(game * 5, Title("Heat")).about
    assert judge(game * 5 + "Then I rewatched Heat on Netflix.", Title("Heat")).about


def _load(name: str) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (FIXTURES / name).read_text("utf-8").splitlines()]


def test_posts_written_after_the_rules_by_name_alone() -> None:
    # relevance_fresh2.jsonl was written before this rule was tuned and never tuned on:
    # 22 chart titles, 8 new to the fixtures, with non-mentions using the same words.
    posts = _load("relevance_fresh2.jsonl")
    assert len(posts) >= 150 and {p["about"] for p in posts} == {True, False}
    tp = fp = fn = 0
    for post in posts:
        got = judge(
            post["text"],
            Title(post["title"]),
            community=post["community"],
            thread_about=post.get("thread_about"),
        ).about
        tp, fp, fn = (
            tp + (got and post["about"]),
            fp + (got and not post["about"]),
            fn + (not got and post["about"]),
        )
    assert tp / (tp + fp) >= 0.90 and tp / (tp + fn) >= 0.85, (tp, fp, fn)
    fresh = _load("relevance_fresh.jsonl")
    found = sum(judge(p["text"], Title(p["title"]), community=p["community"]).about for p in fresh)
    assert found / len(fresh) >= 0.85


@pytest.mark.parametrize(
    ("text", "name", "community", "about"),
    [
        # what the name is: a film noun it is the subject of
        ("Home is an underrated animated movie, the Boov are great", "Home", None, True),
        ("Wednesday is one of the best shows this year", "Wednesday", None, True),
        ("Wednesday is the day the new show drops", "Wednesday", None, False),
        # what it owns or modifies, or what owns it
        ("the Alone contestant who built a whole cabin is a legend", "Alone", None, True),
        ("Wednesday's dance scene lives in my head", "Wednesday", None, True),
        ("me at 2am: one more episode of wednesday", "Wednesday", None, True),
        ("the heat this season has been brutal on the crops", "Heat", None, False),
        ("Baseball scouts check the logs each season for signs of trouble", "Signs", None, False),
        # a person in it: a name that is no ordinary word, then "in"
        ("steven yeun in beef is unreal", "Beef", None, True),
        ("there is more protein in beef than in chicken", "Beef", None, False),
        # written as a title in a post about film or TV
        ("Gwendoline Christie leaving Wednesday hurts", "Wednesday", "r/netflix", True),
        ("Gwendoline Christie leaving Wednesday hurts", "Wednesday", None, False),
        ("Leo is genuinely charming, my kids loved it", "Leo", "r/netflix", True),
        ("he tapped out on day 68 and I cried", "Alone", "r/AloneTV", False),
        ("Alone has the best contestants", "Alone", "r/AloneTV", True),
        # … but not where the word reads as a date or a plain word
        ("The trailer comes out Wednesday, can't wait", "Wednesday", "r/movies", False),
        ("Watching a movie with no AC in this heat is torture", "Heat", "r/movies", False),
    ],
)
def test_sentence_shapes_and_film_talk(
    text: str, name: str, community: str | None, about: bool
) -> None:
    assert judge(text, Title(name), community=community).about is about


def test_each_new_piece_of_evidence_is_named() -> None:
    assert "is-a-film" in judge("Home is an underrated movie", Title("Home")).terms
    assert "film-noun" in judge("the Nope alien reveal was great", Title("Nope")).terms
    assert "cast-in" in judge("sosie bacon in smile is so good", Title("Smile")).terms
    verdict = judge("Leo is genuinely charming", Title("Leo"), community="r/netflix")
    assert {"title-verb", "community:netflix"} <= set(verdict.terms)


def test_a_title_late_in_a_long_post_is_still_read() -> None:
    # later lower-case places with nothing around them are passed over, never the title:
    # 33 plain "you"s do not use up the 12 places of the name that are read
    chatter = "Thank you so much, you know how it is and you are great. " * 11
    assert judge(chatter + "Anyway I binged You season 4", Title("You")).about
    assert not judge(chatter, Title("You")).about


@pytest.mark.parametrize(
    "text",
    [
        "finished wednesday s2 last night!! 10/10, can't wait for part_2 (2026)",
        "Jenna Ortega’s “Wednesday” is #1 🖤 on Netflix — rewatching it… naïve café",
        "",
        "   ",
    ],
)
def test_fast_tokens_are_the_regex_tokens(text: str) -> None:
    from monitor.relevance_words import TOKEN, token_list, token_spans

    folded = text.casefold()
    assert token_list(folded) == TOKEN.findall(folded)
    for start, end in ((0, len(folded)), (3, 30)):
        expected = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(folded, start, end)]
        assert token_spans(folded, start, end) == expected

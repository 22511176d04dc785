"""Copies counted once in the report and the exports; unique authors per day."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from report_data import START, add_post

from monitor import copies
from monitor.config import Title
from monitor.report import build_report
from monitor.store import Store

TITLE = Title("Backtrace")
SPAM = "Backtrace is the best heist movie ever made, watch it tonight on Netflix now"


def scenario(store: Store) -> None:
    """One day: six different posts by four people, and five copies of one text (the most
    positive) by a fifth; the copies and the first of them are grouped."""
    store.sync_titles([TITLE])
    texts = [
        "Backtrace was dreary and slow, a total waste of a Saturday evening at home",
        "I laughed all the way through Backtrace, so bad it is good honestly",
        "Backtrace has a car chase that goes on forever and the lighting is grey",
        "Not sure what I just watched, the amnesia plot in Backtrace makes no sense",
        "My sister picked Backtrace and now she will not stop quoting the diner scene",
        "The Backtrace soundtrack is doing a lot of heavy lifting in every single scene",
    ]
    for n, text in enumerate(texts, 1):
        add_post(store, n, START, -0.2 + n / 10, text=text, author=f"fan{n % 4}", hour=n)
    for n in range(10, 15):
        add_post(store, n, START, 0.95, text=SPAM + " 🔥" * (n % 2), author="bot", hour=n)
    copies.group_stored(store.db)


def test_a_group_of_copies_counts_once_in_texts_sentiment_and_quotes(tmp_path: Path) -> None:
    with Store(tmp_path / "m.db") as store:
        scenario(store)
        report = build_report(store, TITLE)
    [day] = report.rows
    assert (day.posts, day.texts, day.authors) == (11, 7, 5)
    # the mean takes the five copies once: (sum of the six) + 0.95, over seven
    six = sum(-0.2 + n / 10 for n in range(1, 7))
    assert day.mean_sentiment is not None
    assert abs(day.mean_sentiment - (six + 0.95) / 7) < 1e-9
    [phase] = report.phases
    assert phase.texts == 7 and phase.posts == 11
    quoted = [p.text for p in phase.most_positive]
    assert len(quoted) == 3 and sum(t.startswith(SPAM) for t in quoted) == 1
    assert quoted[0].startswith(SPAM)  # the most positive, once


def test_exports_carry_the_group_the_languages_the_texts_and_the_authors(
    run_cli, config_file: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with Store(tmp_path / "monitor.db") as store:
        scenario(store)
        with store.transaction():
            store.db.execute("update posts set langs = ? where id = 'reddit:1'", ['["en"]'])
        group = store.db.execute("select copy_group from posts where id = 'reddit:10'").fetchone()
    posts = run_cli("export", "posts", "--format", "jsonl")
    assert posts.exit_code == 0, posts.output
    rows = {r["id"]: r for r in map(json.loads, posts.stdout.splitlines())}
    assert {rows[f"reddit:{n}"]["copy_group"] for n in range(10, 15)} == {group[0]}
    assert rows["reddit:2"]["copy_group"] == "reddit:2"  # a copy of nothing: its own
    assert rows["reddit:1"]["langs"] == '["en"]' and rows["reddit:2"]["langs"] is None
    daily = run_cli("export", "daily", "--title", "Backtrace")
    [row] = list(csv.DictReader(io.StringIO(daily.stdout_bytes.decode(), newline="")))
    assert (row["posts"], row["texts"], row["authors"]) == ("11", "7", "5")


def test_an_author_is_flagged_for_copies_within_a_day_about_the_title(tmp_path: Path) -> None:
    """Five copies in 24 hours flag their author; five spread over five days, or five of
    which some are about another title, do not (for that title)."""
    from datetime import timedelta

    from monitor.voices import floods

    with Store(tmp_path / "m.db") as store:
        store.sync_titles([TITLE, Title("Other")])
        for k in range(5):  # within a day
            add_post(store, 100 + k, START, 0.5, text=SPAM, author="fast", hour=2 + k)
        for k in range(5):  # one a day
            add_post(
                store, 200 + k, START + timedelta(days=k), 0.5, text=SPAM + " again", author="slow"
            )
        for k in range(5):  # within a day, two of them about another title
            title = "Other" if k < 2 else "Backtrace"
            add_post(
                store,
                300 + k,
                START,
                0.5,
                text=SPAM + " elsewhere",
                title=title,
                author="mixed",
                hour=2 + k,
            )
        copies.group_stored(store.db)
        everywhere = floods(store)
        about = floods(store, TITLE.name)
        other_day = floods(store, TITLE.name, since=(START + timedelta(days=1)).isoformat())
    assert [(f.author, f.posts) for f in everywhere] == [("fast", 5), ("mixed", 5)]
    assert [f.author for f in about] == ["fast"]
    assert about[0].first.startswith(START.isoformat()) and about[0].text == SPAM
    assert other_day == []

"""Themes: what sets each phase apart, on a fixture with a planted theme per phase."""

from __future__ import annotations

import csv
import io
import json
import random
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from report_data import START, add_chart, add_post

from monitor import copies, html, voices
from monitor.config import Title
from monitor.report import build_report
from monitor.store import Store
from monitor.theme_terms import Names, terms, tokens
from monitor.themes import Doc, distinctive

TITLE = Title("Backtrace", aliases=("Backtrace 2018",))

# Ordinary talk, in every phase alike: openers, middles and closers make distinct posts.
OPENERS = [
    "Just watched Backtrace",
    "Finally saw Backtrace 2018",
    "Put Backtrace on last night",
    "Backtrace on Netflix",
    "My sister made me watch Backtrace",
    "Started Backtrace after dinner",
    "Gave Backtrace a go",
    "Watched Backtrace with the kids asleep",
    "Backtrace tonight",
    "Caught Backtrace on a whim",
]
MIDDLES = [
    "and the heist scenes drag",
    "and the flashbacks are confusing",
    "and the lighting is grey",
    "and the car chase is loud",
    "and the detective plot wanders",
    "and the soundtrack hums",
    "and the ending is abrupt",
    "and the hospital scene is wild",
    "and the dialogue is clunky",
    "and the pacing is slow",
    "and the cast looks tired",
    "and the twist lands oddly",
]
CLOSERS = [
    "",
    "not sure how I feel.",
    "would not rewatch.",
    "the popcorn was good though.",
    "my dog slept through it.",
    "rain outside, perfect timing.",
    "anyway, bedtime.",
    "ask me tomorrow.",
    "weird little film.",
    "glad I saw it once.",
]
#: the planted themes: how people talk as it climbs and while it holds its best rank
CLIMB = [
    "honestly it's so bad it's good",
    "so bad it's good, no notes",
    "peak so bad it's good",
    "it is so bad it's good and I am here for it",
    "so bad it's good energy",
]
PEAK = [
    "Stallone steals it",
    "Stallone is the best part",
    "everyone is here for Stallone",
    "the Stallone cameo carries it",
    "give Stallone a sequel",
]
FLOOD = "Stream Backtrace free here, link in bio, best quality, no ads, join now"


def planted(store: Store, seed: int = 11) -> None:
    """Eight weeks (quiet, climbing #9 -> #6, two weeks at #4, falling, gone); in the
    climb half the posts say "so bad it's good", at the peak half mention Stallone, and
    one account posts the same spam 30 times while it falls."""
    rng = random.Random(seed)
    weeks = [START + timedelta(weeks=w) for w in range(8)]
    add_chart(store, {weeks[2]: 9, weeks[3]: 6, weeks[4]: 4, weeks[5]: 4, weeks[6]: 8})
    per_day = [3, 3, 8, 8, 12, 12, 5, 2]
    n = 0
    for w, count in enumerate(per_day):
        for d in range(7):
            day = weeks[w] + timedelta(days=d)
            for _ in range(count):
                n += 1
                text = f"{rng.choice(OPENERS)} {rng.choice(MIDDLES)}, {rng.choice(CLOSERS)}"
                if w in (2, 3) and rng.random() < 0.5:
                    text += f" {rng.choice(CLIMB)}"
                elif w in (4, 5) and rng.random() < 0.5:
                    text += f" {rng.choice(PEAK)}"
                platform = ("reddit", "bluesky")[n % 2]
                add_post(store, n, day, rng.uniform(-1, 1), platform=platform, text=text)
    for k in range(30):
        n += 1
        add_post(
            store,
            n,
            weeks[6] + timedelta(days=k % 3),
            0.9,
            text=FLOOD + " 🔥" * (k % 2),
            hour=k % 20,
            author="streams4u",
        )
    copies.group_stored(store.db)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "m.db")
    store.sync_titles([TITLE])
    planted(store)
    return store


def test_the_planted_theme_ranks_in_its_phase_top_three_and_not_elsewhere(store: Store) -> None:
    report = build_report(store, TITLE)
    top = {p.name: [t.term for t in p.themes[:3]] for p in report.phases}
    assert "bad it's good" in top["climbing"], top
    assert "stallone" in top["at best"], top
    for name, found in top.items():
        assert name == "climbing" or "bad it's good" not in found, top
        assert name == "at best" or "stallone" not in found, top
    best = next(p for p in report.phases if p.name == "at best")
    stallone = next(t for t in best.themes if t.term == "stallone")
    assert stallone.z > 1.96 and 0 < stallone.share < 1
    # counted once per post, and once per group of copies (through its first post)
    firsts = store.db.execute(
        "select count(*) from (select text, row_number() over (partition by "
        "coalesce(copy_group, id) order by created_at, id) as n from posts "
        "where created_at >= ? and created_at < ?) where n = 1 and text like '%stallone%'",
        [best.start.isoformat(), best.end.isoformat() + "T99"],
    ).fetchone()[0]
    assert stallone.count == firsts
    assert firsts < sum("stallone" in text.lower() for _, text in _texts(store, best))
    assert "stallone" in stallone.example.text.lower()


def _texts(store: Store, phase: object) -> list[tuple[str, str]]:
    start, end = phase.start.isoformat(), phase.end.isoformat() + "T99"  # type: ignore[attr-defined]
    return [
        (r["g"], r["text"])
        for r in store.query(
            "select coalesce(copy_group, id) as g, text from posts "
            "where created_at >= ? and created_at < ?",
            [start, end],
        )
    ]


def test_thirty_copies_of_spam_are_one_text_not_a_theme_and_their_author_is_flagged(
    store: Store,
) -> None:
    report = build_report(store, TITLE)
    falling = next(p for p in report.phases if p.name == "falling")
    assert not any("stream" in t.term or "bio" in t.term for t in falling.themes)
    assert falling.texts <= falling.posts - 27  # 30 copies over 3 days: once a day
    assert [f.author for f in report.floods] == ["streams4u"]
    assert report.floods[0].posts >= 10
    # the spam was "positive": each day it counts once, through its first copy
    low, high = falling.start.isoformat(), falling.end.isoformat() + "T99"
    scored, positive = store.db.execute(
        "select count(*), sum(label = 'positive') from (select s.label, row_number() over ("
        "partition by substr(p.created_at, 1, 10), p.platform, coalesce(p.copy_group, p.id) "
        "order by p.created_at, p.id) as n from posts p join sentiments s on s.post_id = p.id "
        "where p.created_at >= ? and p.created_at < ?) where n = 1",
        [low, high],
    ).fetchone()
    assert scored < falling.posts
    assert falling.share_positive == pytest.approx(positive / scored)


def test_a_window_has_its_themes_against_the_other_days(store: Store) -> None:
    climb = START + timedelta(weeks=2)
    report = build_report(store, TITLE, since=climb, until=climb + timedelta(days=13))
    assert "bad it's good" in [t.term for t in report.window_themes[:3]]


def test_terms_keep_word_order_and_leave_out_names_links_handles_and_numbers() -> None:
    names = Names.of(TITLE.names)
    words = tokens(
        "Backtrace 2018 is so bad it's good!! @critic.bsky.social https://x.invalid/a 10/10 "
        "#Stallone Backtrace's twist",
        names,
    )
    found = terms(words)
    assert "bad it's good" in found and "good bad" not in found
    assert "stallone" in found and "twist" in found
    assert not {t for t in found if re.search(r"backtrace|critic|https|\d", t)}
    assert "so bad" not in found and "it's" not in found  # a stop word never ends a term


def test_a_term_nearly_always_inside_a_longer_one_gives_way_to_it() -> None:
    doc = Doc("1", "reddit", None, None, "2024-01-01T00:00:00Z", "")
    planted_docs = [
        Doc(str(i), "reddit", None, None, "", f"so bad it's good. tea {i}") for i in range(20)
    ]
    other = [Doc(str(i), "reddit", None, None, "", f"dull film with coffee {i}") for i in range(20)]
    found = distinctive([planted_docs, other, [doc]])
    assert [t.term for t in found[0]][:2] == ["bad it's good", "tea"]


def test_export_themes_as_csv_and_jsonl(run_cli, tmp_path: Path, config_file: Path) -> None:  # type: ignore[no-untyped-def]
    with Store(tmp_path / "monitor.db") as store:
        store.sync_titles([TITLE])
        planted(store)
    result = run_cli("export", "themes", "--title", "Backtrace")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8"), newline="")))
    climbing = [r for r in rows if r["phase"] == "climbing"]
    assert climbing[0]["rank"] == "1" and float(climbing[0]["z"]) >= 1.96
    assert any(r["term"] == "bad it's good" and int(r["rank"]) <= 3 for r in climbing)
    assert all(r["example_text"] and r["example_id"] for r in rows)
    lines = run_cli("export", "themes", "--title", "Backtrace", "--format", "jsonl").stdout
    assert [json.loads(line)["term"] for line in lines.splitlines()] == [r["term"] for r in rows]
    missing = run_cli("export", "themes")
    assert missing.exit_code == 2 and "--title" in missing.output


def test_status_flags_the_author_who_floods(run_cli, tmp_path: Path, config_file: Path) -> None:  # type: ignore[no-untyped-def]
    with Store(tmp_path / "monitor.db") as store:
        store.sync_titles([TITLE])
        planted(store)
        store.finish_poll_run(store.start_poll_run("reddit", "Backtrace"), status="ok")
    result = run_cli("status")
    assert result.exit_code == 0, result.output
    assert "Flagged authors (1)" in result.output and "streams4u" in result.output


def test_the_page_shows_each_phase_themes_escaped_and_linked(store: Store, tmp_path: Path) -> None:
    add_post(
        store,
        99_999,
        START + timedelta(weeks=4, days=2),
        0.1,
        text="<script>alert(1)</script> Stallone Stallone",
    )
    report = build_report(store, TITLE)
    page = html.render([report], b"\x89PNG")
    assert "<script>alert" not in page
    assert '<span class="term">bad it&#x27;s good</span>' in page
    assert re.search(r'<li><span class="term">stallone</span>.*?<a href="https://', page)
    assert "Flagged: streams4u posted" in page


def test_the_days_outside_a_window_are_sampled_across_their_whole_span(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(voices, "THEME_POSTS", 40)
    monkeypatch.setattr(voices, "THEME_SLICES", 4)
    store = Store(tmp_path / "m.db")
    store.sync_titles([TITLE])
    for n in range(200):  # ten posts a day for twenty days, years after the epoch
        add_post(store, n, START + timedelta(days=n // 10), 0.1, text=f"post {n} on Backtrace")
    docs = voices.theme_docs(store, "Backtrace", date(1970, 1, 1), START + timedelta(days=30))
    days = sorted({d.created_at[:10] for d in docs})
    assert len(docs) <= 40 and len(days) >= 4
    assert days[-1] >= (START + timedelta(days=15)).isoformat()  # not only the oldest posts

"""Languages: each post is stored with its language; the model scores only those it reads."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from monitor import export, labels, language
from monitor.config import load_config
from monitor.ingest import store_page
from monitor.report import build_report, describe
from monitor.schema import POSTS, SENTIMENTS
from monitor.sentiment import DEFAULT_MODEL
from monitor.store import Store

ENGLISH = [
    "Backtrace is so bad it's good, Stallone in a wig #Backtrace",
    "Watched Backtrace on Netflix last night and I loved every minute of it",
    "Backtrace on Netflix: a tedious, forgettable mess of a film",
]
SPANISH = [
    "Acabo de ver Backtrace en Netflix y me encantó, qué película tan buena",
    "Backtrace en Netflix es una película aburrida, no la recomiendo para nada",
    "Anoche vimos Backtrace en Netflix con mi novia, la película es malísima",
]
PORTUGUESE = "Acabei de assistir Backtrace na Netflix, que filme chato, não aguentei"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("just watched it and the ending made no sense lol", "en"),
        ("la vi anoche con mi novia, la película es muy buena", "es"),
        ("acabei de assistir e o filme é muito chato", "pt"),
        ("je viens de le regarder, franchement quel navet", "fr"),
        ("lol", None),  # too few letters to tell
        ("10/10 😍😍", None),
        ("", None),
    ],
)
def test_detect_names_the_language_of_short_posts(text: str, lang: str | None) -> None:
    assert language.detect(text) == lang


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # English titles and quotes inside another language keep that language
        ("Vi The Man and the Boy anoche y es la peor película que he visto en mi vida", "es"),
        ("Assisti This Is Us e What We Do in the Shadows, as duas são ótimas demais", "pt"),
        # a long post is told by its start, whatever follows
        ("la película es aburrida y larga, no la recomiendo. " * 3 + "the end " * 200, "es"),
        ("I don’t think they understood what this film was about. " + "ok " * 500, "en"),
    ],
)
def test_mixed_and_long_posts_get_the_language_of_their_start(text: str, lang: str) -> None:
    assert language.detect(text) == lang


def test_text_that_is_not_valid_unicode_is_still_read() -> None:
    """A platform can send a lone surrogate; the identifier reads the rest of the text."""
    assert language.detect("Watched it last night \ud800 and the ending broke me") == "en"


def test_the_model_reads_english_and_undetermined_text_only() -> None:
    assert language.reads("en") and language.reads(None)
    assert not language.reads("es") and not language.reads("pt")


def _post(n: int, text: str, day: str) -> dict[str, object]:
    return {
        "id": f"bluesky:{n}",
        "platform": "bluesky",
        "native_id": str(n),
        "text": text,
        "created_at": f"{day}T12:00:00Z",
    }


def _stored(store: Store) -> dict[str, tuple[str | None, bool]]:
    """post id -> (stored language, has a sentiment row)"""
    scored = {r["post_id"] for r in store.query(f"select post_id from {SENTIMENTS}")}
    return {r["id"]: (r["lang"], r["id"] in scored) for r in store.query(f"select * from {POSTS}")}


def test_a_spanish_post_is_stored_with_its_language_and_left_unscored(config_file: Path) -> None:
    titles = load_config(config_file).titles
    with Store("monitor.db") as store:
        store.sync_titles(titles)
        store_page(
            store, [_post(1, ENGLISH[1], "2024-01-01"), _post(2, SPANISH[0], "2024-01-01")], titles
        )
        assert _stored(store) == {"bluesky:1": ("en", True), "bluesky:2": ("es", False)}


def test_a_day_of_other_languages_does_not_move_the_daily_mean(config_file: Path) -> None:
    titles = load_config(config_file).titles
    title = next(t for t in titles if t.name == "Backtrace")
    english = [_post(n, t, "2024-01-01") for n, t in enumerate(ENGLISH)]
    other = [_post(10 + n, t, "2024-01-02") for n, t in enumerate([*SPANISH, PORTUGUESE])]
    with Store("only-english.db") as store:
        store.sync_titles(titles)
        store_page(store, english, titles)
        alone = build_report(store, title, quotes=False)
    with Store("monitor.db") as store:
        store.sync_titles(titles)
        store_page(store, english + other, titles)
        both = build_report(store, title, quotes=False)
        out = io.StringIO(newline="")
        columns, rows = export.stream(
            store, "daily", titles, title="Backtrace", model=DEFAULT_MODEL
        )
        export.write(columns, rows, out, "csv")
    first, second = both.days
    assert first.mean_sentiment == alone.days[0].mean_sentiment
    assert (first.posts, first.scored, first.unscored) == (3, 3, 0)
    # the second day's posts are counted, and shown as unscored; they carry no mean
    assert (second.posts, second.scored, second.unscored, second.mean_sentiment) == (4, 0, 4, None)
    assert [p.mean_sentiment for p in both.phases] == [p.mean_sentiment for p in alone.phases]
    assert both.unscored == 4
    assert "7 posts (bluesky), 4 of them (57%) unscored: in a language" in describe(both)
    table = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["date"], r["posts"], r["unscored"]) for r in table] == [
        ("2024-01-01", "3", "0"),
        ("2024-01-02", "4", "4"),
    ]


def test_labelling_detects_the_language_of_posts_stored_before_languages_were(
    config_file: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    titles = load_config(config_file).titles
    with Store("monitor.db") as store:
        store.sync_titles(titles)
        store_page(
            store, [_post(1, ENGLISH[0], "2024-01-01"), _post(2, SPANISH[1], "2024-01-01")], titles
        )
        # as an older monitor stored them: no language, no labels
        store.db.execute(f"update {POSTS} set lang = null")
        store.db.execute(f"delete from {SENTIMENTS}")
        store.db.conn.commit()
        assert labels.pending(store) == 2
        assert labels.label_posts(store) == 1
        assert _stored(store) == {"bluesky:1": ("en", True), "bluesky:2": ("es", False)}
        assert labels.pending(store) == 0  # the Spanish post is not taken up again
    status = run_cli("status")
    assert "Posts: 2; 1 (50.0%) in a language the sentiment model does not read" in status.output


def test_text_with_lone_surrogates_is_read_not_a_crash() -> None:
    """Platforms send unpaired surrogate escapes; the identifier must not fail the page."""
    text = "I watched Backtrace on Netflix last night \ud800 and honestly it was so bad \udfff"
    assert language.reads(language.detect(text))  # read (English or undetermined), no crash
    assert language.detect("Ayer vi la película en Netflix \ud800 y me encantó") == "es"

"""Theme counting in bulk gives the counts of reading each post's terms one at a time."""

from __future__ import annotations

import random

import pytest

from monitor import theme_counts
from monitor.theme_terms import Names, terms, tokens

NAMES = ("Backtrace", "Backtrace 2018", "The Last of Us")
WORDS = str.split(
    "so bad it's good stallone amnesia plot the a of I it is was not dreary grey heist "
    "actors' rock'n'roll 'tis don't x y q café naïve ΣΟΦΟΣ οδός müller straße 東京 fun"
)
ODD = [
    "#backtrace", "Backtrace's", "BACKTRACE", "backtraces", "xbacktrace", "#Backtrace's",
    "the last  of\nus", "The Last of Us's", "backtrace 2018", "10/10", "s02e03", "2am",
    "https://x.invalid/a?b=1", "www.example.com/x", "@critic.bsky.social", "me@mail.org",
    "!!!", "...", "(", ")", "“", "”", "\u2019", "'", "''", "#", "##tag", "_", "a_b", "😂",
    "great😂", "🎬🍿", "\x00", "\x02", "\u00a0", "\u2028", "\t", "\u200d", "½", "x²", "Ⅻ",
    "—", "-", "word-word", "it’s", "o'", "'n'",
]  # fmt: skip


def _text(rng: random.Random) -> str:
    parts = [rng.choice(WORDS if rng.random() < 0.7 else ODD) for _ in range(rng.randint(0, 40))]
    glue = [rng.choice(" \n") if rng.random() < 0.8 else "" for _ in parts]
    return "".join(p + g for p, g in zip(parts, glue, strict=True))


def _groups(seed: int, sizes: tuple[int, ...]) -> list[list[str]]:
    rng = random.Random(seed)
    return [[_text(rng) for _ in range(size)] for size in sizes]


@pytest.mark.parametrize("seed", range(6))
def test_bulk_counts_equal_one_post_at_a_time_on_hostile_text(seed: int) -> None:
    groups = _groups(seed, (120, 0, 80, 1, 200))
    cut = Names.of(NAMES)
    for least in (1, 3):
        fast = theme_counts.count(groups, cut, least).as_dicts()
        assert fast == theme_counts.count_slowly(groups, cut, least).as_dicts()


def test_bulk_counts_hold_when_posts_are_counted_in_small_blocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    groups = _groups(7, (150, 90))
    cut = Names.of(NAMES)
    expected = theme_counts.count_slowly(groups, cut, 2).as_dicts()
    monkeypatch.setattr(theme_counts, "KEY_BITS", 0)  # one post a block
    monkeypatch.setattr(theme_counts, "BATCH", 7)  # texts read seven at a time
    assert theme_counts.count(groups, cut, 2).as_dicts() == expected
    monkeypatch.setattr(theme_counts, "MAX_WORD_BITS", 2)  # too many words: the slow way
    assert theme_counts.count(groups, cut, 2).as_dicts() == expected


def test_a_term_counts_once_a_post_and_phrases_keep_their_order() -> None:
    groups = [["so bad it's good, so bad it's good!"] * 3, ["good it's bad"] * 2]
    found, total, sizes = theme_counts.count(groups, None, 1).as_dicts()
    assert found[0]["bad it's good"] == 3 and "good it's bad" not in found[0]
    assert total["bad"] == 5 and found[1]["good it's bad"] == 2
    assert sizes == [3 * len(terms(tokens(groups[0][0]))), 2 * 3]


def test_names_are_cut_out_as_words_in_any_case() -> None:
    cut = Names.of(NAMES)
    words = tokens(
        "#Backtrace's heist, BACKTRACE 2018 and The Last  of Us; backtraces xbacktrace", cut
    )
    assert "backtrace" not in words and "last" not in words and "2018" not in words
    assert "backtraces" in words and "heist" in words
    assert tokens("the actors' wigs", None) == ["the", "actors", None, "wigs"]

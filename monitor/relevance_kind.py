"""What a chart's facts tell the relevance rule: film or TV, and the season charting.

A chart names each title's kind (Netflix's "Films (English)", "TV (Non-English)") and, for
TV, the season ("Wednesday: Season 2"). Two pieces of evidence come from them:

- **the other kind's words do not count.** For a TV title, film-only words (movie, film,
  cinema, box office…) near the name are no evidence, and a name written beside one
  ("Wednesday movie night", "the film Alone") does not read as the title; for a film,
  series-only words do the same ("Heat season is over", "Trust season 1 on FX"). A
  neighbour of both kinds (watched, trailer, ending) still counts: it is the title's.
- **the season charting, named beside the name, is strong evidence** (``season:<n>``,
  +1.5): "Wednesday S2", "the second season of You", "Beef season two", "Wednesday
  S02E03", "Lupin part 3". Another season of the same show still reads as the show
  through the film words ("You season 4 was better"); a season named away from the name
  (another show's) earns nothing here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .relevance_syntax import Span
from .relevance_words import (
    AFTER_LOOSE,
    APPOSITION_NOUNS,
    KIND_NOUNS,
    NEAR_NOUNS,
    NOUNS_BEFORE,
    OF_NOUNS,
    OWNED_NOUNS,
    VERBS_BEFORE,
    is_season,
    stem,
    stems,
)

FILM, TV = "film", "tv"


def _split(text: str) -> list[str]:
    return text.split()


#: Words only a film has: no evidence for a show, and a show's name beside one is no title.
FILM_ONLY = frozenset(
    _split(
        """movie movies film films flick flicks cinema cinemas theater theaters theatre
    theatres showtimes boxoffice sequel sequels prequel prequels oscar oscars screenplay
    imax bigscreen runtime"""
    )
)
#: Words only a series has: no evidence for a film, and a film's name beside one is no title.
TV_ONLY = frozenset(
    _split(
        """season seasons episode episodes ep eps series finale showrunner pilot sitcom sitcoms
    miniseries docuseries spinoff cliffhanger renewed renewal show shows tv emmy emmys"""
    )
)
#: Words that make a name read as a title when they stand beside it (see relevance_forms).
_CUES = (
    AFTER_LOOSE
    | APPOSITION_NOUNS
    | KIND_NOUNS
    | NEAR_NOUNS
    | NOUNS_BEFORE
    | OF_NOUNS
    | OWNED_NOUNS
    | VERBS_BEFORE
)
#: Terms of how a name is written that a neighbouring film word gave.
_FROM_NEIGHBOURS = frozenset({"film-phrase", "is-a-film", "film-noun"})
#: Tokens either side of a name read for the neighbour that made it a title.
REACH = 5
#: Tokens either side of a name read for its season: "the second season of Wednesday".
SEASON_REACH = 4

_NUMBERS = _split("zero one two three four five six seven eight nine ten eleven twelve")
_ORDINALS = _split(
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth"
)
_SEASON_NAME = re.compile(
    r"\b(season|series|part|volume|vol|chapter|book)\.?\s+(\d{1,2}|"
    + "|".join(_NUMBERS[1:])
    + r")\b",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"\s(\d{1,2})\s*$")  # "Stranger Things 4"


def other_kind(kind: str) -> frozenset[str]:
    """The words of the other kind: no evidence for a title of ``kind``."""
    return TV_ONLY if kind == FILM else FILM_ONLY if kind == TV else frozenset()


def skipped_stems(kind: str) -> frozenset[str]:
    """The stems of the other kind's words, left out of the film words near the name."""
    words = other_kind(kind)
    out = stems(" ".join(words)) | {stem(w) for w in words}
    if kind == FILM:
        out |= {"season"}  # s2, s01e03 are classified as "season"
    return frozenset(out)


def season_of(season: str, name: str = "") -> tuple[str, int] | None:
    """The word and number of a chart's season name: ``("season", 2)`` for "Wednesday:
    Season 2", ``("part", 3)`` for "Lupin: Part 3", ``("season", 4)`` for "Stranger
    Things 4"; None for "Limited Series" or nothing."""
    found = _SEASON_NAME.search(season)
    if found:
        word, number = found.group(1).casefold(), found.group(2).casefold()
        word = {"vol": "volume", "series": "season"}.get(word, word)
        value = int(number) if number.isdigit() else _NUMBERS.index(number)
        return (word, value) if value else None
    trailing = _TRAILING.search(season)
    if trailing and name and season.casefold().startswith(name.casefold()):
        return "season", int(trailing.group(1))
    return None


def season_words(season: tuple[str, int]) -> frozenset[tuple[str, str]]:
    """Token pairs that name the season: ("season", "2"), ("season", "two"),
    ("second", "season"), ("2nd", "season"); "s2", "s02" are matched as one token."""
    word, n = season
    words = {word} | ({"series"} if word == "season" else {"pt"} if word == "part" else set())
    numbers = {str(n), f"{n:02d}"} | ({_NUMBERS[n]} if n < len(_NUMBERS) else set())
    ordinals = {_ordinal(n)} | ({_ORDINALS[n]} if n < len(_ORDINALS) else set())
    pairs = {(w, x) for w in words for x in numbers} | {(o, w) for o in ordinals for w in words}
    return frozenset(pairs)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def names_season(
    spans: Sequence[Span],
    first: int,
    last: int,
    season: tuple[str, int],
    pairs: frozenset[tuple[str, str]],
) -> bool:
    """Whether the season charting is named within :data:`SEASON_REACH` tokens of the name
    (tokens ``first``..``last``): "Wednesday season 2", "S2 of Wednesday", "You s05e10"."""
    lo, hi = max(0, first - SEASON_REACH), min(len(spans), last + 1 + SEASON_REACH)
    folds = [spans[k][2] for k in range(lo, hi)]
    short = re.compile(rf"s0?{season[1]}(?:e\d{{1,3}})?") if season[0] == "season" else None
    for k, fold in enumerate(folds):
        if short is not None and is_season(fold) and short.fullmatch(fold):
            return True
        if k + 1 < len(folds) and (fold, folds[k + 1]) in pairs:
            return True
    return False


def other_kind_only(
    spans: Sequence[Span], first: int, last: int, wrong: frozenset[str], kind: str
) -> str:
    """The other kind's word that made the name read as a title, when every film word
    beside it (within :data:`REACH` tokens) is of the other kind; else ""."""
    lo, hi = max(0, first - REACH), min(len(spans), last + 1 + REACH)
    cues: list[str] = [
        spans[k][2]
        for k in (*range(lo, first), *range(last + 1, hi))
        if spans[k][2] in _CUES or (kind == FILM and is_season(spans[k][2]))
    ]
    if cues and all(c in wrong or (kind == FILM and is_season(c)) for c in cues):
        return cues[0]
    return ""


def refit(
    found: list[tuple[str, float]],
    spans: Sequence[Span],
    first: int,
    last: int,
    kind: str,
) -> list[tuple[str, float]]:
    """How the name is written, without what a neighbour of the other kind gave it: the
    term becomes ``other-kind:<word>`` (0 points), so ``mentions`` shows why."""
    wrong = other_kind(kind)
    if not wrong or not any(t in _FROM_NEIGHBOURS for t, _ in found):
        return found
    word = other_kind_only(spans, first, last, wrong, kind)
    if not word:
        return found
    return [(t, p) for t, p in found if t not in _FROM_NEIGHBOURS] + [(f"other-kind:{word}", 0.0)]

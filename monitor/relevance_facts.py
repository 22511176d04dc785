"""What a relevance matcher knows of one title: its context and exclude words as stems,
the tokens that are never "another proper noun", and what its chart says (film or TV,
the season charting: see :mod:`monitor.relevance_kind`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .config import Title
from .relevance_words import stem, tokens


@dataclass(frozen=True)
class Facts:
    """What the matcher knows of one title, indexed for set look-ups."""

    title: Title
    context: tuple[tuple[str, tuple[str, ...]], ...]
    exclude: tuple[tuple[str, tuple[str, ...]], ...]
    known: frozenset[str]  # tokens of the names and context: never "another proper noun"
    skip: frozenset[str]  # stems that are not film words for this title
    year: str
    kind: str = ""  # "film" or "tv", from the chart
    season: tuple[str, int] | None = None  # ("season", 2) for "Wednesday: Season 2"
    season_pairs: frozenset[tuple[str, str]] = frozenset()  # token pairs that name it


def phrases(words: Iterable[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each word or phrase with the stems of its tokens."""
    return tuple((w, tuple(stem(t) for t in tokens(w))) for w in words if tokens(w))

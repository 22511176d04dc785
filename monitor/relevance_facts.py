"""What a relevance matcher knows of one title: its context and exclude words as stems,
the tokens that are never "another proper noun", and one scan that finds which of its
words a post may spell, so a post that spells none of them costs one linear pass."""

from __future__ import annotations

import re
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
    scan: re.Pattern[str] | None = None  # the first stems of context, exclude and year

    def firsts(self, folded: str) -> tuple[str, ...]:
        """The first stems of context and exclude words (and the year) that ``folded``
        spells (inside a word too): one linear scan, so absent words cost nothing."""
        if self.scan is None:
            return ()
        return tuple({m.group() for m in self.scan.finditer(folded)})


def scan_for(firsts: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for the first stems of a title's words (longest first), or None."""
    unique = sorted({f for f in firsts if f}, key=len, reverse=True)
    if not unique:
        return None
    # No look-behind: it would slow the scan, and has() checks the start of the word.
    return re.compile("|".join(map(re.escape, unique)))


def spelled(firsts: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    """Whether the post may hold ``phrase``: its first stem begins one of ``firsts``."""
    return bool(phrase) and any(f.startswith(phrase[0]) for f in firsts)


def phrases(words: Iterable[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each word or phrase with the stems of its tokens."""
    return tuple((w, tuple(stem(t) for t in tokens(w))) for w in words if tokens(w))

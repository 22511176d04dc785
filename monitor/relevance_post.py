"""One post as the relevance rule reads it: its tokens, worked out once and only as needed.

A post is read closely (token by token, with offsets) only around the places that spell a
name: the whole of a short post, a few windows of a longer one. Film words and platforms
are looked up among the tokens near the name; context and exclude words are found where the
case-folded text spells their stems, so no post is stemmed word by word.
"""

from __future__ import annotations

from collections.abc import Collection

from .relevance_syntax import Span, quiet_place
from .relevance_words import (
    FILM_PAIRS,
    FILM_WORDS,
    PLATFORMS,
    TOKEN,
    is_season,
    stem,
    token_list,
    token_spans,
)

#: Characters read closely either side of the first places that spell a name.
SPAN = 40
#: Places of each name read closely in one post.
MAX_PLACES = 12
#: Characters either side of an occurrence that count as near it (a sentence or two).
NEAR = 250
_PLATFORM_KEYS: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _key, _name in PLATFORMS.items():
    _PLATFORM_KEYS.setdefault(_key[0], []).append((_key, _name))
_PLATFORM_FIRST = frozenset(_PLATFORM_KEYS)
_STEMS: dict[str, str] = {}


def cached_stem(word: str) -> str:
    """:func:`stem`, remembered (the cache is dropped when it grows large)."""
    found = _STEMS.get(word)
    if found is None:
        if len(_STEMS) > 200_000:
            _STEMS.clear()
        found = _STEMS[word] = stem(word)
    return found


#: Tokens seen so far, and which of them are film words (token -> its film word).
_CLASSIFIED: set[str] = set()
_FILM_FOLDS: set[str] = set()
_FILMY: dict[str, str] = {}


def _classify(fold: str) -> None:
    """Remember whether a token is a film word (its stem, or "season" for s2, s01e03)."""
    if len(_CLASSIFIED) > 200_000:
        _CLASSIFIED.clear()
    _CLASSIFIED.add(fold)
    word = cached_stem(fold)
    kind = word if word in FILM_WORDS else "season" if is_season(fold) else ""
    if kind:
        _FILM_FOLDS.add(fold)
        _FILMY[fold] = kind


#: Places a post spells a name, or the start of a context or exclude word, that are looked
#: at (inside other words included: "us" in "just").
MAX_LOOKS = 10_000


def _follows(folded: str, pos: int, phrase: tuple[str, ...]) -> int:
    """The end of the words at ``pos`` if their stems are ``phrase`` (one joiner of up to
    three characters between words), else -1."""
    end = pos
    for n, want in enumerate(phrase):
        if n:
            gap = end
            while gap < len(folded) and gap - end <= 3 and not folded[gap].isalnum():
                gap += 1
            if gap - end > 3:
                return -1
            end = gap
        match = TOKEN.match(folded, end)
        if match is None or cached_stem(match.group()) != want:
            return -1
        end = match.end()
    return end


def windows(
    folded: str, keys: Collection[str], text: str = "", quiet: Collection[str] = ()
) -> list[tuple[int, int]]:
    """The parts of a post worth reading closely: around the first places where one of
    ``keys`` is spelled (all of a post up to ``2 * SPAN`` characters). After its first
    place, a place of a ``quiet`` key (a one-word name, in ``text`` that uses capitals)
    that cannot read as a title is passed over (see ``relevance_syntax.quiet_place``)."""
    if len(folded) <= 2 * SPAN:
        return [(0, len(folded))]
    points: list[int] = []
    for key in keys:
        pos, places, looks = folded.find(key), 0, 0
        while pos >= 0 and places < MAX_PLACES and looks < MAX_LOOKS:
            end = pos + len(key)
            # a whole word: "us" in "just" is no place of the name Us
            if (
                (pos == 0 or not folded[pos - 1].isalnum())
                and not folded[end : end + 1].isalnum()
                and not (places and key in quiet and quiet_place(text, folded, pos, end))
            ):
                points.append(pos)
                places += 1
            pos, looks = folded.find(key, end), looks + 1
    found: list[tuple[int, int]] = []
    for point in sorted(points) or [0]:
        start, end = max(0, point - SPAN), min(len(folded), point + SPAN)
        # widen to whole words, so no token is cut at the edge ("atched" for "watched")
        start = max(start - SPAN, folded.rfind(" ", 0, start) + 1) if start else 0
        stop = folded.find(" ", end, end + SPAN)
        end = stop if stop >= 0 else min(len(folded), end + SPAN)
        if found and start <= found[-1][1]:
            found[-1] = (found[-1][0], end)
        else:
            found.append((start, end))
    return found


class Post:
    """A post's text, the tokens read closely (``spans``) and, on demand, all its stems."""

    def __init__(
        self, text: str, folded: str, keys: Collection[str], quiet: Collection[str] = ()
    ) -> None:
        self.text = text
        self.folded = folded
        self.cased = not text.islower()  # so a lower-case name is the writer's choice
        self.spans: list[Span] = []
        if len(folded) == len(text):  # offsets agree: read the case-folded text
            for start, end in windows(folded, keys, text, quiet if self.cased else ()):
                self.spans += token_spans(folded, start, end)
        else:
            for start, end in windows(text.lower(), keys):
                self.spans.extend(
                    (m.start(), m.end(), m.group().casefold())
                    for m in TOKEN.finditer(text, start, end)
                )

    def has(self, phrase: tuple[str, ...]) -> bool:
        """Whether words whose stems are ``phrase`` stand in a row anywhere in the post.

        A stem is a prefix of each word it stems, so only the places where the text spells
        the first stem are looked at (at most :data:`MAX_LOOKS` of them).
        """
        folded, first = self.folded, phrase[0] if phrase else ""
        pos, looks = (folded.find(first) if first else -1), 0
        while pos >= 0 and looks < MAX_LOOKS:
            looks += 1
            if pos == 0 or not folded[pos - 1].isalnum():
                end = _follows(folded, pos, phrase)
                if end >= 0:
                    return True
            pos = folded.find(first, pos + 1)
        return False

    def near(self, at: tuple[int, int] | None) -> list[str]:
        """The case-folded tokens within :data:`NEAR` characters of tokens ``at``
        (first, last), or of the start of the post."""
        start, end = (self.spans[at[0]][0], self.spans[at[1]][1]) if at else (0, 0)
        start, end = max(0, start - NEAR), end + NEAR
        if len(self.folded) == len(self.text):
            return token_list(self.folded, start, end)
        return [t.casefold() for t in TOKEN.findall(self.text, start, end)]

    def film_words(self, near: list[str], skip: frozenset[str]) -> list[str]:
        """The film words among ``near`` tokens, as written (case-folded)."""
        unique = set(near)
        for fold in unique - _CLASSIFIED:
            _classify(fold)
        seen: dict[str, str] = {}
        for fold in unique & _FILM_FOLDS:
            kind = _FILMY[fold]
            if kind not in skip:
                seen[kind] = min(fold, seen.get(kind, fold))
        for fold in unique & FILM_PAIRS:  # "box office", "big screen"
            n = near.index(fold)
            while n + 1 < len(near):
                pair = cached_stem(fold) + cached_stem(near[n + 1])
                if pair in FILM_WORDS and pair not in skip:
                    seen.setdefault(pair, f"{fold} {near[n + 1]}")
                    break
                n = near.index(fold, n + 1) if fold in near[n + 1 :] else len(near)
        return sorted(seen.values())

    def platform(self, near: list[str]) -> str:
        """The first streaming platform among ``near`` tokens, or ""."""
        if not _PLATFORM_FIRST.intersection(near):
            return ""
        for i, fold in enumerate(near):
            for key, name in _PLATFORM_KEYS.get(fold, ()):
                if tuple(near[i : i + len(key)]) == key:
                    return name
        return ""

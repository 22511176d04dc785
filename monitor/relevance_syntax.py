"""Sentence shapes that only a title fits: more local evidence for the relevance rule.

Each check reads a few tokens beside one occurrence of a name, so it costs the same on a
post of any length:

- the name as the subject of a film noun: "Home is an underrated DreamWorks movie", "nope
  is the only peele movie", "Wednesday is one of the best shows" (``is-a-film``);
- the name as the owner or the modifier of a film noun: "the Wednesday dance scene",
  "Wednesday's dance scene", "The Nope score", "the Alone contestant"
  (``film-noun``); and a film noun that is the name's: "episode 4 of wednesday", "the cast
  of Us", "the trailer for Smile" (``film-noun``);
- the name after a person and "in", where the person's name is no ordinary word: "steven
  yeun in beef", "Sosie Bacon in Smile"; or after a person's possessive, both written with
  capitals: "Jordan Peele's Us", "Michael Mann's Heat" (``cast-in``).
"""

from __future__ import annotations

from .relevance_words import (
    AFTER_LOOSE,
    DETERMINERS,
    FILLERS,
    KIND_NOUNS,
    LINKS_AFTER,
    NEAR_NOUNS,
    NOUNS_BEFORE,
    OF_NOUNS,
    OWNED_NOUNS,
    SEPARATORS,
    VERBS_BEFORE,
    is_season,
    zipf_of,
)

#: A token: start, end (in the original text) and its case-folded form.
Span = tuple[int, int, str]

#: Verbs that make the name the subject of "…a movie": "Home is an underrated movie".
_COPULAS = frozenset({"is", "was", "remains", "s"})
#: Before the film noun: "one of the best shows", "such a good movie".
_LEADS = frozenset({"such", "one", "of", "still", "honestly", "really", "genuinely", "just"})
#: Film nouns that take the name after "for": "the trailer for Smile".
_FOR_NOUNS = frozenset({"trailer", "teaser", "spoilers", "soundtrack", "ost"})
#: A person's name is rare as a word ("yeun", "kilmer", "ortega"): at most this Zipf value.
NAME_ZIPF = 3.3


def _spaced(text: str, spans: list[Span], k: int) -> bool:
    """Whether token ``k`` follows token ``k - 1`` with only a space or a hyphen between."""
    gap = text[spans[k - 1][1] : spans[k][0]]
    return 0 < len(gap) <= 2 and not gap.strip(" -")


def is_a_film(text: str, spans: list[Span], last: int) -> bool:
    """ "Home is an underrated DreamWorks movie", "Wednesday is one of the best shows"."""
    k = last + 1
    if k >= len(spans) or spans[k][2] not in _COPULAS:
        return False
    if spans[k][2] == "s" and text[spans[last][1] : spans[k][0]] not in "'’":
        return False
    if spans[k][2] != "s" and not _spaced(text, spans, k):
        return False
    k += 1
    while k < len(spans) and spans[k][2] in _LEADS and _spaced(text, spans, k):
        k += 1
    if k >= len(spans) or spans[k][2] not in DETERMINERS or not _spaced(text, spans, k):
        return False
    for j in range(k + 1, min(k + 5, len(spans))):
        if not _spaced(text, spans, j):
            return False
        fold = spans[j][2]
        if fold in KIND_NOUNS:
            return True
        if fold in DETERMINERS or fold in _COPULAS:
            return False  # "Wednesday is the day the show…": another noun phrase
    return False


def film_noun(text: str, spans: list[Span], first: int, last: int, *, strict: bool) -> bool:
    """The name owns or modifies a film noun, or a film noun is the name's.

    ``strict`` (a function word, or a lower-case name in text that uses capitals) allows
    only a film noun after the name's possessive ("heat's ending", never "home movies").
    """
    after = last + 1
    owned = (
        after + 1 < len(spans)
        and spans[after][2] == "s"
        and text[spans[last][1] : spans[after][0]] in ("'", "’")
    )
    k = after + 1 if owned else after
    if k < len(spans) and _spaced(text, spans, k):
        fold = spans[k][2]
        if fold in OWNED_NOUNS:
            return not strict or owned
        # over one word of its own: "the Wednesday dance scene", "the Nope alien reveal"
        if (
            k + 1 < len(spans)
            and _spaced(text, spans, k + 1)
            and spans[k + 1][2] in NEAR_NOUNS
            and fold.isalpha()
            and fold not in DETERMINERS
            and zipf_of(fold) < 6.0
        ):
            return not strict or owned
    return _noun_of(text, spans, first)


def _noun_of(text: str, spans: list[Span], first: int) -> bool:
    """ "episode 4 of wednesday", "the cast of Us", "the trailer for Smile"."""
    k = first - 1
    if k < 1 or spans[k][2] not in ("of", "for") or not _spaced(text, spans, first):
        return False
    nouns = OF_NOUNS if spans[k][2] == "of" else _FOR_NOUNS  # never "each season for signs"
    k -= 1
    if not _spaced(text, spans, k + 1):
        return False
    if spans[k][2].isdigit() or is_season(spans[k][2]):  # "season 2 of Beef"
        k -= 1
        if k < 0 or not _spaced(text, spans, k + 1):
            return False
    return spans[k][2] in nouns


def cast_in(text: str, spans: list[Span], first: int) -> bool:
    """ "steven yeun in beef", "Val Kilmer in Heat": a person, "in", and the name bare.

    A word before "in" is a person's name when it is rare as a word (Zipf under
    :data:`NAME_ZIPF`, as most surnames are), or capitalised after a word of the same
    sentence (the first name of "Val Kilmer").
    """
    k = first - 1
    if k < 1 or spans[k][2] != "in" or not _spaced(text, spans, first):
        return False
    for j in (k - 1, k - 2):
        if j < 0 or not _spaced(text, spans, j + 1):
            return False
        fold = spans[j][2]
        if not fold.isalpha() or len(fold) < 3:
            return False
        if zipf_of(fold) < NAME_ZIPF:
            return True
        word = text[spans[j][0] : spans[j][1]]
        capital = word[0].isupper() and not word.isupper()
        if capital and j == k - 1 and j > 0 and _spaced(text, spans, j):
            return True
    return False


def persons(text: str, spans: list[Span], first: int) -> bool:
    """ "Jordan Peele's Us", "Mann's Heat": a person's possessive before the name, the
    person no ordinary word (Zipf under :data:`NAME_ZIPF`) and both capitalised."""
    k = first - 1
    if k < 1 or spans[k][2] != "s" or text[spans[k - 1][1] : spans[k][0]] not in ("'", "’"):
        return False
    if not _spaced(text, spans, first):
        return False
    person = text[spans[k - 1][0] : spans[k - 1][1]]
    name = text[spans[first][0] : spans[first][1]]
    return (
        person[:1].isupper()
        and not person.isupper()
        and name[:1].isupper()
        and person.isalpha()
        and len(person) > 2
        and zipf_of(spans[k - 1][2]) < NAME_ZIPF
    )


#: Tokens beside a lower-case name that may make it read as a title (see :func:`plain_place`).
_CUES_BEFORE = VERBS_BEFORE | NOUNS_BEFORE | FILLERS | {"of", "for", "in"}
_CUES_AFTER = AFTER_LOOSE | LINKS_AFTER | OWNED_NOUNS | _COPULAS | {"the", "on"}
_QUIET_BEFORE = frozenset(" \t\n")
_QUIET_AFTER = frozenset(" \t\n,.!?;")


def plain_place(text: str, spans: list[Span], first: int, last: int) -> bool:
    """A lower-case occurrence (in text that uses capitals) with nothing around it that
    could read it as a title: no quote, hashtag or link, and no film verb, film noun,
    copula, preposition, number or year beside it. Such a place cannot earn a point, so
    after the first occurrence the rule does not read it closely ("you" fifty times in a
    long post)."""
    start, end = spans[first][0], spans[last][1]
    if not _plain_edges(text, start, end):
        return False
    before = spans[first - 1][2] if first else ""
    return quiet_words(before, spans[last + 1][2] if last + 1 < len(spans) else "")


def _plain_edges(text: str, start: int, end: int) -> bool:
    """Whether the name at ``start``..``end`` is lower case with only plain characters on
    either side (no quote, hashtag or bracket that could mark a title)."""
    if not text[start:end].islower():
        return False
    if start and text[start - 1] not in _QUIET_BEFORE:
        return False
    return not (end < len(text) and text[end] not in _QUIET_AFTER)


def quiet_words(before: str, after: str) -> bool:
    """Whether the tokens before and after a lower-case name leave it a plain word."""
    if before in _CUES_BEFORE:
        return False
    return not (after and (after in _CUES_AFTER or after[0].isdigit() or is_season(after)))


def quiet_place(text: str, folded: str, start: int, end: int) -> bool:
    """:func:`plain_place` read from the characters alone, before any tokens exist (for
    ASCII text; anything else is not called quiet)."""
    if not _plain_edges(text, start, end):
        return False
    left, right = folded[max(0, start - 24) : start], folded[end : end + 24]
    if not (left.isascii() and right.isascii()):
        return False
    before = left.translate(SEPARATORS).split()[-1:]
    after = right.translate(SEPARATORS).split()[:1]
    return quiet_words(before[0] if before else "", after[0] if after else "")

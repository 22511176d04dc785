"""How one occurrence of a name is written: the local evidence of the relevance rule.

Every check reads a bounded window around the occurrence (:data:`WINDOW` characters) or
the tokens beside it, so a post of any length costs the same per occurrence and no regex
here can backtrack over a long word.
"""

from __future__ import annotations

import re

from .relevance_syntax import Span, cast_in, film_noun, is_a_film, persons
from .relevance_words import (
    AFTER_LOOSE,
    AFTER_STRICT,
    APPOSITION_NOUNS,
    CALENDAR,
    CODE_SITES,
    DATE_AFTER,
    DATE_BEFORE,
    DETERMINERS,
    FILLERS,
    FILM_SITES,
    FILM_WORDS,
    GLUE_ZIPF,
    LINKS_AFTER,
    NOUNS_BEFORE,
    NUMBERS,
    OBJECT_PRONOUNS,
    PLATFORMS,
    PREPOSITIONS,
    SINGULAR_VERBS,
    SUBJECT_PRONOUNS,
    VERBS_3SG,
    VERBS_BEFORE,
    VERBS_PAST,
    is_function_word,
    is_season,
    stem,
)

#: Characters read on either side of an occurrence.
WINDOW = 160
_OPEN = "\"“'‘*_«"
_CLOSE = "\"”'’*_»"
_YEAR = re.compile(r"(?:19|20)\d\d")
_EXT = re.compile(r"\.[a-z]{1,4}\b")
_CHUNK = re.compile(r"\S*")
_SENTENCE_END = re.compile(r"[.!?:\n]")
_CAPITAL_WORD = re.compile(r"[^\W\d_]{4,}")
_PLATFORM_FIRST = frozenset(k[0] for k in PLATFORMS)
#: Subjects that point at something else: "It was a great movie", "That is a film".
_POINTERS = SUBJECT_PRONOUNS | {"this", "that", "there", "here", "what", "which", "who"}
#: Joins the words of a name: "Bird Box", "bird-box", "bird_box", "Nyong'o", "Mission: Impossible".
_JOINERS = " \t\n-_'’:."


def joined(gap: str) -> bool:
    """Whether ``gap`` may sit between two words of one name."""
    return len(gap) <= 3 and not gap.strip(_JOINERS)


def _spaced(gap: str) -> bool:
    return 0 < len(gap) <= 2 and not gap.strip(" -")


def opening(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens a sentence (or follows an emoji, a bullet…)."""
    before = text[max(0, start - WINDOW) : start].rstrip(" \t\"“'‘(*_[#")
    while before and before[-1].isalnum():  # a reply opens after its @handles
        word = before.rsplit(None, 1)[-1]
        if not word.startswith("@"):
            return False
        before = before[: -len(word)].rstrip()
    return not before or before[-1] not in ",'’)"


def _plain_case(text: str, start: int, end: int) -> bool:
    """Whether the line around [start, end) is ordinary mixed case: not a headline in Title
    Case, not shouted in capitals, so a capital letter there says something."""
    left = text[max(0, start - WINDOW) : start]
    right = text[end : end + WINDOW]
    line = _SENTENCE_END.split(left)[-1] + " " + _SENTENCE_END.split(right, 1)[0]
    words = _CAPITAL_WORD.findall(line)
    if not words:
        return True
    upper = sum(w.isupper() for w in words)
    title = sum(w[0].isupper() for w in words)
    shouted = upper >= 2 and upper * 2 > len(words)
    return not shouted and not (len(words) >= 3 and title >= 0.6 * len(words))


def _neighbour_is_name(text: str, span: Span, known: frozenset[str], previous: bool) -> bool:
    """A capitalised word beside the name that makes a longer proper noun: Miami Heat."""
    start, end, fold = span
    word = text[start:end]
    if not word[0].isupper() or word.isupper() or any(c.isdigit() for c in word):
        return False
    if len(fold) == 1 or fold in known or fold in AFTER_LOOSE or fold in VERBS_BEFORE:
        return False
    if stem(fold) in FILM_WORDS or fold in _PLATFORM_FIRST or is_function_word(fold, GLUE_ZIPF):
        return False
    return not (previous and opening(text, start))


def forms(
    text: str,
    spans: list[Span],
    first: int,
    last: int,
    *,
    function: bool,
    rare: bool,
    cased: bool,
    known: frozenset[str],
) -> list[tuple[str, float]]:
    """Evidence from how the name at tokens ``first``..``last`` is written."""
    found: list[tuple[str, float]] = []
    start, end = spans[first][0], spans[last][1]
    written = text[start:end]
    before = text[max(0, start - WINDOW) : start]
    after = text[end : end + WINDOW]
    opens = opening(text, start)
    prev = spans[first - 1] if first > 0 and _spaced(text[spans[first - 1][1] : start]) else None
    nxt = spans[last + 1] if last + 1 < len(spans) else None
    after_word = nxt if nxt and _spaced(text[end : nxt[0]]) else None
    # Whether capitals say anything here: worked out only if a capital is in play.
    capitals_near = written[:1].isupper() or bool(
        (prev and text[prev[0]].isupper()) or (after_word and text[after_word[0]].isupper())
    )
    plain = capitals_near and _plain_case(text, start, end)
    capital = written[:1].isupper() and not written.isupper() and plain
    hashtag = before.endswith("#")
    if hashtag:
        found.append(("#hashtag", 0.5))
    elif capital and not opens and not (prev and prev[2] in DETERMINERS):
        found.append(("capitalised", 1.0 if function or rare else 0.5))
        if prev and prev[2] in PREPOSITIONS:
            # "Val Kilmer in Heat": a common noun after a preposition takes an article
            found.append(("bare-name", 1.0))
    if before[-1:] and before[-1] in _OPEN and after[:1] and after[:1] in _CLOSE:
        found.append(("quoted", 1.5))
    code = (
        before.endswith(("::", "`", "\\"))
        or (before.endswith(".") and before[-2:-1].isalnum())
        or after.startswith(("::", "`"))
        or (after.startswith("(") and not _YEAR.match(after, 1))
        or _EXT.match(after) is not None
    )
    if code:
        # An identifier or a file: std::backtrace::Backtrace, `Backtrace`, backtrace.rs
        found.append(("code", -1.5))
    if plain and prev and _neighbour_is_name(text, prev, known, previous=True):
        found.append((f"proper-noun:{text[prev[0] : end]}", -1.5))
    if plain and after_word and _neighbour_is_name(text, after_word, known, previous=False):
        found.append((f"proper-noun:{text[start : after_word[1]]}", -1.5))
    if prev and prev[2] in DETERMINERS and written.islower():
        found.append(("common-noun", -1.0))
    if opens and after_word and not (written.islower() and cased):
        word = spans[last][2]
        verbs = VERBS_3SG if word in OBJECT_PRONOUNS else VERBS_PAST
        # A verb that cannot agree with the word as a word: "Us is", "Two has", "Players
        # is": only a title can be its subject.
        disagrees = after_word[2] in SINGULAR_VERBS and (
            word in OBJECT_PRONOUNS or word in NUMBERS or _plural(word)
        )
        if word not in SUBJECT_PRONOUNS and after_word[2] in verbs:
            # "Us is…" or "Smile gave me…"
            found.append(("title-verb", 1.5 if disagrees else 1.0 if rare else 0.75))
    if (
        first == last
        and spans[first][2] in CALENDAR
        and (
            (prev and prev[2] in DATE_BEFORE)
            or (after_word and (after_word[2] in DATE_AFTER or after_word[2].isdigit()))
        )
    ):
        found.append(("date", -1.5))
    if any(t.startswith("proper-noun:") for t, _ in found):
        found = [(t, p) for t, p in found if t not in ("capitalised", "bare-name")]
    # A function word ("you", "two", "home") reads as a title next to a film word only when
    # written as one: "watched You", "You season 4", never "two movies" or "home movies".
    # A lower-case name in text that uses capitals next to a film noun is an adjective or a
    # plain noun: "that beautiful flick", "film speed"; film verbs and season words still
    # count ("watched heat", "beef season 2").
    plain_lower = written.islower() and cased
    titled = not function or (capital and not opens) or hashtag
    if (titled and _film_before(text, spans, first, nouns=not plain_lower)) or _film_after(
        text,
        spans,
        last,
        strict=function or plain_lower,
        titled=not function or capital or hashtag,
    ):
        found.append(("film-phrase", 1.5))
    determined = bool(prev and prev[2] in DETERMINERS and written.islower())
    if not any(t == "film-phrase" for t, _ in found) and not determined:
        if spans[last][2] not in _POINTERS and is_a_film(text, spans, last):
            found.append(("is-a-film", 1.5))
        elif film_noun(text, spans, first, last, strict=function or plain_lower):
            found.append(("film-noun", 1.5))
    if (cast_in(text, spans, first) or persons(text, spans, first)) and not any(
        t == "bare-name" for t, _ in found
    ):
        found.append(("cast-in", 1.5))
    if nxt and nxt[0] - end <= 2 and _YEAR.fullmatch(nxt[2]) and not text[end : nxt[0]].strip(" ("):
        found.append(("year", 1.5))
    chunk_start = max(before.rfind(" "), before.rfind("\n"), before.rfind("\t")) + 1
    chunk = before[chunk_start:] + written + _head(after)
    if "/" in chunk:
        low = chunk.lower()
        if any(site in low for site in FILM_SITES):
            found.append(("url:film", 1.5))
        elif any(site in low for site in CODE_SITES):
            found.append(("url:code", -1.5))
    repeated = (prev and prev[2] == spans[first][2]) or (
        after_word and after_word[2] == spans[last][2]
    )
    if repeated or (opens and after.lstrip(" ")[:1] in (",", "!", ".", "…")):
        found.append(("interjection", -1.0))
    return found


def _plural(word: str) -> bool:
    """ "players", "stories": a plural noun (not "boss", "us", "this", "news")."""
    return len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ews"))


def _head(after: str) -> str:
    match = _CHUNK.match(after)
    return match.group(0) if match else ""


def _film_before(text: str, spans: list[Span], first: int, *, nouns: bool) -> bool:
    """ "watched Heat", "binged all of Beef", "the movie Nope" (if ``nouns``)."""
    k, skipped = first - 1, 0
    while k >= 0 and _spaced(text[spans[k][1] : spans[k + 1][0]]):
        if spans[k][2] in VERBS_BEFORE or (nouns and spans[k][2] in NOUNS_BEFORE):
            return True
        if spans[k][2] not in FILLERS or skipped == 2:
            return False
        k, skipped = k - 1, skipped + 1
    return False


def _apposition(text: str, spans: list[Span], k: int) -> bool:
    """ "Home the DreamWorks movie", "Alone (the History Channel show)"."""
    if (
        k >= len(spans)
        or spans[k][2] != "the"
        or text[spans[k - 1][1] : spans[k][0]]
        not in (
            " ",
            " (",
            ", ",
            " - ",
        )
    ):
        return False
    for j in range(k + 1, min(k + 5, len(spans))):
        if not _spaced(text[spans[j - 1][1] : spans[j][0]]):
            return False
        if spans[j][2] in APPOSITION_NOUNS:
            return True
    return False


def _film_after(text: str, spans: list[Span], last: int, *, strict: bool, titled: bool) -> bool:
    """ "Beef season 2", "Heat's ending", "Wednesday S2", "Heat is on Netflix"."""
    if not titled:
        return False
    k = last + 1
    if k < len(spans) and spans[k][2] == "s" and text[spans[last][1] : spans[k][0]] in "'’":
        k += 1  # possessive
    words = AFTER_STRICT if strict else AFTER_LOOSE
    if _apposition(text, spans, k):
        return True
    links = 0
    while k < len(spans) and _spaced(text[spans[k - 1][1] : spans[k][0]]):
        fold = spans[k][2]
        if links == 0 and (fold in words or is_season(fold)):
            return True
        if links == 0 and len(fold) == 1 and fold.isdigit():  # a sequel: "Smile 2 trailer"
            k += 1
            continue
        if fold == "on" and k + 1 < len(spans):
            return spans[k + 1][2] in _PLATFORM_FIRST
        if fold not in LINKS_AFTER or links == 2:
            return False
        k, links = k + 1, links + 1
    return False

"""Pure: is this post about this title?

A readable points rule. Each piece of evidence adds or takes points and leaves a term, so
``mentions`` can show why a post was counted. A post is about the title when it names the
title (or sits in a thread about it), reads as the title, and its points reach
:data:`THRESHOLD`. Capitals say little: a name opening a sentence, in a Title Case
headline, in shouted capitals or in a hashtag earns nothing for its capital.

==============================================  =====  ==============================
evidence                                        points term
==============================================  =====  ==============================
a distinctive name (3+ words), as a phrase      +2.0   ``name:<name>``
a two-word name (Bird Box), as a phrase         +1.0   ``name:<name>``
a one-word name (Nope, Us, Smile)               +0.5   ``name:<name>``
the name as an ordinary word, Zipf z ≥ 3        −(z−3)/4, at most −1 ``common:<z>``
how the name is written, at its best occurrence (at most 12 read):
… in "quotes" or *italics*                      +1.5   ``quoted``
… followed by a year: Heat (1995)               +1.5   ``year``
… beside a film word: "watched Heat", "Beef     +1.5   ``film-phrase``
  season 2", "Heat is on Netflix", "the movie Nope", "Home the DreamWorks movie"
… opening a sentence as a subject: "Smile is"   +0.75  ``title-verb``
  (+1.0 for a rare word; +1.5 where the verb cannot agree: "Us is", "Two has", "Players is")
… Capitalised mid-sentence in ordinary text     +0.5   ``capitalised``
  (+1.0 for a rare word or a function word: "the symbolism in Us")
… and bare after a preposition: "Kilmer in Heat" +1.0  ``bare-name``
… after a person's name and "in": "steven yeun  +1.5   ``cast-in``
  in beef" (a word rarer than Zipf 3.3, or capitalised after a word: "Val Kilmer in");
  or after a person's possessive: "Jordan Peele's Us"
… the subject of a film noun: "Home is an       +1.5   ``is-a-film``
  underrated movie", "Wednesday is one of the best shows"
… owning or modifying a film noun, or owned     +1.5   ``film-noun``
  by one: "Wednesday's dance scene", "the Alone contestant", "episode 4 of wednesday"
… as a #hashtag                                 +0.5   ``#hashtag``
… in a film site's URL (letterboxd, imdb…)      +1.5   ``url:film``
… inside a longer proper noun (Miami Heat)      −1.5   ``proper-noun:<words>``
… lower case after an article: "the heat"       −1.0   ``common-noun``
… a weekday or month read as a date             −1.5   ``date``
  ("on Wednesday", "Wednesday night", "comes out Wednesday", "see you Wednesday")
… as code (std::Backtrace, backtrace.rs)        −1.5   ``code``
… in a code site's URL (github…)                −1.5   ``url:code``
… as an interjection ("Nope, …", "nope nope")   −1.0   ``interjection``
the title's context words (cast, creators…)     +1.5   ``context:<word>`` (max 2)
the title's release year anywhere               +1.0   ``year:<year>``
a streaming platform or channel near the name   +1.0   ``platform:<name>``
each generic film word near the name            +0.75  ``film:<word>`` (max 2)
each exclude word of the title                  −3.0   ``exclude:<word>``
a film community (r/movies, r/AloneTV…)         +1.0   ``community:<name>``
a code community (r/programming, r/rust…)       −2.0   ``community:-<name>``
a comment in a thread about the title           +1.5   ``thread``
the season charting beside the name (TV)        +1.5   ``season:<n>``
a film word of the other kind made it a title   0      ``other-kind:<word>``
==============================================  =====  ==============================

A title's ``kind`` and ``season`` (from its chart: see :mod:`monitor.relevance_kind`) weigh
the film words: for a show, film-only words are none; for a film, series-only words are
none; a name read as a title only through such a word is not (``other-kind``), and film
talk then does not make it one either.

A one-word name must also *read as the title*: quoted, with a year, beside a film word, in
a film URL, bare after a preposition or a person's name, the subject, owner or modifier of
a film noun, a subject that only a title can be, with a context word or the release year,
in the title's thread, or in a post about film or TV (film words or a platform near it, or
a film community: r/movies, r/AloneTV, r/horrormovies…). For a function word (You, Two),
a weekday or a month, a lower-case name in text that uses capitals, a name in shouted
capitals or an interjection, film talk is enough only where the name is also written as a
title would be (capitalised mid-sentence, a hashtag, a subject: "Leo is genuinely
charming") and nothing reads it as the plain word (a date, an article, an interjection,
code, a longer proper noun). A capital or a hashtag alone is enough for a word whose
``common`` is under 0.5 (not a weekday or a month). A post that does not read as the
title keeps the term ``no-title-form``.
"Near the name" means within :data:`~monitor.relevance_post.NEAR` characters of its best
occurrence. Context and exclude words match light inflections ("symbolicates" for
``symbolicate``). Word frequencies come from ``monitor/data/word_zipf.txt``, derived
offline from wordfreq by ``tools/derive_word_freq.py``.

:class:`Matcher` judges a post against a whole set of titles at once: the post is
case-folded once, the names it spells are found by substring or set look-ups, and only the
titles it names are read closely, around their first occurrences (after the first, a
lower-case occurrence with nothing beside it that could read as a title is skipped, and
reading stops at an occurrence written as a title).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache

from .config import Title
from .relevance_facts import Facts, phrases
from .relevance_forms import forms, joined
from .relevance_kind import TV, names_season, refit, season_of, season_words, skipped_stems
from .relevance_post import Post
from .relevance_syntax import plain_place
from .relevance_words import (
    CALENDAR,
    CODE_COMMUNITIES,
    film_community,
    is_function_word,
    stem,
    token_list,
    tokens,
    zipf,
)

#: The points a post needs to count as about the title.
THRESHOLD = 1.5
#: Occurrences of one title read per post (a post that repeats a name is judged on these).
MAX_OCCURRENCES = 12
#: An occurrence whose writing earns this much is read as the title; no more are read.
ENOUGH = 1.5
#: Up to this many names, a post is searched for them as substrings before tokenising.
FEW = 64
#: Evidence that the name is written as a title.
_STRONG = frozenset({"quoted", "year", "film-phrase", "url:film", "is-a-film", "film-noun"})
_STRONG_VERB = 1.5
_WEAK = frozenset({"capitalised", "#hashtag"})
#: Writing that reads as the title once the post is about film or TV.
_TOPICAL = _WEAK | {"title-verb"}
#: Writing that reads as the plain word: film talk nearby does not make it the title.
_PLAIN = frozenset({"date", "interjection", "code", "url:code", "common-noun"})


@dataclass(frozen=True)
class Verdict:
    """Whether a post is about a title, its points, and the terms that decided it.

    ``evidence`` pairs each term with its points, for and against.
    """

    about: bool
    score: float
    terms: tuple[str, ...]
    evidence: tuple[tuple[str, float], ...] = ()


NOT_NAMED = Verdict(about=False, score=0.0, terms=())


def distinctive(name: str) -> bool:
    """A name of three or more words (The Man from Toronto) rarely means anything else."""
    return len(name.split()) >= 3


@dataclass(frozen=True)
class _Name:
    index: int  # of the title in the matcher
    name: str
    words: tuple[str, ...]
    points: float
    penalty: float
    function: bool
    common: str = ""  # the term that says how common the name is


def _penalty(z: float) -> float:
    return round(min(1.0, max(0.0, (z - 3.0) / 4)), 1)


class Matcher:
    """Judges posts against a set of titles, built once for the set.

    >>> matcher = Matcher([Title("Heat"), Title("Beef")])
    >>> [(t.name, v.about) for t, v in matcher.judge("rewatched Heat last night")]
    [('Heat', True)]
    """

    def __init__(self, titles: Iterable[Title]) -> None:
        self.titles = tuple(titles)
        self._by_name = {t.name: i for i, t in enumerate(self.titles)}
        self._keys: dict[str, list[_Name]] = {}
        self._facts: list[Facts] = []
        for index, title in enumerate(self.titles):
            known: set[str] = set()
            for name in title.names:
                words = tuple(tokens(name))
                if not words:
                    continue  # nothing a post could spell: only its thread can tie a post
                known.update(words)
                points = 2.0 if distinctive(name) else 1.0 if len(words) > 1 else 0.5
                z = zipf(words)
                penalty = 0.0 if distinctive(name) else _penalty(z)
                function = is_function_word(words[0])
                entry = _Name(index, name, words, points, penalty, function, f"common:{z:.1f}")
                self._keys.setdefault(words[0], []).append(entry)
                if len(words) > 1:  # #BirdBox, birdbox.com
                    solid = _Name(
                        index, name, ("".join(words),), points, penalty, False, entry.common
                    )
                    self._keys.setdefault(solid.words[0], []).append(solid)
            context = phrases(title.context)
            exclude = phrases(title.exclude)
            year = str(title.released.year) if title.released else ""
            for _, stems in context:
                known.update(stems)
            known.update(t for c in title.context for t in tokens(c))
            season = season_of(title.season, title.name) if title.kind == TV else None
            self._facts.append(
                Facts(
                    title=title,
                    context=context,
                    exclude=exclude,
                    known=frozenset(known),
                    skip=frozenset(stem(w) for w in known) | skipped_stems(title.kind),
                    year=year,
                    kind=title.kind,
                    season=season,
                    season_pairs=season_words(season) if season else frozenset(),
                )
            )
        self._first = frozenset(self._keys)
        # first words that only ever stand for one-word names: their plain places may be
        # passed over (a multi-word name needs every place of its first word)
        self._single = frozenset(
            k for k, es in self._keys.items() if all(len(e.words) == 1 for e in es)
        )
        self._few = len(self._first) <= FEW

    def judge(
        self,
        text: str,
        *,
        community: str | None = None,
        thread_titles: Collection[str] = (),
    ) -> list[tuple[Title, Verdict]]:
        """The titles the post names or whose thread it is in, each with its verdict."""
        text = text or ""
        threads = [self._by_name[n] for n in thread_titles if n in self._by_name]
        folded = text.casefold()
        if self._few:  # a few names: look for them as substrings first
            named = frozenset(k for k in self._first if k in folded)
        else:
            named = self._first.intersection(token_list(folded))
        if not named and not threads:
            return []
        post = Post(text, folded, named, named & self._single)
        spans = post.spans
        found: dict[int, list[tuple[int, int, _Name]]] = {}
        for i in [i for i, span in enumerate(spans) if span[2] in named]:
            for entry in self._keys[spans[i][2]]:
                last = i + len(entry.words) - 1
                if last >= len(spans) or any(
                    spans[i + k][2] != w or not joined(text[spans[i + k - 1][1] : spans[i + k][0]])
                    for k, w in enumerate(entry.words[1:], 1)
                ):
                    continue
                hits = found.setdefault(entry.index, [])
                if len(hits) < MAX_OCCURRENCES:
                    hits.append((i, last, entry))
        out = []
        for index in sorted(found.keys() | set(threads)):
            facts = self._facts[index]
            verdict = _verdict(post, facts, found.get(index, []), index in threads, community)
            out.append((facts.title, verdict))
        return out


def _best(
    post: Post, facts: Facts, occurrences: list[tuple[int, int, _Name]]
) -> tuple[_Name, tuple[int, int], list[tuple[str, float]]]:
    """The occurrence whose writing scores best, where it is, and its evidence."""
    best: list[tuple[str, float]] = []
    best_entry, best_sum = occurrences[0][2], float("-inf")
    best_at = occurrences[0][:2]
    for n, (first, last, entry) in enumerate(occurrences):
        if entry.points >= 2.0:
            return entry, (first, last), []
        if n and post.cased and plain_place(post.text, post.spans, first, last):
            continue
        found = forms(
            post.text,
            post.spans,
            first,
            last,
            function=entry.function,
            rare=entry.penalty == 0,
            cased=post.cased,
            known=facts.known,
        )
        if facts.kind:  # a neighbour of the other kind (the film Alone) is no evidence
            found = refit(found, post.spans, first, last, facts.kind)
        total = sum(p for _, p in found)
        if total > best_sum:
            best, best_entry, best_sum, best_at = found, entry, total, (first, last)
            if total >= ENOUGH:
                break  # written as a title: later occurrences cannot do better
    if {t for t, _ in best} & _STRONG:
        best = [(t, p) for t, p in best if t not in ("interjection", "common-noun")]
    return best_entry, best_at, best


def _verdict(
    post: Post,
    facts: Facts,
    occurrences: list[tuple[int, int, _Name]],
    thread: bool,
    community: str | None,
) -> Verdict:
    evidence: dict[str, float] = {}
    reads_as_title = thread
    # Whether film words near the name may show that it is the title: not for a function
    # word, a lower-case name in text that uses capitals, or an interjection.
    plain_word = topical = False
    best_at: tuple[int, int] | None = None
    if occurrences:
        entry, best_at, best = _best(post, facts, occurrences)
        evidence[f"name:{entry.name}"] = entry.points
        if entry.penalty:
            evidence[entry.common] = -entry.penalty
        evidence.update(best)
        kinds = {term for term, _ in best}
        reads_as_title = (
            thread
            or len(entry.words) > 1
            or entry.points >= 2.0
            or bool(kinds & _STRONG)
            or "bare-name" in kinds
            or "cast-in" in kinds
            or evidence.get("title-verb", 0) >= _STRONG_VERB
            or (bool(kinds & _WEAK) and entry.penalty < 0.5 and entry.words[0] not in CALENDAR)
            or ("title-verb" in kinds and entry.penalty == 0)
            or (entry.function and "capitalised" in kinds)
        )
        first = occurrences[0][0]
        written = post.text[post.spans[first][0] : post.spans[first][1]]
        plain_word = (
            entry.function
            or entry.words[0] in CALENDAR  # a weekday or a month is a date first
            or (written.islower() and post.cased)
            or (written.isupper() and len(written) > 1)
            or "interjection" in kinds
            or any(t.startswith("other-kind:") for t in kinds)  # "Trust season 1" (a film)
        )
        # Written as a title would be ("Gwendoline Christie leaving Wednesday", "Leo is
        # genuinely charming"), with nothing that reads as the plain word: enough once the
        # post is about film or TV. A weekday or a month is a sentence's subject often
        # enough ("Wednesday is the premiere") that only a capital or a hashtag counts.
        shapes = _WEAK if entry.words[0] in CALENDAR else _TOPICAL
        topical = bool(kinds & shapes) and not (
            kinds & _PLAIN or any(t.startswith(("proper-noun:", "other-kind:")) for t in kinds)
        )
        if facts.season and names_season(post.spans, *best_at, facts.season, facts.season_pairs):
            # the season charting, beside the name: "Wednesday S2", "season two of You"
            evidence[f"season:{facts.season[1]}"] = 1.5
            reads_as_title = reads_as_title or not kinds & _PLAIN
    if thread:
        evidence["thread"] = 1.5
    context = [word for word, phrase in facts.context if post.has(phrase)]
    for word in context[:2]:
        evidence[f"context:{word}"] = 1.5
    if facts.year and "year" not in evidence and post.has((facts.year,)):
        evidence[f"year:{facts.year}"] = 1.0
    near = post.near(best_at)
    film = post.film_words(near, facts.skip)
    platform = post.platform(near)
    sub = (community or "").removeprefix("/").removeprefix("r/").casefold()
    film_sub = film_community(sub)
    reads_as_title = reads_as_title or bool(context) or f"year:{facts.year}" in evidence
    if (film or platform or film_sub) and (topical or not plain_word):
        reads_as_title = True
    if not reads_as_title:
        # An ordinary word ("you", "heat") with nothing that reads as the title.
        evidence["no-title-form"] = 0.0
        score = round(sum(evidence.values()), 2)
        return Verdict(False, score, tuple(evidence), tuple(evidence.items()))
    for word in film[:2]:
        evidence[f"film:{word}"] = 0.75
    if platform:
        evidence[f"platform:{platform}"] = 1.0
    for word, phrase in facts.exclude:
        if post.has(phrase):
            evidence[f"exclude:{word}"] = -3.0
    if film_sub:
        evidence[f"community:{sub}"] = 1.0
    elif sub in CODE_COMMUNITIES:
        evidence[f"community:-{sub}"] = -2.0
    score = round(sum(evidence.values()), 2)
    return Verdict(score >= THRESHOLD, score, tuple(evidence), tuple(evidence.items()))


@lru_cache(maxsize=4096)
def _single(title: Title) -> Matcher:
    return Matcher((title,))


def judge(
    text: str,
    title: Title,
    *,
    community: str | None = None,
    thread_about: bool | None = None,
) -> Verdict:
    """Judge one (post, title) pair with the points rule in the module docstring."""
    threads = (title.name,) if thread_about else ()
    for _, verdict in _single(title).judge(text, community=community, thread_titles=threads):
        return verdict
    return NOT_NAMED


_last: tuple[Collection[Title], Matcher] | None = None


def matcher_for(titles: Collection[Title]) -> Matcher:
    """The matcher for ``titles``, built once while the same collection is passed in."""
    global _last
    if _last is None or _last[0] is not titles or len(_last[1].titles) != len(titles):
        _last = (titles, Matcher(titles))
    return _last[1]

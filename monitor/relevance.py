"""Pure: is this post about this title?

A readable points rule. Each piece of evidence adds or takes points and leaves a term, so
``mentions`` can show why a post was counted. A post is about the title when it names the
title (or sits in a thread about it) and its points reach :data:`THRESHOLD`.

==========================================  ======  ==========================
evidence                                    points  term
==========================================  ======  ==========================
a distinctive name (3+ words), as a phrase  +2.0    ``name:<name>``
a two-word name (Bird Box), as a phrase     +1.0    ``name:<name>``
a one-word name (Nope, Us, Smile)           +0.5    ``name:<name>``
  which counts only with one of the title forms below, a context word or a thread:
… written as a title: #hashtag              +1.0    ``#hashtag``
… in "quotes" or *italics*, or (2022)       +1.0    ``quoted`` / ``year``
… Capitalised mid-sentence                  +1.0    ``capitalised``
… Capitalised opening a sentence + a verb   +1.0    ``title-verb``
  for a singular subject ("Smile is", "Us was"); lower-case ("nope is"): +0.5
… as code (std::Backtrace, backtrace.rs)    -1.5    ``code``
… Capitalised possessive ("Nope's")         +1.0    ``possessive``
… next to a film word ("watched Nope")      +1.0    ``film-phrase``
… in a film site's URL (letterboxd, imdb…)  +1.5    ``url:film``
… in a code site's URL (github…)            -1.5    ``url:code``
… as an opening interjection ("Nope, …")    -1.0    ``interjection``
each context word of the title (max 2)      +1.0    ``context:<word>``
each generic film word (max 2)              +0.5    ``film:<word>``
each exclude word of the title              -3.0    ``exclude:<word>``
a film community (r/movies, r/netflix…)     +1.0    ``community:<name>``
a code community (r/programming, r/rust…)   -2.0    ``community:-<name>``
a comment in a thread about the title       +1.5    ``thread``
==========================================  ======  ==========================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .config import Title

#: The points a post needs to count as about the title.
THRESHOLD = 1.5


def _words(text: str) -> frozenset[str]:
    """A set of words written as one readable block, case-folded."""
    return frozenset(text.casefold().split())


FILM_WORDS = _words(
    """movie movies film films flick watch watched watching rewatch rewatched rewatching
    netflix hulu prime streaming stream trailer trailers cast casting actor actors actress
    acting scene scenes rating rated imdb letterboxd rottentomatoes tomatoes review reviews
    director directed screenplay plot ending sequel prequel thriller horror comedy drama
    cinema theater theaters theatre showtimes episode episodes season series tv box office
    boxoffice spoiler spoilers premiere oscar oscars critics performance soundtrack"""
)
#: Words that, right next to the name, say the name is a title: "watched Nope", "Us trailer".
_NOUNS = r"(?:movie|film|show|series|flick|horror|thriller)"
_VERBS = (
    r"(?:watch|watched|watching|rewatch|rewatched|rewatching|binged|binging|saw|seen"
    r"|finished|started|recommend)"
)
_VERBS_LOWER = r"(?:watched|rewatched|binged|binging)"
_AFTER = (
    r"(?:movie|film|trailer|ending|cast|sequel|soundtrack|season|episode|review|rewatch"
    r"|discussion|spoilers?|is\s+streaming|on\s+(?:netflix|hulu|prime|peacock|paramount\+?"
    r"|max|disney\+?|apple\s*tv\+?|imax|70mm|blu-?ray|dvd))"
)
FILM_COMMUNITIES = _words(
    """movies netflix MovieSuggestions NetflixBestOf horror television boxoffice
    TrueFilm flicks moviescirclejerk shittymoviedetails MovieDetails criterion A24
    letterboxd fullmoviesonyoutube moviecritic NetflixSeries tvPlus television
    PrimeVideo hulu Thrillers horrormovies ScaryMovies cinema FilmDiscussion"""
)
CODE_COMMUNITIES = _words(
    """programming rust cpp C_Programming python golang learnprogramming javascript
    linux linuxquestions webdev ProgrammerHumor csharp java gamedev ExperiencedDevs
    cscareerquestions embedded kernel osdev devops sysadmin node reactjs androiddev
    iOSProgramming swift Kotlin haskell Zig ReverseEngineering compsci"""
)
FILM_SITES = (
    "letterboxd.com",
    "imdb.com",
    "netflix.com",
    "rottentomatoes.com",
    "themoviedb.org",
    "justwatch.com",
    "youtube.com/watch",
    "youtu.be",
    "metacritic.com",
)
CODE_SITES = (
    "github.com",
    "gitlab.com",
    "stackoverflow.com",
    "docs.rs",
    "bugzilla",
    "sourceware.org",
    "docs.python.org",
    "crates.io",
    "pypi.org",
)
_URL = re.compile(r"https?://\S+|(?:www\.)?[a-z0-9-]+\.(?:com|org|io|be|rs)/\S*", re.IGNORECASE)
_WORD = re.compile(r"[a-z]+", re.IGNORECASE)
_CODE_BEFORE = re.compile(r"(?:::|(?<=\w)\.|[`\\])$")
_CODE_AFTER = re.compile(r"^(?:::|\((?!\d{4}\))|`|\.[a-z]{1,4}\b)")
#: Forms that say "this is the title" and outweigh an interjection reading ("Nope, …").
_STRONG_FORMS = frozenset({"#hashtag", "quoted", "year", "film-phrase", "url:film"})
#: Any of these lets an ordinary-word name count.
_TITLE_FORMS = _STRONG_FORMS | {"capitalised", "title-verb", "possessive"}


#: Verbs that, after a name opening a sentence, read it as a singular subject: "Smile is",
#: "Nope gave me chills". After a pronoun-like name only the forms a pronoun cannot take
#: count ("Us is", "You was", not "You made"); subject pronouns (It, We…) get none.
_VERBS_3SG = (
    r"is|has|does|gets|makes|deserves|slaps|rules|sucks|rocks|feels|looks|goes|hits|holds"
    r"|remains|keeps|needs|starts|ends|was"
)
_VERBS_PAST = (
    r"had|did|got|made|gave|deserved|kept|felt|scared|terrified|freaked|ruined|broke|wrecked"
    r"|blew|nailed|delivered|surprised|exceeded|disappointed|really|honestly|lowkey|genuinely"
    r"|absolutely|totally|somehow|still"
)
_OBJECT_PRONOUNS = frozenset({"you", "us", "them", "her", "him", "me"})
_SUBJECT_PRONOUNS = frozenset({"it", "i", "we", "they", "he", "she"})


def _title_verbs(written: str) -> str:
    word = written.casefold()
    if word in _SUBJECT_PRONOUNS:
        return r"(?!)"
    verbs = _VERBS_3SG if word in _OBJECT_PRONOUNS else f"{_VERBS_3SG}|{_VERBS_PAST}"
    return rf"^\s+(?:{verbs})\b"


@dataclass(frozen=True)
class Verdict:
    """Whether a post is about a title, its points, and the terms that decided it."""

    about: bool
    score: float
    terms: tuple[str, ...]


def distinctive(name: str) -> bool:
    """A name of three or more words (The Man from Toronto) rarely means anything else."""
    return len(name.split()) >= 3


@lru_cache(maxsize=1024)
def _phrase(phrase: str) -> re.Pattern[str]:
    """``phrase`` as a whole phrase: any case, #hashtag, possessive, inside a URL slug."""
    words = [re.escape(w) for w in phrase.split()]
    return re.compile(
        r"(?<![\w])(#?)" + r"[\s\-_]*".join(words) + r"(?:['’]s)?(?![\w])", re.IGNORECASE
    )


@lru_cache(maxsize=1024)
def _word(word: str) -> re.Pattern[str]:
    return re.compile(
        r"(?<![\w])" + r"\s+".join(map(re.escape, word.split())) + r"(?![\w])", re.IGNORECASE
    )


def _title_forms(text: str, match: re.Match[str], name: str) -> list[tuple[str, float]]:
    """Evidence from how one occurrence of an ordinary-word name is written."""
    found: list[tuple[str, float]] = []
    start, end = match.span()
    before, after = text[:start], text[end:]
    written = match.group(0).lstrip("#")
    lower = written.islower()
    opening = not before.strip() or bool(re.search(r"[.!?\n]\s*[\"“]?$", before))
    if match.group(1):
        found.append(("#hashtag", 1.0))
    if re.search(r"[\"“*_'‘]\s*$", before) and re.match(r"^\s*[\"”*_'’]", after):
        found.append(("quoted", 1.0))
    if re.match(r"^\s*[(\[]?(?:19|20)\d\d\b", after):
        found.append(("year", 1.0))
    if _CODE_BEFORE.search(before) or _CODE_AFTER.match(after):
        # An identifier or a file: std::backtrace::Backtrace, `Backtrace`, backtrace.rs
        found.append(("code", -1.5))
    elif not lower and not written.isupper():
        if not opening:
            found.append(("capitalised", 1.0))
        elif re.match(_title_verbs(written), after, re.IGNORECASE):
            found.append(("title-verb", 1.0))
        if written.endswith(("'s", "’s")):
            found.append(("possessive", 1.0))
    elif lower and opening and re.match(_title_verbs(written), after):
        found.append(("title-verb", 0.5))
    if opening and re.match(r"^\s*[,!.…]", after):
        found.append(("interjection", -1.0))
    lead = _VERBS_LOWER if lower else rf"{_VERBS}|{_NOUNS}"
    if re.search(rf"\b(?:{lead})\s+(?:the\s+)?$", before, re.IGNORECASE) or re.match(
        rf"^['’]?s?\s*(?:\(\d{{4}}\)\s*)?{_AFTER}\b", after, re.IGNORECASE
    ):
        found.append(("film-phrase", 1.0))
    for url in _URL.finditer(text):
        if url.start() <= start < url.end():
            low = url.group(0).lower()
            if any(site in low for site in FILM_SITES):
                found.append(("url:film", 1.5))
            elif any(site in low for site in CODE_SITES):
                found.append(("url:code", -1.5))
    return found


def judge(
    text: str,
    title: Title,
    *,
    community: str | None = None,
    thread_about: bool | None = None,
) -> Verdict:
    """Judge one (post, title) pair with the points rule in the module docstring."""
    text = text or ""
    evidence: dict[str, float] = {}
    named = False
    for name in title.names:
        for match in _phrase(name).finditer(text):
            named = True
            if distinctive(name):
                evidence[f"name:{name}"] = 2.0
                continue
            evidence.setdefault(f"name:{name}", 1.0 if " " in name.strip() else 0.5)
            for term, points in _title_forms(text, match, name):
                # Each kind of evidence once, at its best over all occurrences.
                evidence[term] = max(points, evidence.get(term, points))
    if thread_about:
        evidence["thread"] = 1.5
    if not named and not thread_about:
        return Verdict(about=False, score=0.0, terms=())
    if "interjection" in evidence and _STRONG_FORMS & evidence.keys():
        del evidence["interjection"]
    context = [w for w in title.context if _word(w).search(text)]
    for word in context[:2]:
        evidence[f"context:{word}"] = 1.0
    reads_as_title = (
        thread_about
        or context
        or any(evidence.get(form, 0) > 0 for form in _TITLE_FORMS)
        or any(" " in n.strip() for n in title.names if f"name:{n}" in evidence)
    )
    if not reads_as_title:
        # An ordinary word ("you", "nope") with nothing that reads as the title.
        return Verdict(about=False, score=0.0, terms=tuple(evidence))
    skip = {w.casefold() for n in (*title.names, *title.context) for w in n.split()}
    film = sorted({w.casefold() for w in _WORD.findall(text)} & FILM_WORDS - skip)
    for word in film[:2]:
        evidence[f"film:{word}"] = 0.5
    for word in title.exclude:
        if _word(word).search(text):
            evidence[f"exclude:{word}"] = -3.0
    sub = (community or "").removeprefix("r/").removeprefix("/r/").casefold()
    if sub in FILM_COMMUNITIES:
        evidence[f"community:{sub}"] = 1.0
    elif sub in CODE_COMMUNITIES:
        evidence[f"community:-{sub}"] = -2.0
    score = round(sum(evidence.values()), 2)
    return Verdict(about=score >= THRESHOLD, score=score, terms=tuple(evidence))

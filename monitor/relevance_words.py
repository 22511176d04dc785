"""The word lists and the word-frequency table that the relevance rule reads.

Everything here is looked up in sets or dicts of case-folded, lightly stemmed tokens, so a
post costs one tokenisation whatever the number of words listed.
"""

from __future__ import annotations

import math
import re
from functools import cache
from importlib import resources

#: Tokens: runs of letters and digits. Apostrophes, hyphens and underscores split them, so
#: "Nope's" gives ``nope`` + ``s`` and "#BirdBox" gives ``birdbox``. Linear on any input.
TOKEN = re.compile(r"[^\W_]+")


#: ASCII characters that are not letters or digits, each mapped to a space.
SEPARATORS = {c: " " for c in range(128) if not chr(c).isalnum()}


def token_list(text: str, start: int = 0, end: int | None = None) -> list[str]:
    """The tokens of ``text[start:end]``, as :data:`TOKEN` finds them (ASCII text is split
    on separators instead, three times faster)."""
    part = text[start:end]
    if part.isascii():
        return part.translate(SEPARATORS).split()
    return TOKEN.findall(part)


def token_spans(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, token) of each token of ``text[start:end]``, as :data:`TOKEN` finds them."""
    part = text[start:end]
    if not part.isascii():
        return [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text, start, end)]
    spaced = part.translate(SEPARATORS)
    find, pos, out = spaced.find, 0, []
    for token in spaced.split():
        at = find(token, pos)
        pos = at + len(token)
        out.append((start + at, start + pos, token))
    return out


def _words(text: str) -> frozenset[str]:
    """A set of words written as one readable block."""
    return frozenset(text.split())


def tokens(text: str) -> list[str]:
    """The case-folded tokens of ``text``."""
    return TOKEN.findall(text.casefold())


def stem(word: str) -> str:
    """A light stem, so "symbolicates", "symbolicated" and "symbolicate" meet."""
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith("ed"):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def stems(words: str) -> frozenset[str]:
    """The stems of the words of one readable block."""
    return frozenset(stem(w) for w in tokens(words))


#: Generic film and TV words: each near the name is evidence (+0.5, at most two).
FILM_WORDS = stems(
    """movie film flick watch watched watching rewatch rewatched binge binged binging
    trailer teaser cast casting actor actress acting scene imdb letterboxd
    rottentomatoes review reviews director directed screenplay plot finale sequel
    prequel thriller horror comedy drama sitcom documentary docuseries miniseries cinema
    theater theatre showtimes episode season series tv boxoffice spoiler premiere oscar
    emmy emmys critics performance soundtrack remake streaming character jumpscare villain
    pilot spinoff reboot animation animated watchlist screentime cliffhanger showrunner
    cinematography show boxoffice award nominated nomination subtitles dubbed romcom
    contestant scifi bigscreen"""
)
#: First words of two-word film words written apart: "box office", "big screen", "sci-fi".
FILM_PAIRS = frozenset({"box", "big", "sci", "rom"})
#: Streaming platforms and channels: one near the name is evidence (+1.0).
PLATFORMS = {
    ("netflix",): "netflix",
    ("hulu",): "hulu",
    ("hbo",): "hbo",
    ("hbo", "max"): "hbo",
    ("peacock",): "peacock",
    ("paramount",): "paramount+",
    ("disney", "plus"): "disney+",
    ("disneyplus",): "disney+",
    ("prime", "video"): "prime video",
    ("primevideo",): "prime video",
    ("apple", "tv"): "apple tv+",
    ("appletv",): "apple tv+",
    ("crunchyroll",): "crunchyroll",
    ("showtime",): "showtime",
    ("imax",): "imax",
    ("fx",): "fx",
    ("amc",): "amc",
    ("bbc",): "bbc",
    ("itv",): "itv",
    ("starz",): "starz",
    ("cbs",): "cbs",
    ("nbc",): "nbc",
    ("pbs",): "pbs",
    ("mubi",): "mubi",
    ("tubi",): "tubi",
    ("shudder",): "shudder",
    ("history", "channel"): "history channel",
}
#: Before the name, these make it read as a title: "watched Heat", "the movie Nope".
VERBS_BEFORE = _words(
    """watch watched watching rewatch rewatched rewatching binge binged binging bingeing
    saw seen finished started recommend stream streamed streaming"""
)
NOUNS_BEFORE = _words("movie film show series documentary doc")
#: Words skipped between such a verb and the name: "watched the Heat", "binged all of Beef".
FILLERS = frozenset({"the", "all", "of", "through"})
#: After the name, these make it read as a title: "Beef season 2", "Heat (1995)", "Us ending".
AFTER_STRICT = _words(
    """season seasons episode episodes ep trailer teaser finale ending spoilers spoiler
    soundtrack ost rewatch"""
)
#: What a title is: "Home is an underrated DreamWorks movie" (see relevance_syntax).
KIND_NOUNS = _words(
    """movie movies film films flick flicks show shows series sitcom sitcoms miniseries
    docuseries documentary documentaries romcom romcoms thriller thrillers comedy comedies
    drama dramas cartoon anime"""
)
#: What a title has, right after its name: "Wednesday's ending", "the Alone contestant".
OWNED_NOUNS = _words(
    """scene scenes ending finale soundtrack ost trailer teaser cast casting contestant
    contestants marketing poster reveal villain twist plot premiere episode episodes season
    seasons director showrunner character characters cinematography dialogue sequel
    prequel reboot remake spoilers rewatch"""
)
#: … and over one word of its own: "the Wednesday dance scene", "the Nope alien reveal".
NEAR_NOUNS = _words(
    """scene scenes ending finale soundtrack trailer cast contestant contestants reveal
    villain twist marketing poster premiere"""
)
#: Film nouns that take the name after "of" or "for": "episode 4 of wednesday".
OF_NOUNS = _words(
    """episode episodes season seasons finale ending trailer teaser cast premiere
    soundtrack sequel remake reboot rewatch spoilers director creators showrunner ep"""
)
#: "Home the DreamWorks movie", "Alone (the History Channel show)".
APPOSITION_NOUNS = _words("movie film show series documentary sitcom miniseries docuseries")
#: … and these too, except after a function word ("two movies", "home movies").
AFTER_LOOSE = AFTER_STRICT | _words(
    "movie movies film films flick show series cast sequel review premiere remake ratings"
)
#: "Heat is on Netflix", "Wednesday now streaming on Netflix": skipped before ``on``.
LINKS_AFTER = frozenset({"is", "now", "streaming", "on"})
_SEASON = re.compile(r"s\d{1,2}(?:e\d{1,3})?|ep\d{1,3}")


def is_season(token: str) -> bool:
    """``s2``, ``s01e03``, ``ep4``: a season or an episode."""
    return _SEASON.fullmatch(token) is not None


def _names(text: str) -> frozenset[str]:
    return frozenset(text.casefold().split())


FILM_COMMUNITIES = _names(
    """movies netflix MovieSuggestions NetflixBestOf horror television boxoffice
    TrueFilm flicks moviescirclejerk shittymoviedetails MovieDetails criterion A24
    letterboxd fullmoviesonyoutube moviecritic NetflixSeries tvPlus television
    PrimeVideo hulu Thrillers horrormovies ScaryMovies cinema FilmDiscussion
    TrueFilm documentaries television tvdetails bingewatching tvshows animation
    okbuddycinephile RealityTV"""
)
#: How a film or TV community's name begins or ends (r/AloneTV, r/horrormovies).
FILM_COMMUNITY_ENDS = (
    "movies",
    "movie",
    "film",
    "films",
    "tv",
    "cinema",
    "television",
    "netflix",
    "shows",
)
FILM_COMMUNITY_STARTS = ("netflix", "movie", "film", "horror", "tv")


def film_community(name: str) -> bool:
    """Whether a case-folded subreddit name (without r/) is about film or TV."""
    return (
        name in FILM_COMMUNITIES
        or name.endswith(FILM_COMMUNITY_ENDS)
        or name.startswith(FILM_COMMUNITY_STARTS)
    )


CODE_COMMUNITIES = _names(
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


@cache
def _zipf_table() -> dict[str, float]:
    """Word -> Zipf frequency, from ``monitor/data/word_zipf.txt`` (see tools/)."""
    table: dict[str, float] = {}
    text = resources.files("monitor").joinpath("data/word_zipf.txt").read_text("utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            value, *words = line.split()
            table.update(dict.fromkeys(words, float(value)))
    return table


#: Words rarer than this (once per million words) are not in the table.
FLOOR = 3.0


def zipf(words: tuple[str, ...]) -> float:
    """How common a name is as ordinary text, on the Zipf scale (7 = "the", 3 = rare).

    A phrase is as common as its words combined the way wordfreq combines them: the
    reciprocal of the summed reciprocal frequencies, a factor of ten rarer per extra word.
    """
    table = _zipf_table()
    if not words:
        return 0.0
    inverse = sum(10 ** -table.get(w, FLOOR - 0.5) for w in words)
    return round(-math.log10(inverse) - (len(words) - 1), 1)


#: Weekday and month names read as dates beside these: "on Wednesday", "Wednesday night".
CALENDAR = _words(
    """monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december"""
)
DATE_BEFORE = _words(
    """on this next last every by until till since from each for out airs aired drops due
    you me us them him her it"""
)
DATE_AFTER = _words("night morning afternoon evening at before after")
#: Before a name, these read it as a common noun: "the heat", "a smile", "my home".
#: After a name opening a sentence, these read it as a singular subject: "Smile is", "Nope
#: gave me chills". Object pronouns (Us, You) take only :data:`VERBS_3SG`, which a pronoun
#: cannot take ("Us is"); subject pronouns (It, We…) take none.
VERBS_3SG = _words(
    """is has does gets makes deserves slaps rules sucks rocks feels looks goes hits holds
    remains keeps needs starts ends was"""
)
VERBS_PAST = VERBS_3SG | _words(
    """had did got made gave deserved kept felt scared terrified freaked ruined broke wrecked
    blew nailed delivered surprised exceeded disappointed aged really honestly lowkey
    genuinely absolutely totally somehow still just only finally also literally actually"""
)
#: Singular verbs that a plural subject, a number or an object pronoun cannot take.
SINGULAR_VERBS = _words("is has was does")
NUMBERS = _words("two three four five six seven eight nine ten twelve twenty hundred thousand")
OBJECT_PRONOUNS = frozenset({"you", "us", "them", "her", "him", "me"})
SUBJECT_PRONOUNS = frozenset({"it", "i", "we", "they", "he", "she"})
#: A bare capitalised common noun after these reads as a name: "Val Kilmer in Heat".
PREPOSITIONS = _words("in of from like than about for into")
DETERMINERS = _words("the a an my your his her our their its this that some no")


def zipf_of(word: str) -> float:
    """How common one case-folded word is (Zipf); words under :data:`FLOOR` get 2.5."""
    return _zipf_table().get(word, FLOOR - 0.5)


def is_function_word(word: str, floor: float | None = None) -> bool:
    """ "you", "us", "two", "home", "the": so common that capitals and neighbours mislead."""
    return _zipf_table().get(word, 0.0) >= (FUNCTION_ZIPF if floor is None else floor)


#: From this Zipf value on a word is a function word (home 5.8, two 6.1, you 7.0).
FUNCTION_ZIPF = 5.5
#: From this Zipf value on a capitalised neighbour is a function word, not a proper noun.
GLUE_ZIPF = 6.0

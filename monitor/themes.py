"""Pure: the words and phrases that set one group of posts apart from the others.

Fightin' Words (Monroe, Colaresi & Quinn 2008, "Fightin' Words: Lexical Feature Selection
and Evaluation for Identifying the Content of Political Conflict"): for each group, the
weighted log-odds ratio of every term against the other groups together, with an
informative Dirichlet prior taken from all the posts, divided by its standard deviation.
The z-score does not over-reward rare words the way a plain ratio does.

Terms are words and two- and three-word phrases in their words' order ("bad it's good"),
counted once per post. A phrase never starts or ends with a stop word; links, @handles,
numbers and the title's own names are cut out (a phrase does not run across them, nor
across punctuation). A term that a longer term nearly always comes with is left out in
favour of the longer one.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

#: Terms found in fewer posts of a group than this are not its themes.
MIN_COUNT = 3
#: A theme's z-score is at least this (95 %, one-sided would be 1.64).
MIN_Z = 1.96
#: The prior's weight, in terms: how much the whole corpus pulls each group's odds.
PRIOR_TERMS = 500.0
#: A shorter term found in a longer one's posts this often gives way to it.
SUBSUMED = 0.7
#: How many themes a group keeps.
TOP = 10

# fmt: off
STOP_WORDS = frozenset(
    """
a about above after again against all am an and any are aren't as at be because been
before being below between both but by can can't cannot could couldn't did didn't do does
doesn't doing don't down during each few for from further had hadn't has hasn't have
haven't having he he'd he'll he's her here here's hers herself him himself his how how's
i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't my
myself no nor not of off on once only or other ought our ours ourselves out over own same
shan't she she'd she'll she's should shouldn't so some such than that that's the their
theirs them themselves then there there's these they they'd they'll they're they've this
those through to too under until up very was wasn't we we'd we'll we're we've were weren't
what what's when when's where where's which while who who's whom why why's with won't would
wouldn't you you'd you'll you're you've your yours yourself yourselves just also im ive dont
didnt cant wont thats its u ur lol get got like really one even still much will now yet
ok oh yeah yes gonna wanna amp via rt
""".split()  # noqa: SIM905
)
# fmt: on

#: A word (the one group), or something a phrase must not run across: a link, a handle,
#: a number, punctuation, an emoji.
_TOKEN = re.compile(
    r"https?://\S+|www\.\S+|(?<![\w@])@[\w.\-]+"
    r"|#?([^\W\d_]+(?:'[^\W\d_]+)*)(?![\w'])"
    r"|\S*\d\S*|\S",
    re.IGNORECASE,
)
#: The same for a text with no link or handle in it (most): a fifth faster.
_PLAIN = re.compile(r"#?([^\W\d_]+(?:'[^\W\d_]+)*)(?![\w'])|\S*\d\S*|\S")


@dataclass(frozen=True)
class Doc:
    """One post to read: the text is a stranger's, escape it before showing it."""

    id: str
    platform: str
    url: str | None
    author: str | None
    created_at: str
    text: str


@dataclass(frozen=True)
class Theme:
    """A term that sets a group apart: z-score, posts that use it, their share, one of them."""

    term: str
    z: float
    count: int
    share: float
    example: Doc


def tokens(text: str, cut: re.Pattern[str] | None = None) -> list[str | None]:
    """Lower-cased words; ``None`` where a phrase must not run across (a link, a handle, a
    number, punctuation, emoji, or what ``cut`` matches: see :func:`names_pattern`)."""
    text = text.replace("\u2019", "'")
    if cut is not None:
        text = cut.sub(" \x00 ", text)
    text = text.lower()
    if "@" in text or "http" in text or "www." in text:
        return [w or None for w in _TOKEN.findall(text)]
    # most words stand alone between spaces: only the rest go through the pattern
    out: list[str | None] = []
    for part in text.split():
        if part.isalpha():
            out.append(part)
        else:
            out += [w or None for w in _PLAIN.findall(part)]
    return out


def names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """What :func:`tokens` cuts out for a title: its names and aliases, as words (with a
    ``#`` before or ``'s`` after), in any case."""
    phrases = sorted(
        {r"\s+".join(re.escape(w) for w in name.split()) for name in names if name.split()},
        key=len,
        reverse=True,
    )
    if not phrases:
        return None
    return re.compile(rf"(?<![\w#])#?(?:{'|'.join(phrases)})(?:'s)?(?![\w'])", re.IGNORECASE)


def terms(words: Sequence[str | None]) -> set[str]:
    """The words and two- and three-word phrases of one post (see the module docstring)."""
    stop = STOP_WORDS
    ends = [w if w is not None and len(w) > 1 and w not in stop else None for w in words]
    out = {w for w in ends if w is not None}
    out.update([f"{a} {b}" for a, b in itertools.pairwise(ends) if a and b])
    middle = words[1:]
    out.update(
        [f"{a} {b} {c}" for a, b, c in zip(ends, middle, ends[2:], strict=False) if a and b and c]
    )
    return out


def _terms_of(docs: Iterable[Doc], cut: re.Pattern[str] | None) -> Iterator[set[str]]:
    for doc in docs:
        yield terms(tokens(doc.text, cut))


def distinctive(
    groups: Sequence[Sequence[Doc]], names: Iterable[str] = (), *, top: int = TOP
) -> list[list[Theme]]:
    """Per group of posts, its themes against all the other groups, best first."""
    cut = names_pattern(names)
    # one count per group, fed every post's set of terms at once
    counts = [Counter(itertools.chain.from_iterable(_terms_of(docs, cut))) for docs in groups]
    total: Counter[str] = Counter()
    for count in counts:
        total.update(count)
    grand = sum(total.values())
    if not grand:
        return [[] for _ in groups]
    sizes = [sum(c.values()) for c in counts]
    out: list[list[Theme]] = []
    for g, count in enumerate(counts):
        rest_size = grand - sizes[g]
        if not rest_size:  # nothing to set it apart from
            out.append([])
            continue
        scored = _z_scores(count, total, sizes[g], rest_size, grand)
        dropped = _subsumed(scored, count)
        kept = [t for t in scored if t not in dropped]
        kept.sort(key=lambda t: (-scored[t], t))
        docs = groups[g]
        examples = _examples(kept[:top], docs, cut)
        out.append(
            [Theme(t, scored[t], count[t], count[t] / len(docs), examples[t]) for t in kept[:top]]
        )
    return out


def _examples(
    wanted: Sequence[str], docs: Sequence[Doc], cut: re.Pattern[str] | None
) -> dict[str, Doc]:
    """The first post using each wanted term (themes are common: found early). A post is
    read only when its text holds every word of a term still wanted."""
    found: dict[str, Doc] = {}
    left = {term: _plain_case(term).split(" ") for term in wanted}
    for doc in docs:
        if not left:
            break
        text = _plain_case(doc.text.replace("\u2019", "'").lower())
        maybe = {term for term, words in left.items() if all(w in text for w in words)}
        if not maybe:
            continue
        for term in maybe & terms(tokens(doc.text, cut)):
            found[term] = doc
            del left[term]
    return found


def _plain_case(text: str) -> str:
    """Lower-cased text with one sigma (a final one depends on what follows it)."""
    return text if text.isascii() else text.replace("\u03c2", "\u03c3")


def _z_scores(
    count: Counter[str], total: Counter[str], size: int, rest_size: int, grand: int
) -> dict[str, float]:
    """The z-score of each term a group uses at least :data:`MIN_COUNT` times, where it
    reaches :data:`MIN_Z`: the log-odds of the group against the rest, each smoothed by
    the prior (all groups), over its standard deviation (Monroe et al. 2008, eq. 16-22)."""
    found = [t for t, y in count.items() if y >= MIN_COUNT]
    if not found:
        return {}
    import numpy as np  # only when there is something to score

    y = np.array([count[t] for t in found], dtype=float)
    every = np.array([total[t] for t in found], dtype=float)
    prior = PRIOR_TERMS * every / grand
    y_rest = every - y
    here = size + PRIOR_TERMS - y - prior
    there = rest_size + PRIOR_TERMS - y_rest - prior
    ok = (here > 0) & (there > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.log((y + prior) / here) - np.log((y_rest + prior) / there)
        z = delta / np.sqrt(1 / (y + prior) + 1 / (y_rest + prior))
    keep = ok & (z >= MIN_Z)
    return {found[i]: float(z[i]) for i in np.flatnonzero(keep).tolist()}


def _subsumed(scored: dict[str, float], count: Counter[str]) -> set[str]:
    """The terms that a longer distinctive term holds in most of the posts using them."""
    out = set()
    for other in scored:
        words = other.split(" ")
        for size in range(1, len(words)):
            for i in range(len(words) - size + 1):
                part = " ".join(words[i : i + size])
                if part in scored and count[other] >= SUBSUMED * count[part]:
                    out.add(part)
    return out

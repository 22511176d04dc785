"""Pure: the words and phrases that set one group of posts apart from the others.

Fightin' Words (Monroe, Colaresi & Quinn 2008, "Fightin' Words: Lexical Feature Selection
and Evaluation for Identifying the Content of Political Conflict"): for each group, the
weighted log-odds ratio of every term against the other groups together, with an
informative Dirichlet prior taken from all the posts, divided by its standard deviation.
The z-score does not over-reward rare words the way a plain ratio does.

Terms are words and two- and three-word phrases in their words' order ("bad it's good"),
counted once per post (:mod:`monitor.theme_terms` says which; :mod:`monitor.theme_counts`
counts them). A term that a longer term nearly always comes with is left out in favour of
the longer one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import theme_counts
from .theme_terms import Names, prepare, terms, tokens

if TYPE_CHECKING:
    import numpy as np

    from .theme_counts import Ints

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


def distinctive(
    groups: Sequence[Sequence[Doc]], names: Iterable[str] = (), *, top: int = TOP
) -> list[list[Theme]]:
    """Per group of posts, its themes against all the other groups, best first."""
    cut = Names.of(names)
    counts = theme_counts.count([[d.text for d in docs] for docs in groups], cut, MIN_COUNT)
    grand = sum(counts.sizes)
    if not grand:
        return [[] for _ in groups]
    out: list[list[Theme]] = []
    for g, docs in enumerate(groups):
        rest_size = grand - counts.sizes[g]
        if not rest_size:  # nothing to set it apart from
            out.append([])
            continue
        z = _z_scores(counts.posts[g], counts.totals[g], counts.sizes[g], rest_size, grand)
        keep = z >= MIN_Z
        spelled = counts.spell(counts.terms[g][keep])
        scored = dict(zip(spelled, z[keep].tolist(), strict=True))
        count = dict(zip(spelled, counts.posts[g][keep].tolist(), strict=True))
        dropped = _subsumed(scored, count)
        kept = [t for t in scored if t not in dropped]
        kept.sort(key=lambda t: (-scored[t], t))
        examples = _examples(kept[:top], docs, cut)
        out.append(
            [Theme(t, scored[t], count[t], count[t] / len(docs), examples[t]) for t in kept[:top]]
        )
    return out


def _examples(wanted: Sequence[str], docs: Sequence[Doc], cut: Names | None) -> dict[str, Doc]:
    """The first post using each wanted term (themes are common: found early). A post is
    read only when its text holds every word of a term still wanted."""
    found: dict[str, Doc] = {}
    left = {term: _plain_case(term).split(" ") for term in wanted}
    for doc in docs:
        if not left:
            break
        text = _plain_case(prepare(doc.text))
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
    count: Ints, total: Ints, size: int, rest_size: int, grand: int
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Each term's z-score (-inf where it has none): the log-odds of the group against the
    rest, each smoothed by the prior (all groups), over its standard deviation (Monroe et
    al. 2008, eq. 16-22)."""
    import numpy as np

    y = count.astype(float)
    prior = PRIOR_TERMS * total / grand
    y_rest = total - y
    here = size + PRIOR_TERMS - y - prior
    there = rest_size + PRIOR_TERMS - y_rest - prior
    ok = (here > 0) & (there > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.log((y + prior) / here) - np.log((y_rest + prior) / there)
        z = delta / np.sqrt(1 / (y + prior) + 1 / (y_rest + prior))
    return np.where(ok & ~np.isnan(z), z, -np.inf)


def _subsumed(scored: dict[str, float], count: dict[str, int]) -> set[str]:
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

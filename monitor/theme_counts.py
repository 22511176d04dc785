"""Pure: in how many posts of each group each term is found, for many posts at once.

The counts are those of reading each post's :func:`~monitor.theme_terms.terms` into a
Counter (:func:`count_slowly`; tests hold the two equal), made in bulk: each distinct chunk
of text is read once (:func:`~monitor.theme_terms.chunk_words`), every post becomes an
array of word ids, and a term is a number made of its words' ids. A group's numbers, each
with its post's number above it, are sorted once to count a term once a post, and once
more to count its posts.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .theme_terms import Names, chunk_words, is_end, terms, tokens

if TYPE_CHECKING:
    import numpy as np

    Ints = np.ndarray[Any, np.dtype[np.signedinteger[Any]]]

#: The bits of a number that holds a post's number and one of its terms.
KEY_BITS = 63
#: Word ids fit in this many bits or the counts are made the slow way: a three-word term
#: takes three ids, and the post's number what is left of :data:`KEY_BITS`.
MAX_WORD_BITS = 20
#: Texts read into chunks at a time.
BATCH = 4096


@dataclass(frozen=True)
class Counts:
    """Per group: the terms found in at least ``least`` of its posts, as numbers in order
    (:meth:`spell` gives their words), with how many of its posts and of all posts use
    each; and its posts' terms, each counted once a post."""

    terms: list[Ints]
    posts: list[Ints]
    totals: list[Ints]
    sizes: list[int]
    spelling: Callable[[list[int]], list[str]]

    def spell(self, numbers: Ints) -> list[str]:
        return self.spelling(numbers.tolist())

    def as_dicts(self) -> tuple[list[dict[str, int]], dict[str, int], list[int]]:
        """Per group its terms' posts, every term's posts in all, the sizes (to compare)."""
        found = []
        total: dict[str, int] = {}
        for numbers, posts, totals in zip(self.terms, self.posts, self.totals, strict=True):
            spelled = self.spell(numbers)
            found.append(dict(zip(spelled, posts.tolist(), strict=True)))
            total.update(zip(spelled, totals.tolist(), strict=True))
        return found, total, self.sizes


def count_slowly(groups: Sequence[Sequence[str]], names: Names | None, least: int) -> Counts:
    """The counts, one post and one term at a time (the reference for :func:`count`)."""
    import numpy as np

    counts = [
        Counter(itertools.chain.from_iterable(terms(tokens(text, names)) for text in texts))
        for texts in groups
    ]
    total: Counter[str] = Counter()
    for c in counts:
        total.update(c)
    every = sorted({t for c in counts for t, n in c.items() if n >= least})
    number = {t: i for i, t in enumerate(every)}
    found = [sorted(number[t] for t, n in c.items() if n >= least) for c in counts]
    return Counts(
        [np.array(f, dtype=np.int64) for f in found],
        [
            np.array([c[every[i]] for i in f], dtype=np.int64)
            for c, f in zip(counts, found, strict=True)
        ],
        [np.array([total[every[i]] for i in f], dtype=np.int64) for f in found],
        [sum(c.values()) for c in counts],
        lambda numbers: [every[i] for i in numbers],
    )


class _Chunks(dict[str, int]):
    """Each distinct chunk's id; its words' ids (0 for a break, runs of breaks as one)."""

    def __init__(self, names: Names | None) -> None:
        super().__init__()
        self.names = names
        self.words: list[str] = [""]
        self.ends: list[bool] = [False]
        self.expansions: list[tuple[int, ...]] = []
        self._ids: dict[str, int] = {}

    def __missing__(self, chunk: str) -> int:
        out: list[int] = []
        for word in chunk_words(chunk if self.names is None else self.names.chunk(chunk)):
            if word is None:
                if not out or out[-1]:
                    out.append(0)
                continue
            number = self._ids.get(word)
            if number is None:
                number = self._ids[word] = len(self.words)
                self.words.append(word)
                self.ends.append(is_end(word))
            out.append(number)
        self[chunk] = len(self.expansions)
        self.expansions.append(tuple(out))
        return self[chunk]


def count(groups: Sequence[Sequence[str]], names: Names | None, least: int) -> Counts:
    """Per group of texts, in how many of its texts each term is found (see :class:`Counts`);
    ``names``: the title's, cut out of the texts."""
    import numpy as np

    chunks = _Chunks(names)
    read = [_chunk_ids(texts, names, chunks) for texts in groups]
    bits = max(len(chunks.words).bit_length(), 1)
    if bits > MAX_WORD_BITS:
        return count_slowly(groups, names, least)
    table = _expansions(chunks)
    end = np.array(chunks.ends, dtype=bool)
    # one group's words at a time: they take four times the memory of its chunk ids
    per_group = [_group_terms(*_words(ids, sizes, table), end, bits) for ids, sizes in read]
    kept = [(codes[posts >= least], posts[posts >= least]) for codes, posts, _ in per_group]
    every = np.sort(np.concatenate([c for c, _ in kept] or [np.zeros(0, dtype=np.int64)]))
    every = every[np.diff(every, prepend=-1) != 0]
    total = np.zeros(len(every), dtype=np.int64)
    for codes, posts, _ in per_group:
        if len(codes):
            at = np.searchsorted(codes, every).clip(max=len(codes) - 1)
            hit = codes[at] == every
            total[hit] += posts[at[hit]]
    return Counts(
        [c for c, _ in kept],
        [n for _, n in kept],
        [total[np.searchsorted(every, c)] for c, _ in kept],
        [size for _, _, size in per_group],
        lambda numbers: _decode(numbers, chunks.words, bits),
    )


def _chunk_ids(texts: Sequence[str], names: Names | None, chunks: _Chunks) -> tuple[Ints, Ints]:
    """Each chunk's id, in order, and how many chunks each text has (a batch of texts at a
    time: their chunks as strings take ten times the memory of their ids)."""
    import numpy as np

    ids, sizes = [], []
    for start in range(0, len(texts), BATCH):
        parts = []
        for text in texts[start : start + BATCH]:
            # (as :func:`~monitor.theme_terms.prepare`, without a call a post)
            text = text.lower() if text.isascii() else text.replace("\u2019", "'").lower()
            if names is not None:
                text = names.text(text)
            parts.append(text.split())
        size = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        flat = itertools.chain.from_iterable(parts)
        ids.append(
            np.fromiter(map(chunks.__getitem__, flat), dtype=np.int32, count=int(size.sum()))
        )
        sizes.append(size)
    if not ids:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
    return np.concatenate(ids), np.concatenate(sizes)


def _expansions(chunks: _Chunks) -> tuple[Ints, Ints, Ints]:
    """Each chunk's count of words and where they start in the flat list of all."""
    import numpy as np

    lengths = np.fromiter(map(len, chunks.expansions), dtype=np.int64, count=len(chunks.expansions))
    flat = np.fromiter(itertools.chain.from_iterable(chunks.expansions), dtype=np.int32)
    return lengths, np.cumsum(lengths) - lengths, flat


def _words(ids: Ints, sizes: Ints, table: tuple[Ints, Ints, Ints]) -> tuple[Ints, Ints]:
    """A group's word ids (0: a break) and each one's post, from its chunk ids."""
    import numpy as np

    lengths, starts, flat = table
    span = lengths[ids]
    end = np.cumsum(span)  # where each chunk's words end
    words = np.empty(int(end[-1]) if len(end) else 0, dtype=np.int32)
    one = span == 1
    words[end[one] - 1] = flat[starts[ids[one]]]
    many = np.flatnonzero(~one)  # a word and punctuation, most of them
    if len(many):
        size = span[many]
        inside = np.arange(int(size.sum()), dtype=np.int64) - np.repeat(
            np.cumsum(size) - size, size
        )
        words[np.repeat(end[many] - size, size) + inside] = flat[
            np.repeat(starts[ids[many]], size) + inside
        ]
    through = np.concatenate(([0], end))[np.cumsum(sizes)]  # words up to each post's end
    per_post = np.diff(through, prepend=0)
    return words, np.repeat(np.arange(len(sizes), dtype=np.int32), per_post)


def _group_terms(ids: Ints, post: Ints, end: Any, bits: int) -> tuple[Ints, Ints, int]:
    """A group's terms (as numbers, sorted), in how many of its posts each is found, and
    its posts' terms counted once a post."""
    import numpy as np

    shift = 3 * bits
    step = 1 << max(KEY_BITS - shift, 0)  # posts whose numbers fit above a term's
    edges = np.searchsorted(post, np.arange(0, int(post[-1]) + 1 if len(post) else 0, step))
    kept = [
        _post_terms(ids[s:e], post[s:e] - post[s], end, bits)
        for s, e in itertools.pairwise([*edges.tolist(), len(ids)])
        if s < e
    ]
    if not kept:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, 0
    codes = np.sort(np.concatenate(kept))
    starts = np.flatnonzero(np.diff(codes, prepend=-1))  # each term's first place
    return codes[starts], np.diff(starts, append=len(codes)), len(codes)


def _post_terms(ids: Ints, post: Ints, end: Any, bits: int) -> Ints:
    """Each post's terms once, as numbers: a word's id; two words' ids side by side, and
    three (a term of one word is below 2**bits, of two below 2**(2*bits))."""
    import numpy as np

    shift = 3 * bits
    ids, post = ids.astype(np.int64), post.astype(np.int64)
    e = end[ids]
    same = post[:-1] == post[1:]
    two = e[:-1] & e[1:] & same
    three = e[:-2] & (ids[1:-1] != 0) & e[2:] & same[:-1] & same[1:]
    a, b = ids[:-1], ids[1:]
    keys = np.concatenate(
        (
            (post[e] << shift) | ids[e],
            (post[:-1][two] << shift) | (a[two] << bits) | b[two],
            (post[:-2][three] << shift)
            | (ids[:-2][three] << 2 * bits)
            | (ids[1:-1][three] << bits)
            | ids[2:][three],
        )
    )
    keys.sort()
    once: Ints = keys[np.diff(keys, prepend=-1) != 0]
    return once & ((1 << shift) - 1)


def _decode(codes: list[int], words: list[str], bits: int) -> list[str]:
    """The terms of their numbers (see :func:`_post_terms`)."""
    mask = (1 << bits) - 1
    out = []
    for code in codes:
        if code <= mask:
            out.append(words[code])
        elif code >> 2 * bits == 0:
            out.append(f"{words[code >> bits]} {words[code & mask]}")
        else:
            out.append(
                f"{words[code >> 2 * bits]} {words[code >> bits & mask]} {words[code & mask]}"
            )
    return out

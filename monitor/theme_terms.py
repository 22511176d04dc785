"""Pure: the words of a post, and its terms (words and two- and three-word phrases).

A text is lower-cased and cut into *chunks* at whitespace. A chunk is a word or breaks into
words and *breaks*: a phrase never runs across a break. A word is letters with apostrophes
inside ("it's"; a trailing one, as in "actors'", is not part of it), a ``#`` before it
dropped; a link, an @handle, a chunk's part holding a digit ("10/10", "s2", "2am"),
punctuation and emoji are breaks. The title's own names are cut out before the text is
chunked (:class:`Names`), and leave a break.

A term is a word, or a phrase of two or three words in their order ("bad it's good"): it
neither starts nor ends with a stop word or a single letter, and counts once per post.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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

#: In a chunk (lower-cased), a word (the one group) or a break: a link, a handle, a part
#: holding a digit, one other character. No match runs across whitespace, so a text's
#: chunks read alone give what the text read whole would.
_CHUNK = re.compile(
    r"https?://\S+|www\.\S+|(?<![\w@])@[\w.\-]+"
    r"|#?([^\W\d_]+(?:'[^\W\d_]+)*)(?!\w)"
    r"|\S*\d\S*|\S"
)
#: What a title's name leaves in its place: a break.
CUT = " \x00 "


def prepare(text: str) -> str:
    """A text as chunks are read from: lower-cased, with one apostrophe."""
    return text.lower() if text.isascii() else text.replace("\u2019", "'").lower()


def chunk_words(chunk: str) -> list[str | None]:
    """The words of one chunk, ``None`` for each break (spaces in it are skipped)."""
    if chunk.isalpha():
        return [chunk]
    return [w or None for w in _CHUNK.findall(chunk)]


@dataclass(frozen=True)
class Names:
    """A title's names and aliases, to cut out of a prepared text as words (a ``#`` before
    or ``'s`` after them), in any case: names of one word from each chunk (one chunk is
    read once however many posts hold it), names of several from the whole text, read only
    when it holds the name's longest word."""

    words: re.Pattern[str] | None
    phrases: re.Pattern[str] | None
    hints: tuple[str, ...]
    single: tuple[str, ...] = ()

    @classmethod
    def of(cls, names: Iterable[str]) -> Names | None:
        split = [prepare(n).split() for n in set(names)]
        one = [w for w in split if len(w) == 1]
        more = [w for w in split if len(w) > 1]
        if not one and not more:
            return None
        hints = tuple({max(w, key=len) for w in more})
        return cls(_pattern(one), _pattern(more), hints, tuple({w[0] for w in one}))

    def text(self, text: str) -> str:
        """A prepared text with its names of several words cut out."""
        if self.phrases is not None and any(h in text for h in self.hints):
            return self.phrases.sub(CUT, text)
        return text

    def chunk(self, chunk: str) -> str:
        """One chunk of such a text with its names of one word cut out."""
        if self.words is None or not any(w in chunk for w in self.single):
            return chunk
        return self.words.sub(CUT, chunk)


def _pattern(names: list[list[str]]) -> re.Pattern[str] | None:
    """Any of the names (lists of words), longest first. Each starts with its first
    word's letters, which the regex engine looks for before anything else; a look-behind
    reads that word again to see that it does not end a longer word."""
    if not names:
        return None
    phrases = []
    for words in sorted(names, key=lambda w: (-len(" ".join(w)), w)):
        first = re.escape(words[0])
        rest = "".join(rf"\s+{re.escape(w)}" for w in words[1:])
        phrases.append(rf"{first}(?<!\w{first}){rest}")
    return re.compile(rf"(?:{'|'.join(phrases)})(?:'s)?(?![\w'])")


def tokens(text: str, names: Names | None = None) -> list[str | None]:
    """Lower-cased words; ``None`` where a phrase must not run across (see the module
    docstring), the ``names`` cut out."""
    text = prepare(text)
    out: list[str | None] = []
    if names is None:
        for chunk in text.split():
            out += chunk_words(chunk)
        return out
    for chunk in names.text(text).split():
        out += chunk_words(names.chunk(chunk))
    return out


def is_end(word: str) -> bool:
    """Whether a term may start or end with ``word``."""
    return len(word) > 1 and word not in STOP_WORDS


def terms(words: Sequence[str | None]) -> set[str]:
    """The terms of one post's words (see the module docstring)."""
    ends = [w if w is not None and is_end(w) else None for w in words]
    out = {w for w in ends if w is not None}
    out.update([f"{a} {b}" for a, b in itertools.pairwise(ends) if a and b])
    middle = words[1:]
    out.update(
        [f"{a} {b} {c}" for a, b, c in zip(ends, middle, ends[2:], strict=False) if a and b and c]
    )
    return out

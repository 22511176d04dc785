"""Pure: the film layer's rewrites of a text before VADER reads it.

A tracked title's names are masked (:func:`mask_titles`: a title called *Nope* or *Smile*
carries no sentiment), and film idioms ("so bad it's good") are folded into one token each
that the layer's lexicon scores (:class:`IdiomWords`). Both give what one regex over the
whole text would, at a fraction of its cost on long posts.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Sequence
from functools import lru_cache

#: What a masked title becomes: a word in no lexicon.
TITLE_TOKEN = "thetitle"


def _phrase_pattern(phrase: str) -> str:
    """A phrase as a regex: any whitespace between words, straight or curly apostrophes."""
    words = [re.escape(w).replace("'", "['’]?") for w in phrase.split()]
    return r"\s+".join(words)


@lru_cache(maxsize=256)
def title_mask(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for every title name, longest first; hashtags and possessives included."""
    names = tuple(sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True))
    if not names:
        return None
    alternation = "|".join(_phrase_pattern(n) for n in names)
    return re.compile(rf"(?<!\w)#?(?:{alternation})(?:['’]s)?(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=256)
def _title_start(names: tuple[str, ...]) -> re.Pattern[str]:
    """The names alone: a search the regex engine runs many times faster than the mask's,
    whose look-behind it must try at every character."""
    alternation = "|".join(_phrase_pattern(n) for n in names if n.strip())
    return re.compile(f"(?:{alternation})", re.IGNORECASE)


def mask_titles(text: str, names: tuple[str, ...]) -> str:
    """``text`` with each title name (a hashtag, a possessive) replaced by
    :data:`TITLE_TOKEN`: the mask's ``sub``, begun where the first name is."""
    mask = title_mask(names)
    if mask is None:
        return text
    first = _title_start(names).search(text)
    if first is None:
        return text
    # a match of the mask holds a name, so none starts before the first name's "#"
    out = []
    last = 0
    for match in mask.finditer(text, max(0, first.start() - 1)):
        out.append(text[last : match.start()])
        out.append(TITLE_TOKEN)
        last = match.end()
    out.append(text[last:])
    return "".join(out)


#: Punctuation to spaces, apostrophes dropped: "so bad it's good!" -> "so bad its good ".
_WORDS_ONLY = str.maketrans(
    {**{c: " " for c in string.punctuation if c != "'"}, "'": None, "’": None}
)
_PUNCTUATION = "".join(c for c in string.punctuation if c != "'").encode("ascii")
_ASCII_WORDS_ONLY = bytes.maketrans(_PUNCTUATION, b" " * len(_PUNCTUATION))


def words_only(text: str) -> str:
    """``text`` through :data:`_WORDS_ONLY`, done on its UTF-8 bytes, many times faster: the
    table changes ASCII bytes only, which no multi-byte character holds."""
    raw = text.replace("’", "").encode("utf-8", "surrogatepass")
    return raw.translate(_ASCII_WORDS_ONLY, b"'").decode("utf-8", "surrogatepass")


class IdiomWords:
    """Which idioms may be in a text: those whose words are all among the text's,
    punctuation aside. The regex decides, over just those: one of every idiom, tried at
    each character of a long post, is the costliest step of the layer."""

    def __init__(self, phrases: Sequence[str]) -> None:
        """``phrases`` in the order the regex tries them."""
        self._by_word: dict[str, list[tuple[int, frozenset[str]]]] = {}
        for index, phrase in enumerate(phrases):
            words = frozenset(words_only(phrase.lower()).split())
            self._by_word.setdefault(max(words, key=len), []).append((index, words))
        self._keys = frozenset(self._by_word)
        self._compiled = tuple(_whole(_phrase_pattern(p)) for p in phrases)
        # the phrase alone: a search that starts with its letters, which the regex engine
        # finds fast, where the whole-word check would be tried at every character
        self._bare = tuple(re.compile(_phrase_pattern(p), re.IGNORECASE) for p in phrases)
        #: Every idiom in one regex, for explanations.
        self.any = _whole("|".join(_phrase_pattern(p) for p in phrases))

    def candidates(self, lowered: str) -> tuple[int, ...]:
        """The indexes of the idioms that may be in ``lowered``, in order."""
        words = set(words_only(lowered).split())
        return tuple(
            sorted(
                index
                for key in self._keys & words
                for index, idiom in self._by_word[key]
                if idiom <= words
            )
        )

    def fold(self, text: str, indexes: tuple[int, ...], repl: Callable[[str], str]) -> str:
        """``text`` with each idiom of ``indexes`` replaced by ``repl(matched text)``.

        The same as one regex of the idioms in their order (the leftmost match first, the
        earlier idiom on a tie), run as one small regex per idiom: an alternation of all
        of them costs a compile per set of candidates."""
        out = []
        last = 0
        while True:
            found = [m for i in indexes if (m := self._search(i, text, last)) is not None]
            if not found:
                break
            match = min(found, key=lambda m: m.start())  # min() keeps the first of equals
            out.append(text[last : match.start()])
            out.append(repl(match.group(0)))
            last = match.end()
        out.append(text[last:])
        return "".join(out)

    def _search(self, index: int, text: str, start: int) -> re.Match[str] | None:
        """The first whole-word match of idiom ``index`` at ``start`` or after: none can
        begin before the first place its phrase is spelled."""
        bare = self._bare[index].search(text, start)
        return None if bare is None else self._compiled[index].search(text, bare.start())


def _whole(alternation: str) -> re.Pattern[str]:
    """A regex of ``alternation`` matching whole words only."""
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)


def normal(phrase: str) -> str:
    return " ".join(phrase.lower().replace("’", "'").replace("'", "").split())

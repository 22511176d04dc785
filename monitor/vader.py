"""VADER's own scoring, unchanged in result, with each token lowercased once per text.

vaderSentiment 3.3.2 lowercases the whole text again for every sentiment word it meets (in
``sentiment_valence`` and ``_special_idioms_check``), which makes long posts quadratic. This
subclass runs the same rules over one list of lowercased tokens; ``tests/test_sentiment.py``
checks it gives plain VADER's scores.
"""

from __future__ import annotations

import heapq
import math
import string

from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    C_INCR,
    N_SCALAR,
    NEGATE,
    SPECIAL_CASES,
    SentimentIntensityAnalyzer,
    normalize,
    scalar_inc_dec,
)

_NEGATE = frozenset(NEGATE)
#: The words of VADER's special-case phrases and of its many-word boosters.
_IDIOM_WORDS = frozenset(
    word for phrase in (*SPECIAL_CASES, *BOOSTER_DICT) if " " in phrase for word in phrase.split()
)
_PUNCT = string.punctuation


def _negated(word: str) -> bool:
    """vaderSentiment's ``negated`` for one lowercased word."""
    return word in _NEGATE or "n't" in word


class FastVader(SentimentIntensityAnalyzer):  # type: ignore[misc]
    """VADER's scoring loop, returning the tokens too."""

    def valences(self, text: str) -> tuple[dict[str, float], list[str]]:
        """VADER's scores of ``text`` and its tokens (one pass)."""
        if not text.isascii():
            text = self._describe_emoji(text)
        # SentiText's tokens: split on whitespace, strip punctuation off words (a token left
        # with two characters or fewer, an emoticon mostly, is kept whole)
        words = [s if len(s := w.strip(_PUNCT)) > 2 else w for w in text.split()]
        lowers = [w.lower() for w in words]
        caps = 0 if text.islower() else sum(map(str.isupper, words))
        cap_diff = 0 < caps < len(words)  # some words shouted, not all
        lexicon = self.lexicon
        # VADER gives 0 to every word outside its lexicon (most words): only the others
        # are looked at, in order
        sentiments = [0.0] * len(words)
        last = len(words) - 1
        for i in [i for i, low in enumerate(lowers) if low in lexicon]:
            low = lowers[i]
            if low in BOOSTER_DICT or (low == "kind" and i < last and lowers[i + 1] == "of"):
                continue
            sentiments[i] = self._valence(i, words, lowers, cap_diff)
        if "but" in lowers:
            _but(sentiments, lowers.index("but"))
        return self._scores(sentiments, text), words

    def _scores(self, sentiments: list[float], text: str) -> dict[str, float]:
        """vaderSentiment's ``score_valence``, summing only the words that carry a valence
        (adding a zero changes no float), in the same order."""
        if not sentiments:
            return {"neg": 0.0, "neu": 0.0, "pos": 0.0, "compound": 0.0}
        felt = [v for v in sentiments if v]
        sum_s = float(sum(felt))
        amplifier = self._punctuation_emphasis(text)
        if sum_s > 0:
            sum_s += amplifier
        elif sum_s < 0:
            sum_s -= amplifier
        compound = normalize(sum_s)
        pos_sum = 0.0
        neg_sum = 0.0
        for v in felt:
            if v > 0:
                pos_sum += v + 1  # VADER's compensation for the neutral words counted as 1
            else:
                neg_sum += v - 1
        neu_count = len(sentiments) - len(felt)
        if pos_sum > math.fabs(neg_sum):
            pos_sum += amplifier
        elif pos_sum < math.fabs(neg_sum):
            neg_sum -= amplifier
        total = pos_sum + math.fabs(neg_sum) + neu_count
        return {
            "neg": round(math.fabs(neg_sum / total), 3),
            "neu": round(math.fabs(neu_count / total), 3),
            "pos": round(math.fabs(pos_sum / total), 3),
            "compound": round(compound, 4),
        }

    def _valence(self, i: int, words: list[str], lowers: list[str], cap_diff: bool) -> float:
        """vaderSentiment's ``sentiment_valence`` for the lexicon word at ``i``."""
        lexicon = self.lexicon
        low = lowers[i]
        valence: float = lexicon[low]
        if low == "no" and i != len(words) - 1 and lowers[i + 1] in lexicon:
            valence = 0.0
        if (
            (i > 0 and lowers[i - 1] == "no")
            or (i > 1 and lowers[i - 2] == "no")
            or (i > 2 and lowers[i - 3] == "no" and lowers[i - 1] in ("or", "nor"))
        ):
            valence = lexicon[low] * N_SCALAR
        if cap_diff and words[i].isupper():
            valence = valence + C_INCR if valence > 0 else valence - C_INCR
        for start_i in range(3):
            j = i - (start_i + 1)
            if i > start_i and lowers[j] not in lexicon:
                s = 0.0
                if lowers[j] in BOOSTER_DICT:
                    s = scalar_inc_dec(words[j], valence, cap_diff)
                if start_i == 1 and s != 0:
                    s = s * 0.95
                if start_i == 2 and s != 0:
                    s = s * 0.9
                valence = valence + s
                valence = self._negation(valence, lowers, start_i, i)
                if start_i == 2:
                    valence = _special_idioms(valence, lowers, i)
        return _least(valence, lowers, i, lexicon)

    @staticmethod
    def _negation(valence: float, lowers: list[str], start_i: int, i: int) -> float:
        """VADER's negation check."""
        if start_i == 0:
            if _negated(lowers[i - 1]):
                valence = valence * N_SCALAR
        elif start_i == 1:
            a, b = lowers[i - 2], lowers[i - 1]
            if a == "never" and (b == "so" or b == "this"):
                valence = valence * 1.25
            elif a == "without" and b == "doubt":
                pass
            elif _negated(a):
                valence = valence * N_SCALAR
        elif start_i == 2:
            a, b, c = lowers[i - 3], lowers[i - 2], lowers[i - 1]
            if (a == "never" and (b == "so" or b == "this")) or (c == "so" or c == "this"):
                valence = valence * 1.25
            elif a == "without" and (b == "doubt" or c == "doubt"):
                pass
            elif _negated(a):
                valence = valence * N_SCALAR
        return valence

    def _describe_emoji(self, text: str) -> str:
        """VADER's own emoji-to-words step (it only matters for non-ASCII text).

        VADER walks the text a character at a time; only its single-character keys can
        match there, so a set test finds the texts with none (most), and the rest are
        rewritten one emoji at a time.
        """
        emojis = self.emojis
        singles = self._singles
        if singles is None:
            singles = self._singles = frozenset(k for k in emojis if len(k) == 1)
        if singles.isdisjoint(text):
            return text.strip()
        out = []
        last = 0
        for at, char in enumerate(text):
            if char in singles:
                out.append(text[last:at])
                # a space before the description unless the text has one there already
                if at and text[at - 1] != " ":
                    out.append(" ")
                out.append(emojis[char])
                last = at + 1
        out.append(text[last:])
        return "".join(out).strip()

    _singles: frozenset[str] | None = None


def _but(sentiments: list[float], at: int) -> None:
    """VADER's ``_but_check`` in place: valences before the first "but" halved, after it
    raised by half.

    VADER finds each valence again with ``list.index``, so a value met twice changes its
    first copy twice; a heap of positions per value keeps that without rescanning. Zeros,
    most of a long post, are skipped: a zero scaled is still zero.
    """
    felt = [k for k, value in enumerate(sentiments) if value]
    where: dict[float, list[int]] = {}
    for k in felt:
        where.setdefault(sentiments[k], []).append(k)  # ascending: already a heap
    for k in felt:  # a zero is never written: only the felt positions change
        value = sentiments[k]
        first = where[value][0]  # where VADER's ``sentiments.index(value)`` lands
        if first == at:
            continue
        heapq.heappop(where[value])
        scaled = value * (0.5 if first < at else 1.5)
        sentiments[first] = scaled
        heapq.heappush(where.setdefault(scaled, []), first)


def _special_idioms(valence: float, lowers: list[str], i: int) -> float:
    """VADER's ``_special_idioms_check`` (called with i ≥ 3)."""
    three, two, one, zero = lowers[i - 3], lowers[i - 2], lowers[i - 1], lowers[i]
    if two not in _IDIOM_WORDS and one not in _IDIOM_WORDS and zero not in _IDIOM_WORDS:
        return valence  # every phrase it looks up holds one of these three words
    onezero = f"{one} {zero}"
    twoonezero = f"{two} {one} {zero}"
    twoone = f"{two} {one}"
    threetwoone = f"{three} {two} {one}"
    threetwo = f"{three} {two}"
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in SPECIAL_CASES:
            valence = SPECIAL_CASES[seq]
            break
    n = len(lowers)
    if n - 1 > i:
        zeroone = f"{zero} {lowers[i + 1]}"
        if zeroone in SPECIAL_CASES:
            valence = SPECIAL_CASES[zeroone]
    if n - 1 > i + 1:
        zeroonetwo = f"{zero} {lowers[i + 1]} {lowers[i + 2]}"
        if zeroonetwo in SPECIAL_CASES:
            valence = SPECIAL_CASES[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in BOOSTER_DICT:
            valence = valence + BOOSTER_DICT[n_gram]
    return valence


def _least(valence: float, lowers: list[str], i: int, lexicon: dict[str, float]) -> float:
    """VADER's ``_least_check``."""
    if i > 1 and lowers[i - 1] not in lexicon and lowers[i - 1] == "least":
        if lowers[i - 2] != "at" and lowers[i - 2] != "very":
            valence = valence * N_SCALAR
    elif i > 0 and lowers[i - 1] not in lexicon and lowers[i - 1] == "least":
        valence = valence * N_SCALAR
    return valence

"""The ``film-3`` model: film-2's layer and calibration, plus a 3-class head for the label.

film-2 (:class:`monitor.sentiment.FilmAnalyzer`) reads review prose well and pushes posts
with no opinion out of the neutral band. film-3 keeps its film layer and its calibrated
compound c₂, runs VADER once, and adds a linear head over the same tokens: each word and
word pair, VADER's scores, c₂, the gate g, and cues such as a question mark or a text with
no sentiment word. Per token the head holds four weights: three class logits (negative /
neutral / positive), which decide the label, and one for a regression on the human ratings
h. The compound is the blend ``a × c₂ + h`` (a fitted; h's weights carry 1 − a), clipped to
[-1, 1] and moved just inside the label's band when the two disagree, so ``label(compound)``
is always the head's label. The neutral logit decides whether a text is neutral; if not, in
a social post the class logits decide its side, in review prose (gate below
:data:`PROSE_GATE`) the compound's sign does. The head is fitted offline
(``tools/fit_head.py``) on GoEmotions Reddit comments, rated tweets and movie-review
snippets, and ships as plain JSON (``monitor/data/film_3.json``) applied in plain Python.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from operator import mul
from typing import Any

from .sentiment import NEUTRAL_BAND, FilmAnalyzer, Scores, load_data

FILM3 = "film-3"
CLASSES = ("negative", "neutral", "positive")
#: The head's dense inputs, in the order :func:`dense` gives them.
DENSE = (
    "compound",
    "pos",
    "neg",
    "neu",
    "compound3",
    "compound_abs_signed",
    "compound_abs",
    "no_sentiment_word",
    "question",
    "ends_with_question",
    "c2",
    "c2_abs",
    "c2_cubed",
    "gate",
    "gate_c2",
    "gate_compound",
)
#: How far inside the neutral band a neutral label puts the compound, at most.
INSIDE = NEUTRAL_BAND - 0.0001
#: Below this gate (review prose, not a social post) the compound's sign, not the class
#: logits, decides positive against negative.
PROSE_GATE = 0.5


def dense(text: str, s: dict[str, float], c2: float, g: float) -> list[float]:
    """The head's :data:`DENSE` inputs for ``text`` (VADER's scores ``s``, film-2's
    compound ``c2``, the gate ``g``)."""
    c = s["compound"]
    return [
        c,
        s["pos"],
        s["neg"],
        s["neu"],
        c * c * c,
        abs(c) * c,
        abs(c),
        float(s["pos"] == 0.0 and s["neg"] == 0.0),
        float("?" in text),
        float(text.rstrip().endswith("?")),
        c2,
        abs(c2),
        c2 * c2 * c2,
        g,
        g * c2,
        g * c,
    ]


def tokens(lowered: list[str], words: set[str] | None = None) -> set[str]:
    """The head's word features: each lowercased token and each pair of neighbours, once
    (``words``: the set of the tokens, when known; it is extended in place)."""
    out = set(lowered) if words is None else words
    out.update(map(" ".join, pairwise(lowered)))
    return out


def snap(compound: float, label: str) -> float:
    """``compound`` moved into ``label``'s side of the ±:data:`NEUTRAL_BAND` band (unchanged
    when it is there already; a neutral label keeps its sign)."""
    if label == "neutral":
        return INSIDE * math.tanh(compound / 0.3)
    if label == "positive":
        return max(compound, NEUTRAL_BAND)
    return min(compound, -NEUTRAL_BAND)


@dataclass
class Explanation:
    """What decided one text's score (see :meth:`Film3Analyzer.explain`)."""

    vader: float  # plain VADER's compound on the raw text
    film_layer: float  # VADER's compound after the film layer
    titles: list[str] = field(default_factory=list)  # masked title names
    idioms: list[str] = field(default_factory=list)
    neutralised: list[str] = field(default_factory=list)  # plot words given no valence
    review_words: list[str] = field(default_factory=list)  # words the film lexicon sets
    gate: float = 0.0
    c2: float = 0.0
    rating: float = 0.0  # the head's regression on the ratings, h (blended with c2)
    blend: float = 1.0  # c2's share a in the compound a × c2 + h
    probabilities: dict[str, float] = field(default_factory=dict)
    top_words: list[tuple[str, float]] = field(default_factory=list)  # head weight toward label
    compound: float = 0.0
    label: str = "neutral"


class Film3Analyzer(FilmAnalyzer):
    """film-2's layer and calibration with the fitted 3-class head (module docstring)."""

    model = FILM3

    def __init__(self, head: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.set_head(head if head is not None else load_data("film_3.json"))

    def set_head(self, head: dict[str, Any]) -> None:
        """Use this head (the JSON ``tools/fit_head.py`` writes)."""
        # Four outputs: the three class logits, then the regression h on the ratings.
        self._head_bias = tuple(float(b) for b in head["bias"])
        weights = head["dense"]
        # per output, one weight per DENSE input
        self._head_dense = tuple(tuple(float(weights[name][k]) for name in DENSE) for k in range(4))
        self._head_words: dict[str, tuple[float, float, float, float]] = {
            k: (float(v[0]), float(v[1]), float(v[2]), float(v[3]))
            for k, v in head["words"].items()
        }
        self._blend = float(head["blend"])

    def score(self, text: str, titles: Iterable[str] = ()) -> Scores:
        if not text or text.isspace():
            return Scores(0.0, 0.0, 0.0, 0.0)
        s, words = self.features(text, titles)
        lowers = [w.lower() for w in words]
        lowered = set(lowers)
        c2, g, _ = self.calibrate(text, s, words, lowered)
        *logits, h = self._outputs(text, s, tokens(lowers, lowered), c2, g)
        compound = max(-1.0, min(1.0, self._blend * c2 + h))  # as _compound, inlined
        final = snap(compound, decide(logits, compound, g))
        return Scores(round(final, 4) + 0.0, s["pos"], s["neu"], s["neg"])

    def _compound(self, c2: float, h: float) -> float:
        """The blend of film-2's compound and the head's regression, in [-1, 1]."""
        return max(-1.0, min(1.0, self._blend * c2 + h))

    def _outputs(
        self, text: str, s: dict[str, float], toks: set[str], c2: float, g: float
    ) -> list[float]:
        """The three class logits and the regression h."""
        x = dense(text, s, c2, g)
        b0, b1, b2, b3 = self._head_bias
        w0, w1, w2, w3 = self._head_dense
        neg = b0 + sum(map(mul, x, w0))
        neu = b1 + sum(map(mul, x, w1))
        pos = b2 + sum(map(mul, x, w2))
        h = b3 + sum(map(mul, x, w3))
        for w_neg, w_neu, w_pos, w_h in filter(None, map(self._head_words.get, toks)):
            neg += w_neg
            neu += w_neu
            pos += w_pos
            h += w_h
        return [neg, neu, pos, h]

    def explain(self, text: str, titles: Iterable[str] = ()) -> Explanation:
        """Each step that moved ``text``'s score, for ``monitor sentiment --explain``."""
        out = Explanation(vader=_plain().polarity_scores(text or "")["compound"], film_layer=0.0)
        if not text or text.isspace():
            return out
        out.titles, out.idioms = self.layer_changes(text, titles)
        s, words = self.features(text, titles)
        lowers = [w.lower() for w in words]
        lowered = set(lowers)
        out.film_layer = s["compound"]
        out.neutralised = sorted(lowered & self._neutral)
        out.review_words = sorted(lowered & self._review)
        out.c2, out.gate, _ = self.calibrate(text, s, words, lowered)
        *logits, out.rating = self._outputs(text, s, tokens(lowers), out.c2, out.gate)
        out.blend = self._blend
        top = max(logits)
        exps = [math.exp(v - top) for v in logits]
        out.probabilities = {c: e / sum(exps) for c, e in zip(CLASSES, exps, strict=True)}
        blended = self._compound(out.c2, out.rating)
        out.label = decide(logits, blended, out.gate)
        k = CLASSES.index(out.label)
        others = [j for j in range(3) if j != k]
        pull = []
        for token in tokens(lowers):
            w = self._head_words.get(token)
            if w is not None:
                pull.append((token, w[k] - max(w[j] for j in others)))
        out.top_words = sorted(pull, key=lambda tw: -abs(tw[1]))[:5]
        out.compound = round(snap(blended, out.label), 4) + 0.0
        return out


def decide(logits: list[float], compound: float, g: float) -> str:
    """The label: neutral when the neutral logit is the highest; else, in review prose
    (gate below :data:`PROSE_GATE`), the sign of the blended compound (the regression on
    the ratings reads prose's polarity better), in a social post the higher class logit
    (the first of equals, in :data:`CLASSES` order)."""
    neg, neu, pos = logits
    if neu > neg and neu >= pos:
        return "neutral"
    if g < PROSE_GATE:
        return "positive" if compound >= 0 else "negative"
    return "negative" if neg >= pos else "positive"


@cache
def _plain() -> Any:
    """Plain VADER, for the explanation's first figure."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()

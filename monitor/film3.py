"""The ``film-3`` model: film-2's layer and calibration, plus a 3-class head for the label.

film-2 (:class:`monitor.sentiment.FilmAnalyzer`) reads review prose well and pushes posts
with no opinion out of the neutral band. film-3 keeps its film layer and its calibrated
compound c₂, runs VADER once, and adds a linear 3-class head (negative / neutral / positive)
over the same tokens: each word and word pair, VADER's scores, c₂, the gate g, and cues such
as a question mark or a text with no sentiment word. The head decides the label; the
compound is c₂ moved just inside the label's band when the two disagree, so
``label(compound)`` is always the head's label. The head is fitted offline
(``tools/fit_sentiment.py``) on GoEmotions Reddit comments, rated tweets and movie-review
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


def tokens(lowered: list[str]) -> set[str]:
    """The head's word features: each lowercased token and each pair of neighbours, once."""
    out = set(lowered)
    out.update(f"{a} {b}" for a, b in pairwise(lowered))
    return out


def snap(c2: float, label: str) -> float:
    """c₂ moved into ``label``'s side of the ±:data:`NEUTRAL_BAND` band (unchanged when it
    is there already)."""
    if label == "neutral":
        return INSIDE * math.tanh(c2 / 0.3)
    if label == "positive":
        return max(c2, NEUTRAL_BAND)
    return min(c2, -NEUTRAL_BAND)


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
        """Use this head (the JSON ``tools/fit_sentiment.py`` writes)."""
        self._head_bias = tuple(float(b) for b in head["bias"])
        weights = head["dense"]
        # per class, one weight per DENSE input
        self._head_dense = tuple(tuple(float(weights[name][k]) for name in DENSE) for k in range(3))
        self._head_words: dict[str, tuple[float, float, float]] = {
            k: (float(v[0]), float(v[1]), float(v[2])) for k, v in head["words"].items()
        }

    def score(self, text: str, titles: Iterable[str] = ()) -> Scores:
        if not text or text.isspace():
            return Scores(0.0, 0.0, 0.0, 0.0)
        s, words = self.features(text, titles)
        lowers = [w.lower() for w in words]
        c2, g, _ = self.calibrate(text, s, words, set(lowers))
        label = _label(self._logits(text, s, lowers, c2, g))
        return Scores(round(snap(c2, label), 4) + 0.0, s["pos"], s["neu"], s["neg"])

    def _logits(
        self, text: str, s: dict[str, float], lowers: list[str], c2: float, g: float
    ) -> list[float]:
        x = dense(text, s, c2, g)
        b0, b1, b2 = self._head_bias
        w0, w1, w2 = self._head_dense
        neg = b0 + sum(map(mul, x, w0))
        neu = b1 + sum(map(mul, x, w1))
        pos = b2 + sum(map(mul, x, w2))
        table = self._head_words
        for w in filter(None, map(table.get, tokens(lowers))):
            neg += w[0]
            neu += w[1]
            pos += w[2]
        return [neg, neu, pos]

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
        logits = self._logits(text, s, lowers, out.c2, out.gate)
        top = max(logits)
        exps = [math.exp(v - top) for v in logits]
        out.probabilities = {c: e / sum(exps) for c, e in zip(CLASSES, exps, strict=True)}
        out.label = _label(logits)
        k = CLASSES.index(out.label)
        others = [j for j in range(3) if j != k]
        pull = []
        for token in tokens(lowers):
            w = self._head_words.get(token)
            if w is not None:
                pull.append((token, w[k] - max(w[j] for j in others)))
        out.top_words = sorted(pull, key=lambda tw: -abs(tw[1]))[:5]
        out.compound = round(snap(out.c2, out.label), 4) + 0.0
        return out


def _label(logits: list[float]) -> str:
    """The class with the highest logit (the first of equals, in :data:`CLASSES` order)."""
    neg, neu, pos = logits
    if neg >= neu and neg >= pos:
        return "negative"
    return "neutral" if neu >= pos else "positive"


@cache
def _plain() -> Any:
    """Plain VADER, for the explanation's first figure."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()

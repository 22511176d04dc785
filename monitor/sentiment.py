"""Pure: text -> sentiment scores. One analyzer per model, built once.

Two models:

- ``vader`` (:data:`VADER`): plain vaderSentiment, for comparison.
- ``film`` (:data:`FILM`, the default): VADER made to read film talk. Before scoring, the
  titles' names are masked (a film called *Killer* is not an opinion) and film idioms
  ("so bad it's good", "guilty pleasure", "not the worst"…) become one token with their own
  valence; plot words (kill, murder, horror…) are dropped from the lexicon and review words
  (tedious, gripping, forgettable…) added. VADER runs once on that. A logistic gate on cheap
  surface cues (:data:`SURFACE`: @handles, #tags, emoji, a lowercase start…) gives g, how
  much the text reads like a social-media post; the compound score is
  g × (social head) + (1 − g) × (review head): the social head recalibrates VADER's own
  scores with a word table fitted on rated tweets, the review head maps VADER's scores plus
  a word table fitted on human-rated movie-review snippets. One ridge regression fits both
  heads together offline (``tools/fit_sentiment.py``). All of it is plain JSON in
  ``monitor/data/``, applied in plain Python.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import repeat
from operator import mul
from typing import Any

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from .errors import ConfigError
from .film_text import TITLE_TOKEN, IdiomWords, mask_titles, normal, title_mask
from .vader import FastVader as _Vader

VADER = "vader-3.3.2"
#: Bump the number whenever the film lexicon or the fitted weights change: stored labels
#: name the version, and ``monitor label`` relabels what an older version labelled.
FILM = "film-2"
#: film-2 with a fitted 3-class head for the label (:mod:`monitor.film3`).
FILM3 = "film-3"
DEFAULT_MODEL = FILM3
ALIASES = {"vader": VADER, "film": FILM3, "film-2": FILM, "film-3": FILM3}
#: The band around zero a compound score must leave to count as positive or negative.
NEUTRAL_BAND = 0.05


@dataclass(frozen=True)
class Scores:
    compound: float
    pos: float
    neu: float
    neg: float

    @property
    def label(self) -> str:
        return label(self.compound)


def label(compound: float) -> str:
    if compound >= NEUTRAL_BAND:
        return "positive"
    if compound <= -NEUTRAL_BAND:
        return "negative"
    return "neutral"


class Analyzer:
    """Plain VADER."""

    model = VADER

    def __init__(self) -> None:
        self._vader = SentimentIntensityAnalyzer()

    def score(self, text: str, titles: Iterable[str] = ()) -> Scores:
        s = self._vader.polarity_scores(text or "")
        return Scores(s["compound"], s["pos"], s["neu"], s["neg"])


# --- the film model ---------------------------------------------------------------------


def load_data(name: str) -> dict[str, Any]:
    """One of the JSON files shipped in ``monitor/data``."""
    data: dict[str, Any] = json.loads(
        resources.files("monitor").joinpath("data", name).read_text(encoding="utf-8")
    )
    return data


def idiom_token(index: int) -> str:
    return f"filmidiom{index}"


#: The social head's inputs: VADER's compound c, pos, neg, c³ and |c|·c.
SOCIAL = ("compound", "pos", "neg", "compound3", "compound_abs")
#: Cheap surface cues of social-media style, in the order the gate's weights name them.
SURFACE = (
    "at",  # an @handle
    "hash",  # a #hashtag
    "url",
    "bang",  # "!"
    "bangs",  # "!!" or "?!" and the like
    "emoji",  # non-ASCII: emoji, mostly
    "emoticon",  # :) ;-) <3 …: a VADER lexicon token without a letter
    "lower_start",
    "no_stop",  # does not end the way a written sentence ends
    "first_person",
    "slang",
    "caps",  # a shouted word: two capitals or more
    "log_words",
)
_FIRST_PERSON = frozenset({"i", "i'm", "im", "my", "me", "i've", "i'll", "ive", "mine"})
_SLANG = frozenset(
    {
        "lol",
        "lmao",
        "omg",
        "haha",
        "hahaha",
        "u",
        "ur",
        "gonna",
        "wanna",
        "idk",
        "tbh",
        "smh",
        "ya",
        "yay",
        "ugh",
        "thx",
        "pls",
        "plz",
        "xd",
        "lmfao",
        "rofl",
        "yall",
        "y'all",
    }
)
_STOPS = frozenset(".\"')”’")


_SHOUT = re.compile(r"\b[A-Z]{2,}[a-z]?\b")


def surface(
    text: str, words: list[str], lowered: set[str], emoticons: frozenset[str]
) -> list[float]:
    """The :data:`SURFACE` cues of ``text`` (``words``: its VADER tokens; ``lowered``: the
    set of them lowercased)."""
    stripped = text.rstrip()
    return [
        "@" in text,
        "#" in text,
        "http" in text or "www." in text,
        "!" in text,
        "!!" in text or "?!" in text or "!?" in text or "??" in text,
        not text.isascii(),
        not emoticons.isdisjoint(words),
        stripped[:1].islower(),
        stripped[-1:] not in _STOPS,
        not _FIRST_PERSON.isdisjoint(lowered),
        not _SLANG.isdisjoint(lowered),
        _SHOUT.search(text) is not None,
        math.log1p(len(words)),
    ]


class FilmAnalyzer(Analyzer):
    """VADER with the film layer and the fitted calibration (see the module docstring)."""

    model = FILM

    def __init__(
        self, lexicon: dict[str, Any] | None = None, weights: dict[str, Any] | None = None
    ) -> None:
        lexicon = lexicon if lexicon is not None else load_data("film_lexicon.json")
        self._core = _Vader()
        table = self._core.lexicon
        #: Plot words the layer took out of VADER's lexicon, and the review words it set.
        self._neutral = frozenset(w for w in lexicon["neutral"] if table.pop(w, None) is not None)
        self._review = frozenset(k.lower() for k in lexicon["lexicon"])
        table.update({k.lower(): float(v) for k, v in lexicon["lexicon"].items()})
        self._idioms: dict[str, str] = {}
        phrases = sorted(lexicon["idioms"], key=len, reverse=True)  # the longest first
        for index, phrase in enumerate(phrases):
            token = idiom_token(index)
            table[token] = float(lexicon["idioms"][phrase])
            self._idioms[normal(phrase)] = token
        self._idiom_words = IdiomWords(phrases)
        self._emoticons = frozenset(k for k in table if not any(c.isalpha() for c in k))
        self.set_weights(weights if weights is not None else load_data("film_weights.json"))

    def set_weights(self, weights: dict[str, Any]) -> None:
        """Use these calibration weights (``{}``: no calibration, VADER on the film layer)."""
        self._bias = float(weights.get("bias", 0.0))
        dense = weights.get("dense", {"compound": 1.0})
        self._w_compound = float(dense.get("compound", 0.0))
        self._w_pos = float(dense.get("pos", 0.0))
        self._w_neg = float(dense.get("neg", 0.0))
        self._words: dict[str, float] = {k: float(v) for k, v in weights.get("words", {}).items()}
        social = weights.get("social", {})
        self._s_bias = float(social.get("bias", 0.0))
        self._s_dense = tuple(float(social.get("dense", {}).get(k, 0.0)) for k in SOCIAL)
        self._s_cues = tuple(float(social.get("cues", {}).get(k, 0.0)) for k in SURFACE)
        self._s_words: dict[str, float] = {k: float(v) for k, v in social.get("words", {}).items()}
        gate = weights.get("gate")
        self._gate: tuple[float, ...] | None = None
        if gate:
            self._gate = (
                float(gate["bias"]),
                *(float(gate["weights"].get(k, 0.0)) for k in SURFACE),
            )

    def features(self, text: str, titles: Iterable[str] = ()) -> tuple[dict[str, float], list[str]]:
        """VADER's scores on the masked, idiom-folded text, and its tokens."""
        names = tuple(titles)
        if names:
            text = mask_titles(text, names)
        found = self._idiom_words.candidates(text.lower())
        if found:
            text = self._idiom_words.fold(text, found, self._fold_idiom)
        return self._core.valences(text)

    def layer_changes(self, text: str, titles: Iterable[str] = ()) -> tuple[list[str], list[str]]:
        """What the layer rewrites in ``text``: the title names it masks, the idioms it folds."""
        mask = title_mask(tuple(titles))
        masked = [m.group(0) for m in mask.finditer(text)] if mask is not None else []
        if mask is not None:
            text = mask.sub(TITLE_TOKEN, text)
        return masked, [m.group(0) for m in self._idiom_words.any.finditer(text)]

    def surface(self, text: str, words: list[str]) -> list[float]:
        """The text's :data:`SURFACE` cues, which the gate weighs."""
        return surface(text, words, set(map(str.lower, words)), self._emoticons)

    def _fold_idiom(self, matched: str) -> str:
        return self._idioms.get(normal(matched), matched)

    def score(self, text: str, titles: Iterable[str] = ()) -> Scores:
        if not text or text.isspace():
            return Scores(0.0, 0.0, 0.0, 0.0)
        s, words = self.features(text, titles)
        compound, _, _ = self.calibrate(text, s, words)
        return Scores(round(compound, 4) + 0.0, s["pos"], s["neu"], s["neg"])  # never "-0.0"

    def calibrate(
        self, text: str, s: dict[str, float], words: list[str], lowered: set[str] | None = None
    ) -> tuple[float, float, list[float]]:
        """The calibrated compound in [-1, 1] from VADER's scores ``s`` and tokens ``words``
        of the film layer's text (``lowered``: the set of them lowercased, when known); the
        gate g; the :data:`SURFACE` cues."""
        c = s["compound"]
        # Each distinct word counts once (a long rant repeating one word is not more sure).
        if lowered is None:
            lowered = set(map(str.lower, words))
        # g: how much the text reads like a social-media post (0: review prose, 1: a
        # tweet), from surface cues. Such posts are read by the social head: VADER's own
        # scores, the cues and a word table fitted on rated tweets.
        cues = surface(text, words, lowered, self._emoticons)
        g = 0.0 if self._gate is None else _gate(self._gate, cues)
        raw = 0.0
        if g < 0.999:
            raw = (1.0 - g) * (
                self._bias
                + self._w_compound * c
                + self._w_pos * s["pos"]
                + self._w_neg * s["neg"]
                + sum(map(self._words.get, lowered, repeat(0.0)))
            )
        if g > 0.001:
            w_c, w_pos, w_neg, w_c3, w_abs = self._s_dense
            raw += g * (
                self._s_bias
                + c * (w_c + abs(c) * w_abs + c * c * w_c3)
                + w_pos * s["pos"]
                + w_neg * s["neg"]
                + sum(map(mul, self._s_cues, cues))
                + sum(map(self._s_words.get, lowered, repeat(0.0)))
            )
        return max(-1.0, min(1.0, raw)), g, cues


def _gate(weights: tuple[float, ...], cues: list[float]) -> float:
    """The logistic gate: ``weights`` is the bias then one weight per :data:`SURFACE` cue."""
    z = weights[0] + sum(map(mul, weights[1:], cues))
    if z < -30.0:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


def version(model: str = DEFAULT_MODEL) -> str:
    """The version ``model`` names (a version or ``vader``/``film``), without loading it."""
    name = ALIASES.get(model, model)
    if name not in (VADER, FILM, FILM3):
        known = ", ".join(sorted({*ALIASES, *ALIASES.values()}))
        raise ConfigError(f"unknown sentiment model {model!r}", hint=f"use one of: {known}")
    return name


def analyzer(model: str = DEFAULT_MODEL) -> Analyzer:
    """The analyzer for ``model`` (a version or ``vader``/``film``), built once per process."""
    return _build(version(model))


@cache
def _build(name: str) -> Analyzer:
    if name == VADER:
        return Analyzer()
    if name == FILM:
        return FilmAnalyzer()
    from .film3 import Film3Analyzer

    return Film3Analyzer()

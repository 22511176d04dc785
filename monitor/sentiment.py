"""Pure: text -> sentiment scores. One analyzer per model, built once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

VADER = "vader-3.3.2"
DEFAULT_MODEL = VADER
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


@cache
def analyzer(model: str = DEFAULT_MODEL) -> Analyzer:
    """The analyzer for ``model``, built once per process."""
    if model in (VADER, "vader"):
        return Analyzer()
    raise ValueError(f"unknown sentiment model {model!r}")

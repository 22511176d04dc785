"""Match a chart's spelling of a title to a tracked title: one rule for every chart."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from ..config import Title

_YEAR = re.compile(r"\s*(?:\(\s*(?:19|20)\d\d\s*\)|(?<=\S)\s+(?:19|20)\d\d)\s*$")
_PUNCT = re.compile(r"[^\w\s]+")
_SPACE = re.compile(r"[\s_]+")


def title_key(name: str) -> str:
    """What two spellings of one title share: ``"Backtrace (2018)"`` -> ``"backtrace"``.

    Case, punctuation and a trailing year (``(2018)`` or `` 2018``) are ignored; letters
    outside ASCII are kept as they are (NFKC-normalised), so "Élite" matches "ÉLITE".
    """
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    text = _YEAR.sub("", text) or text
    text = _PUNCT.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


class TitleMatcher:
    """Finds the tracked title (by ``chart_title`` or name) a chart row is about."""

    def __init__(self, titles: Iterable[Title]) -> None:
        self._by_key: dict[str, str] = {}
        for title in titles:
            for spelling in (title.chart_title, title.name):
                if spelling:
                    self._by_key.setdefault(title_key(spelling), title.name)

    def match(self, chart_title: str) -> str | None:
        """The tracked title's name, or None when the chart row is about something else."""
        return self._by_key.get(title_key(chart_title))

"""Pure: is this post about this title?

A plain whole-phrase match on the title's name and aliases, with ``exclude`` words vetoing.
The signal stage refines the rule; its interface stays :func:`judge`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .config import Title


@dataclass(frozen=True)
class Verdict:
    """Whether a post is about a title, how sure, and the terms that decided it."""

    about: bool
    score: float
    terms: tuple[str, ...]


@lru_cache(maxsize=1024)
def _phrase(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in phrase.split()]
    return re.compile(r"(?<![\w])#?" + r"[\s\-_]*".join(words) + r"(?![\w])", re.IGNORECASE)


def judge(
    text: str,
    title: Title,
    *,
    community: str | None = None,
    thread_about: bool | None = None,
) -> Verdict:
    """Judge one (post, title) pair."""
    terms = [name for name in title.names if _phrase(name).search(text or "")]
    if not terms and thread_about:
        terms.append("thread")
    excluded = [word for word in title.exclude if _phrase(word).search(text or "")]
    score = (1.0 if terms else 0.0) - (1.0 if excluded else 0.0)
    return Verdict(about=score > 0, score=score, terms=tuple(terms + [f"-{w}" for w in excluded]))

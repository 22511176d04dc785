"""What grouping reads of a post (:mod:`monitor.copies`): its opening and its close, and
its normalised words."""

from __future__ import annotations

import itertools
import re
import unicodedata

#: A post longer than HEAD + TAIL characters is read as its first HEAD and last TAIL.
HEAD = 300
TAIL = 300

# (on case-folded text; each starts with a literal, which the regex engine looks for first)
_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"@(?<![\w@]@)[\w.\-]+")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_DIGIT = re.compile(r"[0-9]")
#: ASCII bytes that end a word (all but letters, digits and the apostrophe) -> a space; the
#: bytes of other characters as they are (no byte of a multi-byte character is ASCII)
_BREAKS = bytes(b if chr(b).isalnum() or b == 39 or b > 127 else 32 for b in range(256))
#: an apostrophe that joins no two word characters ends a word
_LONE = re.compile(r"'(?:(?<![^\W_]')|(?![^\W_]))")
#: the marks other than ASCII punctuation that posts hold most
_MARKS = ("\u201c", "\u201d", "\u2018", "\u2013", "\u2014", "\u2026")


def read_part(text: str) -> str:
    """What grouping reads of a post: all of it up to :data:`HEAD` + :data:`TAIL`
    characters; of a longer one, its first :data:`HEAD` and last :data:`TAIL` characters,
    cut at spaces (a copy of a long post shares its opening and its close)."""
    if len(text) <= HEAD + TAIL:
        return text
    head, tail = text[:HEAD], text[-TAIL:]
    if not text[HEAD].isspace() and len(parts := head.rsplit(None, 1)) == 2:
        head = parts[0]  # no word cut in two
    if not text[-TAIL - 1].isspace() and len(parts := tail.split(None, 1)) == 2:
        tail = parts[1]
    return f"{head} {tail}"


def words(text: str) -> list[str]:
    """The normalised words of a post: no links, handles, emoji, punctuation or numbers.

    These are the words :data:`_WORD` finds, found faster: ASCII punctuation, lone
    apostrophes and the commonest marks become spaces (no word runs across them), the text
    is split at spaces, and only a piece that is not one whole word (an emoji in it) goes
    through the regular expression."""
    ascii = text.isascii()
    if ascii:
        text = text.lower()  # the casefold of ASCII
    else:
        text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").casefold()
    if "http" in text or "www." in text:
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _HANDLE.sub(" ", text)
    raw = text.encode("utf-8", "surrogatepass").translate(_BREAKS)
    text = raw.decode("utf-8", "surrogatepass")
    if "'" in text:
        text = _LONE.sub(" ", text)
    if ascii:  # every piece is a word
        pieces = text.split()
        if _DIGIT.search(text) is None:
            return pieces
    else:
        for mark in _MARKS:
            if mark in text:
                text = text.replace(mark, " ")
        pieces = _whole(text.split())
    # digits alone are no word: a counter in a template does not make a new text
    return list(itertools.filterfalse(str.isdigit, pieces))


def _whole(pieces: list[str]) -> list[str]:
    """The words of pieces of text between spaces: each piece that is one word, the words
    of the others (looked for 32 pieces at a time: most pieces are words)."""
    if "".join(pieces).replace("'", "").isalnum():
        return pieces
    out: list[str] = []
    for start in range(0, len(pieces), 32):
        part = pieces[start : start + 32]
        if "".join(part).replace("'", "").isalnum():
            out += part
            continue
        for piece in part:
            if piece.replace("'", "").isalnum():
                out.append(piece)
            else:
                out += _WORD.findall(piece)
    return out

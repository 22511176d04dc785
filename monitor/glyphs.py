"""Text from users and platforms in the figure: every character drawn, or a clear note.

matplotlib's bundled DejaVu Sans has no Chinese, Japanese or Korean glyphs and no emoji.
:func:`use_fallback_fonts` adds whichever CJK and emoji fonts the machine has as fallbacks
(matplotlib picks a font per glyph); :func:`drawable` replaces what no font can draw with
U+25A1 ``□`` and tells the caller, so the figure can say so instead of warning once per
glyph; and it escapes ``$`` so a name is never read as mathtext.
"""

from __future__ import annotations

from functools import lru_cache

from matplotlib import font_manager, rcParams
from matplotlib.ft2font import FT2Font

#: Fonts that draw CJK or emoji, tried in this order after the default when installed.
FALLBACKS = (
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Noto Sans CJK KR",
    "Source Han Sans",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "IPAexGothic",
    "IPAGothic",
    "Noto Sans",
    "Noto Sans Symbols 2",
)
MISSING = "\u25a1"
NOTE = (
    "□ marks characters no installed font can draw (install a CJK font such as "
    "fonts-noto-cjk for them); the HTML page shows every name as written."
)


@lru_cache(maxsize=1)
def _fonts() -> tuple[tuple[str, ...], frozenset[int]]:
    """The font families in use (default first) and every code point one of them draws."""
    installed = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    default = rcParams["font.sans-serif"][0] if rcParams["font.sans-serif"] else "DejaVu Sans"
    families = [default, *(name for name in FALLBACKS if name in installed)]
    covered: set[int] = set()
    for family in families:
        path = installed.get(family) or font_manager.findfont(family)
        try:
            covered |= set(FT2Font(path).get_charmap())
        except (OSError, RuntimeError):
            continue
    return tuple(families), frozenset(covered)


def use_fallback_fonts() -> None:
    """Draw with the default font first, then each installed CJK or emoji font."""
    families, _ = _fonts()
    # a list of family names (not the generic "sans-serif") makes matplotlib fall back
    # from one to the next glyph by glyph
    rcParams["font.family"] = list(families)


def drawable(text: str) -> tuple[str, bool]:
    """``text`` as matplotlib can draw it, and whether a character had to be replaced."""
    _, covered = _fonts()
    out, replaced = [], False
    for char in text:
        if ord(char) >= 0x20 and ord(char) not in covered and not char.isspace():
            out.append(MISSING)
            replaced = True
        elif char.isspace() or ord(char) < 0x20:
            out.append(" ")
        else:
            out.append("\\$" if char == "$" else char)
    return "".join(out), replaced

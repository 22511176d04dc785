"""Language identification: accuracy on short posts, English kept, speed.

``benchmarks/data/short_posts_lang.tsv``: 95 short posts about films and shows written for
this benchmark (30 English, 65 in eleven other languages: Spanish, Portuguese, French,
German, Italian and a few others), ``lang<TAB>text``. Figures: exact language, English posts
read as English, other-language posts kept out. Then, on real English text from
``../shared/data/sentiment/`` (tweets, GoEmotions Reddit comments), the share wrongly kept
out (it would go unscored). Speed: short texts per second on one core (CPU time).

    python -m benchmarks language
"""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.common import Figure
from monitor import language
from tools import fit_head
from tools import fit_sentiment as fit

POSTS = Path(__file__).resolve().parent / "data" / "short_posts_lang.tsv"


def _cpu_rate(texts: list[str]) -> float:
    """Texts per CPU second, the median of five runs."""
    rates = []
    for _ in range(5):
        start = time.process_time()
        for t in texts:
            language.detect(t)
        rates.append(len(texts) / (time.process_time() - start))
    return sorted(rates)[2]


def run() -> list[Figure]:
    rows = [line.rstrip("\n").split("\t", 1) for line in POSTS.open(encoding="utf-8")]
    found = [(lang, language.detect(text)) for lang, text in rows]
    english = [d for lang, d in found if lang == "en"]
    other = [d for lang, d in found if lang != "en"]
    figures = [
        Figure(
            "language",
            "own posts: exact language",
            sum(a == b for a, b in found) / len(found),
            "share",
        ),
        Figure(
            "language",
            "own posts: English read",
            sum(map(language.reads, english)) / len(english),
            "share",
        ),
        Figure(
            "language",
            "own posts: other languages kept out",
            sum(not language.reads(d) for d in other) / len(other),
            "share",
        ),
    ]
    real = {}
    if fit.DATA.is_dir():
        real["tweets"] = [t for _, t in fit.read_tsv(fit.DATA / fit.TWEETS)]
        real["goemotions"] = [
            t for _, _, t in fit_head.read_goemotions(fit.DATA / fit_head.GOEMOTIONS)
        ]
    for name, texts in real.items():
        lost = sum(not language.reads(language.detect(t)) for t in texts) / len(texts)
        figures.append(Figure("language", f"{name}: English kept out", lost, "share"))
    short = real.get("tweets") or [text for _, text in rows] * 40
    figures.append(Figure("language", "short texts/s (1 core, CPU)", _cpu_rate(short), "texts/s"))
    return figures


if __name__ == "__main__":
    from benchmarks.common import print_table

    print_table(run())

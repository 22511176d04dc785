"""Posts of real length and wording for the benchmarks.

Real sentences (tweets, movie-review snippets, product reviews, editorials and Reddit
comments from ``../shared/data/sentiment``, read in place, never copied) are joined into
posts whose lengths follow what Bluesky and Reddit carry: a median near 200 characters,
about 10% over 1,000 and 1% over 5,000 (a log-normal body with a long-post tail). Each
post names the title once, at a random place. The same seed gives the same posts.
"""

from __future__ import annotations

import math
import random
import statistics
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sentiment"
FILES = (
    "tweets.tsv",
    "movie_reviews_dev.tsv",
    "amazon_reviews.tsv",
    "nyt_editorials.tsv",
    "goemotions_reddit.tsv",
)
#: log-normal lengths: median 200; P(> 1,000) = 10%
MU, SIGMA = math.log(200), math.log(5) / 1.2816
LONG_SHARE = 0.006  # plus this share of long posts (5,000 to 20,000 characters)


@cache
def sentences() -> tuple[str, ...]:
    """Every sentence of the shared files (the text column, the last of each line)."""
    found: list[str] = []
    for name in FILES:
        path = DATA / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            text = line.rsplit("\t", 1)[-1].strip()
            if len(text) > 3:
                found.append(text)
    if not found:
        raise SystemExit(f"no sentences under {DATA}: the benchmarks need ../shared beside")
    return tuple(found)


def length(rng: random.Random) -> int:
    """One post's length in characters."""
    if rng.random() < LONG_SHARE:
        return rng.randint(5_000, 20_000)
    return max(12, min(int(rng.lognormvariate(MU, SIGMA)), 40_000))


def post(rng: random.Random, title: str, size: int | None = None) -> str:
    """One post of about ``size`` characters (drawn when None) that names ``title``."""
    pool = sentences()
    size = size or length(rng)
    parts: list[str] = []
    total = 0
    while total < size:
        part = rng.choice(pool)
        parts.append(part)
        total += len(part) + 1
    text = " ".join(parts)[: max(size, 12)]
    at = rng.randint(0, len(text))
    cut = text.rfind(" ", 0, at) + 1
    return f"{text[:cut]}{title} {text[cut:]}".strip()


def posts(count: int, title: str, seed: int = 2018) -> list[str]:
    rng = random.Random(seed)
    return [post(rng, title) for _ in range(count)]


def describe(texts: list[str]) -> str:
    """Median length and the shares over 1,000 and 5,000 characters."""
    sizes = [len(t) for t in texts]
    over = sum(s > 1_000 for s in sizes) / len(sizes)
    huge = sum(s > 5_000 for s in sizes) / len(sizes)
    return f"median {statistics.median(sizes):.0f} chars, {over:.0%} > 1,000, {huge:.1%} > 5,000"

"""Sentiment: film-3 beside plain VADER and film-2 on human-labelled text; texts/s.

For every file in ``../shared/data/sentiment/``: 3-class macro F1, the neutral class's F1
and (rated files) Pearson r of plain VADER, film-2 and film-3, and film-3's 3×3 confusion
matrix. Where a model was fitted on a file its figures are 5-fold cross-validated, refitted
per fold as ``tools/`` does: film-2 on ``movie_reviews_dev.tsv`` and ``tweets.tsv``, film-3 on
those and ``goemotions_reddit.tsv`` (grouped by thread). Needs ``pip install -e '.[fit]'``.
Then speed on one core, language identification included: short texts per second (the
tweets), and characters per second on long posts (1,000–5,000 characters), each beside
plain VADER.

    python -m benchmarks sentiment
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable

from benchmarks.common import Figure
from monitor import language, sentiment
from monitor.film3 import CLASSES
from tools import fit_head
from tools import fit_sentiment as fit

GOEMOTIONS = fit_head.GOEMOTIONS
#: name -> (macro F1 target, neutral F1 target, r target) of film-3
TARGETS = {
    GOEMOTIONS: ("≥ 0.627", "≥ 0.45", ""),
    fit.TWEETS: ("≥ 0.74", "", "≥ 0.88"),
    fit.REVIEWS: ("≥ 0.55", "", "≥ 0.70"),
}


def _labels(values: list[float]) -> list[int]:
    return [CLASSES.index(sentiment.label(v)) for v in values]


def _confusion(truth: list[int], guess: list[int]) -> list[str]:
    lines = ["      truth \\ film-3  negative  neutral  positive"]
    for k, name in enumerate(CLASSES):
        row = [sum(t == k and g == j for t, g in zip(truth, guess, strict=True)) for j in range(3)]
        lines.append(f"      {name:<16} {row[0]:>8} {row[1]:>8} {row[2]:>9}")
    return lines


def _accuracy() -> list[Figure]:
    """The three models on every file; cross-validated where a model was fitted."""
    vader, film2, film3 = (sentiment.analyzer(m) for m in ("vader", "film-2", "film-3"))
    film2_oof = fit_head.cross_validated_c2()
    texts = fit_head.load(film2_oof)
    head_oof = fit_head.cross_validate(texts)
    cv = sentiment.load_data("film_3.json")["cv"]
    weight, blend = cv["neutral_weight"], cv["blend"]
    files: dict[str, tuple[list[int], list[float | None], dict[str, list[float]]]] = {}
    by_source: dict[str, list[int]] = {}
    for i, source in enumerate(texts.source):
        by_source.setdefault(source, []).append(i)
    for source, idx in by_source.items():
        name = GOEMOTIONS if source == "goemotions" else source
        rows = [texts.text[i] for i in idx]
        decided = [fit_head.decide(texts, i, head_oof[i], weight, blend) for i in idx]
        files[name] = (
            [texts.y[i] for i in idx],
            [texts.rating[i] for i in idx],
            {
                "vader": [vader.score(t).compound for t in rows],
                # film-2's cross-validated output where it was fitted (c2), else its own
                "film-2": [texts.c2[i] for i in idx],
                "film-3": [compound for _, compound in decided],
            },
        )
    for path in sorted(fit.DATA.glob("*.tsv")):
        if path.name not in files:
            rated = fit.read_tsv(path)
            files[path.name] = (
                [CLASSES.index(sentiment.label(r / 4)) for r, _ in rated],
                [r for r, _ in rated],
                {
                    name: [m.score(t).compound for _, t in rated]
                    for name, m in (("vader", vader), ("film-2", film2), ("film-3", film3))
                },
            )
    figures = []
    for name, (truth, ratings, scores) in files.items():
        how = "5-fold CV" if name in TARGETS else "not fitted"
        f1s = {m: fit_head.macro_f1(truth, _labels(v)) for m, v in scores.items()}
        f1_target, neutral_target, r_target = TARGETS.get(name, ("", "", ""))
        stem = name.removesuffix(".tsv")
        for m in ("film-2", "film-3"):
            figures.append(
                Figure(
                    "sentiment",
                    f"{stem} F1 {m} ({how})",
                    f1s[m][0],
                    "F1",
                    f1s["vader"][0],
                    "vader",
                    f1_target if m == "film-3" else "",
                )
            )
            figures.append(
                Figure(
                    "sentiment",
                    f"{stem} neutral F1 {m}",
                    f1s[m][1][1],
                    "F1",
                    f1s["vader"][1][1],
                    "vader",
                    neutral_target if m == "film-3" else "",
                )
            )
            if ratings[0] is not None:
                truth_r = [r or 0.0 for r in ratings]
                base = fit.pearson(scores["vader"], truth_r)
                r = fit.pearson(scores[m], truth_r)
                figures.append(
                    Figure(
                        "sentiment",
                        f"{stem} r {m}",
                        r,
                        "r",
                        base,
                        "vader",
                        r_target if m == "film-3" else "",
                    )
                )
        print(f"sentiment: {stem}: film-3 confusion ({how})", file=sys.stderr)
        for line in _confusion(truth, _labels(scores["film-3"])):
            print(line, file=sys.stderr)
    return figures


def _long_posts(sentences: list[str]) -> list[str]:
    """Posts of 1,000–5,000 characters made of consecutive real sentences."""
    rng = random.Random(7)
    posts, i = [], 0
    while i < len(sentences) and len(posts) < 300:
        want, post = rng.randint(1000, 5000), []
        while i < len(sentences) and sum(map(len, post)) < want:
            post.append(sentences[i])
            i += 1
        posts.append(" ".join(post)[:5000])
    return posts


def _cpu_seconds(fn: Callable[[], object], repeat: int) -> float:
    """Median CPU time of ``fn``: one core's work, whatever else the machine runs."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return sorted(times)[repeat // 2]


def _speed(short: list[str], long: list[str]) -> list[Figure]:
    vader, film3 = sentiment.analyzer("vader"), sentiment.analyzer("film-3")
    language.detect("warm up the model")

    def ours(texts: list[str]) -> None:
        for t in texts:
            if language.reads(language.detect(t)):
                film3.score(t)

    def plain(texts: list[str]) -> None:
        for t in texts:
            vader.score(t)

    short_ours = len(short) / _cpu_seconds(lambda: ours(short), repeat=5)
    short_vader = len(short) / _cpu_seconds(lambda: plain(short), repeat=5)
    chars = sum(map(len, long))
    long_ours = chars / _cpu_seconds(lambda: ours(long), repeat=3)
    long_vader = chars / _cpu_seconds(lambda: plain(long), repeat=3)
    return [
        Figure(
            "sentiment",
            "film-3 + language, short texts/s (CPU)",
            short_ours,
            "texts/s",
            short_vader,
            "vader",
            "≥ 20,000",
        ),
        Figure(
            "sentiment",
            "film-3 + language, long chars/s (CPU)",
            long_ours,
            "chars/s",
            long_vader,
            "vader",
            "≥ vader",
        ),
    ]


def run() -> list[Figure]:
    figures: list[Figure] = []
    if not fit.DATA.is_dir():
        print(f"sentiment: {fit.DATA} not found; accuracy figures skipped", file=sys.stderr)
        short = ["Backtrace is so bad it's good, Stallone in a wig", "what a tedious mess"] * 2000
        long = [" ".join(short[:200])[:3000]] * 100
        return _speed(short, long)
    try:
        figures += _accuracy()
    except ImportError:
        print("sentiment: cross-validation needs pip install -e '.[fit]'", file=sys.stderr)
    short = [t for _, t in fit.read_tsv(fit.DATA / fit.TWEETS)]
    sentences = [
        t for name in ("nyt_editorials.tsv", fit.REVIEWS) for _, t in fit.read_tsv(fit.DATA / name)
    ]
    return figures + _speed(short, _long_posts(sentences))


if __name__ == "__main__":
    from benchmarks.common import print_table

    print_table(run())

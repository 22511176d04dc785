"""Sentiment: r and macro F1 against human ratings, film model beside plain VADER; texts/s.

For every file in ``../shared/data/sentiment/``: Pearson r and 3-class macro F1 of plain
VADER and of the film model. On ``movie_reviews_dev.tsv`` and ``tweets.tsv``, the files the film
model is fitted on, its figures are the k-fold cross-validated ones (refitted per fold, as
``benchmarks/fit_sentiment.py`` does), not the in-sample ones. Then short texts per second
for both models on one core.

    python -m benchmarks sentiment
"""

from __future__ import annotations

import sys

from benchmarks.common import Figure, median_seconds
from monitor import sentiment

DEV = "movie_reviews_dev.tsv"
TWEETS = "tweets.tsv"
#: The files the film model is fitted on: their figures are cross-validated.
FITTED = (DEV, TWEETS)


def _cross_validated(
    reviews: list[tuple[float, str]], tweets: list[tuple[float, str]], on_tweets: bool
) -> tuple[float, float]:
    from benchmarks import fit_sentiment as fit

    scale = sentiment.load_data("film_weights.json")["cv"]["scale"]
    model = sentiment.FilmAnalyzer(weights={})
    fold = fit.cross_validate(fit.Data(reviews, model), fit.Data(tweets, model), on_tweets)
    predicted = fit.final(fold, scale)
    return fit.pearson(predicted, fold.truth), fit.macro_f1(predicted, fold.truth)


def run() -> list[Figure]:
    from benchmarks import fit_sentiment as fit

    figures: list[Figure] = []
    vader, film = sentiment.analyzer("vader"), sentiment.analyzer("film")
    if not fit.DATA.is_dir():
        print(f"sentiment: {fit.DATA} not found; accuracy figures skipped", file=sys.stderr)
        files = []
    else:
        files = sorted(fit.DATA.glob("*.tsv"))
    for path in files:
        rows = fit.read_tsv(path)
        truth = [r for r, _ in rows]
        base = [vader.score(t).compound for _, t in rows]
        base_r, base_f1 = fit.pearson(base, truth), fit.macro_f1(base, truth)
        if path.name in FITTED:
            try:
                r, f1 = _cross_validated(
                    fit.read_tsv(fit.DATA / DEV),
                    fit.read_tsv(fit.DATA / TWEETS),
                    path.name == TWEETS,
                )
            except ImportError:
                print(
                    "sentiment: cross-validation needs numpy: pip install -e '.[fit]'",
                    file=sys.stderr,
                )
                continue
            how = f"{fit.FOLDS}-fold CV"
        else:
            mine = [film.score(t).compound for _, t in rows]
            r, f1 = fit.pearson(mine, truth), fit.macro_f1(mine, truth)
            how = "film"
        target_r = "≥ 0.65" if path.name == DEV else "≥ vader" if path.name == TWEETS else ""
        target_f1 = "≥ 0.50" if path.name == DEV else ""
        figures += [
            Figure("sentiment", f"{path.stem} r ({how})", r, "r", base_r, "vader", target_r),
            Figure("sentiment", f"{path.stem} F1 ({how})", f1, "F1", base_f1, "vader", target_f1),
        ]
    texts = _short_texts(files)
    per_second = {}
    for model in (vader, film):
        seconds = median_seconds(lambda m=model: [m.score(t) for t in texts], repeat=5)
        per_second[model.model] = len(texts) / seconds
    figures.append(
        Figure(
            "sentiment",
            "film model short texts/s (1 core)",
            per_second[film.model],
            "texts/s",
            per_second[vader.model],
            "vader",
            "≥ 20,000",
        )
    )
    return figures


def _short_texts(files: list[object]) -> list[str]:
    """Tweets when the shared data is there, else a few typical posts."""
    from benchmarks import fit_sentiment as fit

    tweets = fit.DATA / "tweets.tsv"
    if tweets.exists():
        return [t for _, t in fit.read_tsv(tweets)]
    return [
        "Backtrace is so bad it's good, Stallone in a wig",
        "just watched Nope and the Gordy scene wrecked me 😭",
        "what a tedious, forgettable mess",
    ] * 1000


if __name__ == "__main__":
    from benchmarks.common import print_table

    print_table(run())

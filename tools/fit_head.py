"""Fit film-3's 3-class head offline; write ``monitor/data/film_3.json``.

Training text: GoEmotions Reddit comments (truth: the group with the most votes; ties and
"ambiguous" wins left out), rated tweets and movie-review snippets (truth: the sign of
rating / 4 with the ±0.05 band). Inputs: :func:`monitor.film3.dense` (VADER's scores on the
film layer's text, film-2's compound c₂, the gate) and :func:`monitor.film3.tokens` (words
and word pairs seen in two texts or more). c₂ of a tweet or review is film-2's
cross-validated output (film-2 was fitted on those files), of a comment the shipped film-2's.
A multinomial logistic regression (scikit-learn) for the label, then one extra weight on the
neutral class chosen on the cross-validated outputs; beside it a ridge regression h on the
same inputs (rating / 4 of a tweet or review; −0.5 / 0 / +0.5 for a comment's class, which
weighs less), and the compound's blend a × c₂ + (1 − a) × h with a chosen on the
cross-validated r (:func:`monitor.film3.decide` tells how the label is chosen). Each file
weighs as much as the square root of its share (a tweet or a review counts more than a
comment). 5-fold cross-validation, grouped by thread on the
comments and on film-2's own folds elsewhere, gives the figures; then the head is refitted
on everything.

    python -m tools.fit_head            # fit, report, write the JSON
    python -m tools.fit_head --dry-run  # fit and report only
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from monitor import sentiment
from monitor.film3 import CLASSES, DENSE, FILM3, dense, tokens
from tools import fit_sentiment as fit

GOEMOTIONS = "goemotions_reddit.tsv"
OUT = fit.ROOT / "monitor" / "data" / "film_3.json"
GATE = DENSE.index("gate")
#: Inverse L2 penalty (0.03 / 0.1 / 0.3 / 1 tried), word-frequency cut-off, the neutral
#: weights tried.
C = 0.1
MIN_DF = 2
NEUTRAL_WEIGHTS = (1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.8, 2.0)
#: The regression h: ridge penalty (3 / 10 / 30 tried), the weight of one comment beside one
#: rated text (0 / 0.1 / 0.3 / 1 tried), c₂'s shares a tried in the blend.
ALPHA = 3.0
COMMENT_WEIGHT = 0.3
BLENDS = (0.3, 0.4, 0.5, 0.6, 0.7, 1.0)


def read_goemotions(path: Path) -> list[tuple[str, str, str]]:
    """``(label, thread, text)`` per comment whose vote has one winner that is not ambiguous."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            p = line.rstrip("\n").split("\t")
            votes = {"positive": int(p[4]), "negative": int(p[5]), "ambiguous": int(p[6])}
            votes["neutral"] = int(p[7])
            best = max(votes.values())
            winners = [k for k, v in votes.items() if v == best]
            if len(winners) == 1 and winners[0] != "ambiguous":
                rows.append((winners[0], p[2], p[8]))
    return rows


class Texts:
    """Every training text as the head sees it: source, class, fold, dense inputs, tokens."""

    def __init__(self) -> None:
        self.source: list[str] = []
        self.y: list[int] = []
        self.fold: list[int] = []
        self.rating: list[float | None] = []
        self.c2: list[float] = []
        self.dense: list[list[float]] = []
        self.tokens: list[set[str]] = []
        self.text: list[str] = []

    def add(self, source: str, cls: str, fold: int, rating: float | None, text: str) -> None:
        self.source.append(source)
        self.y.append(CLASSES.index(cls))
        self.fold.append(fold)
        self.rating.append(rating)
        self.text.append(text)


def load(film2_oof: dict[str, list[float]] | None = None) -> Texts:
    """The three files with their inputs. ``film2_oof``: film-2's cross-validated output per
    rated file (``cross_validated_c2``); computed here when not given."""
    film2 = sentiment.analyzer(sentiment.FILM)
    assert isinstance(film2, sentiment.FilmAnalyzer)
    oof = film2_oof if film2_oof is not None else cross_validated_c2()
    texts = Texts()
    threads = sorted({t for _, t, _ in read_goemotions(fit.DATA / GOEMOTIONS)})
    random.Random(fit.SEED).shuffle(threads)
    fold_of = {t: i % fit.FOLDS for i, t in enumerate(threads)}
    for cls, thread, text in read_goemotions(fit.DATA / GOEMOTIONS):
        texts.add("goemotions", cls, fold_of[thread], None, text)
        s, words = film2.features(text)
        c2, g, _ = film2.calibrate(text, s, words)
        texts.c2.append(c2)
        texts.dense.append(dense(text, s, c2, g))
        texts.tokens.append(tokens([w.lower() for w in words]))
    for name in (fit.TWEETS, fit.REVIEWS):
        rows = fit.read_tsv(fit.DATA / name)
        fold_of_row = {i: k for k, held in enumerate(fit.folds(len(rows))) for i in held}
        for i, (rating, text) in enumerate(rows):
            texts.add(name, sentiment.label(rating / 4), fold_of_row[i], rating, text)
            s, words = film2.features(text)
            _, g, _ = film2.calibrate(text, s, words)
            c2 = oof[name][i]
            texts.c2.append(c2)
            texts.dense.append(dense(text, s, c2, g))
            texts.tokens.append(tokens([w.lower() for w in words]))
    return texts


def cross_validated_c2() -> dict[str, list[float]]:
    """film-2's output on each tweet and review from the fold that did not see it."""
    model = sentiment.FilmAnalyzer(weights={})
    reviews = fit.Data(fit.read_tsv(fit.DATA / fit.REVIEWS), model)
    tweets = fit.Data(fit.read_tsv(fit.DATA / fit.TWEETS), model)
    scale = sentiment.load_data("film_weights.json")["cv"]["scale"]
    out = {}
    for name, held_data, on_tweets in ((fit.REVIEWS, reviews, False), (fit.TWEETS, tweets, True)):
        values = [0.0] * len(held_data.y)
        for held, raw in fit.cross_validate_by_fold(reviews, tweets, on_tweets):
            for i, r in zip(held, raw, strict=True):
                values[i] = max(-1.0, min(1.0, scale * r))
        out[name] = values
    return out


def source_weights(texts: Texts, idx: Sequence[int]) -> dict[str, float]:
    """Per source, the weight of one of its texts: sqrt(n / (sources × n_source)), so a
    small file counts more per text than a large one, but less than fully balanced."""
    counts = Counter(texts.source[i] for i in idx)
    n = sum(counts.values())
    return {s: math.sqrt(n / (len(counts) * c)) for s, c in counts.items()}


def fit_head(texts: Texts, idx: Sequence[int]) -> dict[str, Any]:
    """The head fitted on texts ``idx``: bias, dense and word weights of the three class
    logits and of the regression h (JSON-ready)."""
    import numpy as np
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression, Ridge

    df: Counter[str] = Counter()
    for i in idx:
        df.update(texts.tokens[i])
    vocab = sorted(w for w, c in df.items() if c >= MIN_DF)
    col = {w: j for j, w in enumerate(vocab)}
    d = np.array([texts.dense[i] for i in idx])
    mu, sd = d.mean(0), d.std(0) + 1e-9
    rows, cols = [], []
    for r, i in enumerate(idx):
        for w in texts.tokens[i]:
            j = col.get(w)
            if j is not None:
                rows.append(r)
                cols.append(j)
    words = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(idx), len(vocab)))
    x = sparse.hstack([sparse.csr_matrix((d - mu) / sd), words]).tocsr()
    y = np.array([texts.y[i] for i in idx])
    per_source = source_weights(texts, idx)
    model = LogisticRegression(C=C, max_iter=5000)
    model.fit(x, y, sample_weight=np.array([per_source[texts.source[i]] for i in idx]))
    rated = [texts.rating[i] is not None for i in idx]
    target = np.array(
        [r / 4 if (r := texts.rating[i]) is not None else (texts.y[i] - 1) / 2 for i in idx]
    )
    ridge = Ridge(alpha=ALPHA)
    ridge.fit(x, target, sample_weight=np.where(rated, 1.0, COMMENT_WEIGHT))
    coef = np.vstack([model.coef_, ridge.coef_[None, :]])
    bias = np.concatenate([model.intercept_, [ridge.intercept_]])
    nd = len(DENSE)
    dense_w = coef[:, :nd] / sd  # unstandardised: the head reads the raw inputs
    return {
        "bias": [float(b) for b in bias - dense_w @ mu],
        "dense": {name: [float(v) for v in dense_w[:, j]] for j, name in enumerate(DENSE)},
        "words": {w: [float(v) for v in coef[:, nd + j]] for j, w in enumerate(vocab)},
    }


def scaled(head: dict[str, Any], neutral_weight: float, blend: float) -> dict[str, Any]:
    """The head as the run time reads it: the neutral class's bias raised by
    log(neutral_weight), the regression's weights times 1 − ``blend``, rounded, and word
    weights too small to matter left out."""
    h = 1.0 - blend

    def out(values: list[float], digits: int) -> list[float]:
        return [round(v, digits) for v in (*values[:3], h * values[3])]

    bias = list(head["bias"])
    bias[1] += math.log(neutral_weight)
    words = {w: out(v, 4) for w, v in head["words"].items()}
    return {
        "blend": blend,
        "bias": out(bias, 5),
        "dense": {k: out(v, 5) for k, v in head["dense"].items()},
        "words": {w: v for w, v in sorted(words.items()) if max(map(abs, v)) >= 5e-4},
    }


def outputs(head: dict[str, Any], texts: Texts, i: int) -> list[float]:
    """What :class:`monitor.film3.Film3Analyzer` computes from the stored inputs: the three
    class logits and the regression h."""
    out = list(head["bias"])
    for name, x in zip(DENSE, texts.dense[i], strict=True):
        for k in range(4):
            out[k] += head["dense"][name][k] * x
    for w in texts.tokens[i]:
        v = head["words"].get(w)
        if v is not None:
            for k in range(4):
                out[k] += v[k]
    return out


def decide(
    texts: Texts, i: int, out: Sequence[float], neutral_weight: float, blend: float
) -> tuple[int, float]:
    """The class and the final compound of text ``i`` from the head's (unscaled, out-of-fold)
    ``out``puts, as :class:`monitor.film3.Film3Analyzer` gives them."""
    from monitor.film3 import decide, snap

    compound = max(-1.0, min(1.0, blend * texts.c2[i] + (1 - blend) * out[3]))
    logits = [out[0], out[1] + math.log(neutral_weight), out[2]]
    cls = decide(logits, compound, texts.dense[i][GATE])
    return CLASSES.index(cls), snap(compound, cls)


def macro_f1(truth: Sequence[int], guess: Sequence[int]) -> tuple[float, list[float]]:
    """3-class macro F1 and the F1 of each class (in :data:`CLASSES` order)."""
    scores = []
    for k in range(3):
        tp = sum(t == g == k for t, g in zip(truth, guess, strict=True))
        fp = sum(g == k != t for t, g in zip(truth, guess, strict=True))
        fn = sum(t == k != g for t, g in zip(truth, guess, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / 3, scores


def cross_validate(texts: Texts) -> list[list[float]]:
    """Out-of-fold outputs of every text (:func:`outputs`)."""
    out: list[list[float]] = [[] for _ in texts.y]
    for k in range(fit.FOLDS):
        train = [i for i, f in enumerate(texts.fold) if f != k]
        head = fit_head(texts, train)
        for i, f in enumerate(texts.fold):
            if f == k:
                out[i] = outputs(head, texts, i)
    return out


def figures(
    texts: Texts, oof: list[list[float]], weight: float, blend: float
) -> dict[str, dict[str, float]]:
    """Per source: macro F1, neutral F1 and (rated files) Pearson r of the final compound."""
    out = {}
    for source in dict.fromkeys(texts.source):
        idx = [i for i, s in enumerate(texts.source) if s == source]
        guess, compound = zip(*(decide(texts, i, oof[i], weight, blend) for i in idx), strict=True)
        f1, per = macro_f1([texts.y[i] for i in idx], guess)
        row = {"macro_f1": round(f1, 4), "neutral_f1": round(per[1], 4)}
        if texts.rating[idx[0]] is not None:
            row["r"] = round(fit.pearson(compound, [texts.rating[i] or 0.0 for i in idx]), 4)
        out[source] = row
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="report only, write nothing")
    parser.add_argument(
        "--film2-cv",
        type=Path,
        help="JSON file keeping film-2's cross-validated outputs between runs (slow to fit)",
    )
    args = parser.parse_args(argv)
    for name in (GOEMOTIONS, fit.TWEETS, fit.REVIEWS):
        if not (fit.DATA / name).exists():
            print(f"error: {fit.DATA / name} not found (beside the checkout)", file=sys.stderr)
            return 1
    cache: Path | None = args.film2_cv
    if cache is not None and cache.exists():
        film2_oof = json.loads(cache.read_text())
    else:
        film2_oof = cross_validated_c2()
        if cache is not None:
            cache.write_text(json.dumps(film2_oof))
    texts = load(film2_oof)
    oof = cross_validate(texts)
    # c₂'s share in the compound: the best mean r over the rated files; then the neutral
    # weight: the best mean macro F1 over the three files (both cross-validated).
    blend = max(
        BLENDS,
        key=lambda a: sum(f.get("r", 0.0) for f in figures(texts, oof, 1.3, a).values()),
    )
    weight = max(
        NEUTRAL_WEIGHTS,
        key=lambda w: sum(f["macro_f1"] for f in figures(texts, oof, w, blend).values()),
    )
    cv = figures(texts, oof, weight, blend)
    for source, row in cv.items():
        print(f"{source}: {fit.FOLDS}-fold cv {row}")
    head = scaled(fit_head(texts, range(len(texts.y))), weight, blend)
    out = {
        "model": FILM3,
        "fitted_on": [GOEMOTIONS, fit.TWEETS, fit.REVIEWS],
        "classes": list(CLASSES),
        "outputs": [*CLASSES, "rating"],
        "cv": {
            "folds": fit.FOLDS,
            "C": C,
            "min_df": MIN_DF,
            "alpha": ALPHA,
            "comment_weight": COMMENT_WEIGHT,
            "neutral_weight": weight,
            "blend": blend,
            **cv,
        },
        **head,
    }
    print(f"neutral weight {weight}, blend {blend}; {len(out['words'])} word weights")
    if not args.dry_run:
        OUT.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n")
        print(f"wrote {OUT.relative_to(fit.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

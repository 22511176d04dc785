"""Does talk rise before the rank does? Cross-correlation of two daily series, in words.

Pure: lists of numbers in, a :class:`LeadLag` with one honest sentence out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: Shifts tried: from -MAX_LAG to +MAX_LAG days.
MAX_LAG = 14
#: Days of overlap the correlation needs before it says anything.
MIN_LAG_DAYS = 28
#: Fewer posts than this in all and there is nothing to correlate.
MIN_POSTS = 10


@dataclass(frozen=True)
class LeadLag:
    """Cross-correlation of daily mentions with chart strength, and what it means.

    ``lag`` > 0 means talk leads: mentions on day t go with the rank on day t + lag.
    """

    lag: int | None
    r: float | None
    days: int
    correlations: dict[int, float]
    sentence: str


def _pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    n = len(xs)
    if n < 3:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def unsure(days: int, why: str) -> LeadLag:
    """The answer when the data cannot say."""
    return LeadLag(
        None, None, days, {}, f"Not enough data to tell whether talk leads the chart: {why}."
    )


def cross_correlate(talk: Sequence[float], strength: Sequence[float]) -> LeadLag:
    """Correlate ``talk`` (posts per day) with ``strength`` (the chart, higher is better)
    shifted by -14..+14 days, and say in one sentence what that shows and how sure it is."""
    days = len(talk)
    if days - MAX_LAG < MIN_LAG_DAYS:
        return unsure(days, f"{days} days, it needs at least {MIN_LAG_DAYS + MAX_LAG}")
    if sum(talk) < MIN_POSTS:
        return unsure(days, f"only {int(sum(talk))} posts")
    correlations: dict[int, float] = {}
    for lag in range(-MAX_LAG, MAX_LAG + 1):
        if lag >= 0:
            xs, ys = talk[: len(talk) - lag], strength[lag:]
        else:
            xs, ys = talk[-lag:], strength[: len(strength) + lag]
        r = _pearson(xs, ys)
        if r is not None:
            correlations[lag] = r
    if not correlations:
        return unsure(days, "mentions or rank never change")
    best = max(correlations, key=lambda k: (correlations[k], -abs(k)))
    r = correlations[best]
    n = days - abs(best)
    chance = 2 / math.sqrt(n)
    if r < chance:
        return LeadLag(
            None,
            r,
            n,
            correlations,
            f"No clear link between talk and rank: the best match (r = {r:.2f}, "
            f"{_shift(best)}) is within what chance gives over {n} days.",
        )
    strength_word = "strong" if r >= 0.7 else "moderate" if r >= 0.4 else "weak"
    if best == 0:
        what = "Talk and rank move together on the same days"
    elif best > 0:
        what = f"Talk leads the chart by {best} day{'s' * (best != 1)}"
    else:
        what = f"Talk follows the chart by {-best} day{'s' * (best != -1)}"
    return LeadLag(
        best,
        r,
        n,
        correlations,
        f"{what} ({strength_word} link, r = {r:.2f} over {n} days vs {correlations.get(0, 0):.2f} "
        f"same-day; neighbouring days overlap, so read it as a sign, not proof).",
    )


def _shift(lag: int) -> str:
    if lag == 0:
        return "same day"
    return f"talk {abs(lag)} days {'ahead' if lag > 0 else 'behind'}"

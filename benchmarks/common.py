"""Shared benchmark helpers: timing medians and the results table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from monitor.store import Store


@dataclass(frozen=True)
class Figure:
    """One measured figure beside the baseline measured in the same run."""

    stage: str
    what: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_what: str = ""
    target: str = ""


def median_seconds(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of ``fn`` over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def print_table(figures: list[Figure]) -> None:
    head = f"{'stage':<10} {'figure':<38} {'value':>12} {'baseline':>12} {'ratio':>7}  target"
    print(head)
    print("-" * len(head))
    for f in figures:
        base = f"{f.baseline:,.3g}" if f.baseline is not None else "-"
        ratio = f"{f.value / f.baseline:.2f}" if f.baseline else "-"
        print(
            f"{f.stage:<10} {f.what[:38]:<38} {f.value:>12,.4g} {base:>12} {ratio:>7}  "
            f"{f.target} {f.unit}" + (f" (baseline: {f.baseline_what})" if f.baseline_what else "")
        )


@contextmanager
def copies_off() -> Iterator[None]:
    """Ingest as it was before copies were grouped: no grouping when posts are stored (a
    store opened inside must also go through :func:`authors_off`)."""
    from monitor import copies

    real = copies.assign
    copies.assign = lambda db, posts: None
    try:
        yield
    finally:
        copies.assign = real


def authors_off(store: Store) -> None:
    """The daily-total triggers without ``daily_authors``, as before schema 6."""
    from monitor import schema

    schema._create_triggers(store.db, authors=False)

"""Shared benchmark helpers: timing medians and the results table."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
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


_PROBE = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
    "took = time.perf_counter() - start\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(took, peak)\n"
)


def timed_process(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (kB) of ``command`` run as a process of its own."""
    answer = subprocess.run(
        [sys.executable, "-c", _PROBE, *command], check=True, capture_output=True, text=True
    ).stdout.split()
    return float(answer[0]), int(answer[1])


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


@contextmanager
def one_process() -> Iterator[None]:
    """Polls as they were before :mod:`monitor.page_labels`: every page labelled in this
    process, once it is fetched."""
    from monitor.page_labels import Labeller

    real = Labeller.started
    Labeller.started = classmethod(lambda cls: nullcontext(cls()))  # type: ignore[assignment, method-assign]
    try:
        yield
    finally:
        Labeller.started = real  # type: ignore[method-assign]


def authors_off(store: Store) -> None:
    """The daily-total triggers without ``daily_authors``, as before schema 6."""
    from monitor.daily_totals import create_triggers

    create_triggers(store.db, authors=False)

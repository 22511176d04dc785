"""What grouping copies costs ingest: ``store_page`` with grouping beside the same pages
stored without it (no grouping call and the daily-total triggers without
``daily_authors``: :func:`benchmarks.common.copies_off`, :func:`~benchmarks.common.authors_off`),
interleaved in the same run, on four mixes of texts:

* near copies: every post a sentence about the film with one word changed (the MinHash
  path, every text a candidate of others);
* copies of nothing: short posts about the film, twelve to thirty words (the MinHash path,
  look-alike openings);
* real length: posts of real length and wording (``benchmarks/texts.py``), one in ten a
  copy of an earlier one with other case, a link or a word changed;
* exact copies: the same few texts again and again (the exact-hash path, as a poll of a
  templated post).

Each figure is the median over ``GROUPING_REPEAT`` runs (default 9) of wall time, and of
CPU time of the process (steadier on a shared machine: another job's time is not counted).

``python -m benchmarks grouping``
"""

from __future__ import annotations

import contextlib
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import texts
from benchmarks.bluesky import ABOUT, POSTS, TITLE, VARY, _sentence
from benchmarks.common import Figure, authors_off, copies_off, one_process
from monitor.ingest import store_page
from monitor.replay.bluesky import FakeBluesky
from monitor.rows import Row
from monitor.sources.bluesky_rows import post_view_to_row
from monitor.store import Store

REPEAT = int(os.environ.get("GROUPING_REPEAT", "9"))
#: The end-to-end polls: posts (of real length) and runs of each kind.
POLL_POSTS = int(os.environ.get("GROUPING_POLL_POSTS", "10000")) // 1000 * 1000
POLL_REPEAT = int(os.environ.get("GROUPING_POLL_REPEAT", "5"))
KINDS = ("wall", "cpu", "wall_before", "cpu_before")


def _real(rng: random.Random, count: int) -> list[str]:
    """Posts of real length, one in ten a copy of an earlier one (case, a link, a word)."""
    out: list[str] = []
    for text in texts.posts(count, TITLE.name, seed=15):
        if out and rng.random() < 0.1:
            earlier = rng.choice(out)
            change = rng.randrange(3)
            if change == 0:
                text = earlier.upper()
            elif change == 1:
                text = f"{earlier} https://example.com/{rng.randrange(10**6)}"
            else:
                words = earlier.split()
                words[rng.randrange(len(words))] = rng.choice(VARY)
                text = " ".join(words)
        out.append(text)
    return out


def mixes() -> dict[str, list[Row]]:
    fake = FakeBluesky()
    views = fake.generate(POSTS, ABOUT, start=datetime(2026, 11, 1, tzinfo=UTC))
    base = [post_view_to_row(v, "2026-11-23T00:00:00Z") for v in views]
    rng = random.Random(9)
    words = ABOUT.split()
    near = [
        " ".join(rng.choice(VARY) if i == k else w for i, w in enumerate(words))
        for k in (rng.randrange(len(words)) for _ in base)
    ]
    templates = [f"{ABOUT} {tag}" for tag in ("#nowwatching", "on tonight", "again")]
    found = {
        "near copies (a word changed)": near,
        "copies of nothing (12-30 words)": [_sentence(rng) for _ in base],
        "real length, 1 in 10 a copy": _real(rng, len(base)),
        "exact copies (a few texts)": [f"{rng.choice(templates)} ({n})" for n in range(len(base))],
    }
    return {
        name: [{**r, "text": t} for r, t in zip(base, bodies, strict=True)]
        for name, bodies in found.items()
    }


def _store(folder: Path, rows: list[Row], grouping: bool) -> tuple[float, float]:
    """Wall and CPU seconds to store ``rows`` a page of 100 at a time."""
    with Store(folder / f"{time.monotonic_ns()}.db") as store:
        if not grouping:
            authors_off(store)
        store.sync_titles([TITLE])
        pages = [[dict(r) for r in rows[i : i + 100]] for i in range(0, len(rows), 100)]
        wall, cpu = time.perf_counter(), time.process_time()
        with contextlib.nullcontext() if grouping else copies_off():
            for page in pages:
                store_page(store, page, [TITLE])
        return time.perf_counter() - wall, time.process_time() - cpu


def measure(repeat: int = REPEAT) -> dict[str, dict[str, float]]:
    """Per mix, the medians: wall and CPU with grouping (``wall``, ``cpu``) and without
    (``wall_before``, ``cpu_before``), interleaved so that noise hits both alike."""
    out = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, rows in mixes().items():
            runs: dict[str, list[float]] = {k: [] for k in KINDS}
            _store(Path(folder), rows, True)  # warm: imports, models, caches
            for _ in range(repeat):
                for grouping, suffix in ((True, ""), (False, "_before")):
                    wall, cpu = _store(Path(folder), rows, grouping)
                    runs["wall" + suffix].append(wall)
                    runs["cpu" + suffix].append(cpu)
            out[name] = {k: statistics.median(v) for k, v in runs.items()}
    return out


#: The end-to-end configurations: (grouping, worker) of the tool now, of the same without
#: grouping, and of the tool before grouping and the labelling worker.
CONFIGS = {"now": (True, True), "no grouping": (False, True), "before": (False, False)}


def polls(count: int = POLL_POSTS, repeat: int = POLL_REPEAT) -> dict[str, dict[str, float]]:
    """Per platform, the median seconds of a cold poll of ``count`` posts of real length
    through the real client in each of :data:`CONFIGS`, the runs alternating."""
    from benchmarks.throughput import _poll

    bodies = texts.posts(count, TITLE.name)
    out = {}
    with tempfile.TemporaryDirectory() as folder:
        for kind in ("bluesky", "reddit"):
            runs: dict[str, list[float]] = {name: [] for name in CONFIGS}
            for _ in range(repeat):
                for name, (grouping, worker) in CONFIGS.items():
                    with contextlib.nullcontext() if worker else one_process():
                        seconds = _poll(kind, bodies, Path(folder), 1, grouping=grouping)
                    runs[name].append(seconds)
            out[kind] = {name: statistics.median(v) for name, v in runs.items()}
    return out


def run() -> list[Figure]:
    figures = []
    for kind, m in polls().items():
        figures += [
            Figure(
                "grouping",
                f"{kind} poll/s, {POLL_POSTS:,} posts of real length",
                POLL_POSTS / m["now"],
                "posts/s",
                POLL_POSTS / m["before"],
                "the poll before grouping (and before the labelling worker)",
                "≥ 0.90×",
            ),
            Figure(
                "grouping",
                f"{kind} poll/s, the same",
                POLL_POSTS / m["now"],
                "posts/s",
                POLL_POSTS / m["no grouping"],
                "the same poll, labelling worker and all, without grouping",
                "",
            ),
        ]
    for name, m in measure().items():
        for kind in ("wall", "cpu"):
            figures.append(
                Figure(
                    "grouping",
                    f"store_page/s ({kind}), {name}",
                    POSTS / m[kind],
                    "posts/s",
                    POSTS / m[f"{kind}_before"],
                    "the same without grouping (before)",
                    "≥ 0.90×",
                )
            )
    return figures


if __name__ == "__main__":
    from benchmarks.common import print_table

    print_table(run())

"""Themes: the distinctive words and phrases of each phase, from the stored text of
100,000 posts, beside a bare SQL read of the same texts in the same run.

``python -m benchmarks themes``. Target: under 5 s, for short posts and for posts of real
length (``benchmarks/texts.py``: 53 MB of text in all).
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from benchmarks import texts
from benchmarks.common import Figure, median_seconds
from monitor import themes
from monitor.store import Store

POSTS = 100_000
PHASES = 5
FIRST_DAY = date(2024, 1, 1)
DAYS = 100

# fmt: off
OPENERS = ["Just watched Backtrace", "Finally saw it", "Backtrace on Netflix tonight",
           "My partner picked Backtrace", "Gave Backtrace a go", "Rewatched Backtrace",
           "Caught Backtrace late", "Started Backtrace after dinner"]
WORDS = [
    "heist", "flashback", "amnesia", "detective", "hospital", "chase", "diner", "soundtrack",
    "lighting", "grey", "plot", "twist", "ending", "cast", "dialogue", "pacing", "wig",
    "villain", "monologue", "parking", "garage", "memory", "drug", "cameo", "poster",
    "trailer", "review", "rating", "sequel", "director", "script", "scene", "boring", "dreary",
    "fun", "cheesy", "silly", "dumb", "great", "terrible", "awful", "brilliant", "slow",
    "loud", "confusing", "gorgeous", "lazy", "wild", "weird", "cozy", "tense", "messy",
]
PLANTED = ["so bad it's good", "Stallone steals it", "the amnesia plot", "guilty pleasure",
           "left the top ten"]
# fmt: on


def _texts(seed: int = 15, real: bool = False) -> list[tuple[str, str]]:
    """(created_at, text) of POSTS posts over DAYS days; phase p plants PLANTED[p].
    ``real``: posts of real length and wording (:mod:`benchmarks.texts`)."""
    rng = random.Random(seed)
    out = []
    for n in range(POSTS):
        day = n * DAYS // POSTS
        phase = day * PHASES // DAYS
        if real:
            text = texts.post(rng, "Backtrace")
        else:
            words = " ".join(rng.choices(WORDS, k=rng.randint(6, 25)))
            text = f"{rng.choice(OPENERS)}: {words}."
        if rng.random() < 0.3:
            text += f" {PLANTED[phase]}!"
        created = (FIRST_DAY + timedelta(days=day)).isoformat() + f"T{n % 24:02d}:00:00Z"
        out.append((created, text))
    return out


def _database(folder: Path, real: bool = False) -> Path:
    path = folder / ("themes-real.db" if real else "themes.db")
    Store(path).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("insert into titles (name, slug) values ('Backtrace', 'backtrace')")
        rows = _texts(real=real)
        conn.executemany(
            "insert into posts (id, platform, native_id, text, created_at) "
            "values (?, 'bluesky', ?, ?, ?)",
            [(f"bluesky:{n}", str(n), text, created) for n, (created, text) in enumerate(rows)],
        )
        conn.executemany(
            "insert into mentions (post_id, title, relevance, terms) "
            "values (?, 'Backtrace', 1.0, '[]')",
            [(f"bluesky:{n}",) for n in range(len(rows))],
        )
    conn.close()
    return path


def _measure(real: bool, repeat: int) -> tuple[float, float, float, int]:
    """Median wall and CPU seconds of the themes of PHASES phases, a bare read of the same
    texts, and how many phases have their planted phrase in their top 3."""
    with tempfile.TemporaryDirectory() as folder:
        db = _database(Path(folder), real)
        store = Store(db)
        span = DAYS // PHASES
        bounds = [
            (FIRST_DAY + timedelta(days=p * span), FIRST_DAY + timedelta(days=(p + 1) * span - 1))
            for p in range(PHASES)
        ]
        found: list[list[themes.Theme]] = []

        def themes_of_phases() -> None:
            groups = []
            for first, last in bounds:
                rows = store.db.execute(
                    "select p.id, p.platform, p.url, p.author, p.created_at, p.text "
                    "from posts p where p.created_at >= ? and p.created_at < ? "
                    "and exists (select 1 from mentions m where m.post_id = p.id "
                    "and m.title = 'Backtrace')",
                    [first.isoformat(), last.isoformat() + "T99"],
                )
                groups.append([themes.Doc(*r) for r in rows])
            found[:] = themes.distinctive(groups, ["Backtrace"])

        def bare_read() -> None:
            conn = sqlite3.connect(db)
            conn.execute("select text from posts").fetchall()
            conn.close()

        wall, cpu = [], []
        for _ in range(repeat):  # CPU: on a busy machine, the time this process itself ran
            start, start_cpu = time.perf_counter(), time.process_time()
            themes_of_phases()
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        bare = median_seconds(bare_read, repeat=3)
        store.close()
    top = [[t.term for t in phase[:3]] for phase in found]
    planted = sum(
        any(word in term for term in top[p] for word in PLANTED[p].lower().split())
        for p in range(PHASES)
    )
    return statistics.median(wall), statistics.median(cpu), bare, planted


def run() -> list[Figure]:
    figures = []
    for shape, real, repeat in (("", False, 5), (" of real length", True, 3)):
        seconds, cpu, bare, planted = _measure(real=real, repeat=repeat)
        figures += [
            Figure(
                "themes",
                f"themes of {PHASES} phases, {POSTS:,} posts{shape}",
                seconds,
                "s",
                bare,
                "bare SELECT of the same texts",
                "< 5",
            ),
            Figure(
                "themes",
                "the same, CPU time of the process",
                cpu,
                "s",
                bare,
                "bare SELECT of the same texts",
                "< 5",
            ),
            Figure(
                "themes",
                "the same, planted phrase in its phase's top 3",
                planted,
                "phases",
                PHASES,
                "phases",
                f"= {PHASES}",
            ),
        ]
    return figures


if __name__ == "__main__":
    from benchmarks.common import print_table

    print_table(run())

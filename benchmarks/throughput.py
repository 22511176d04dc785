"""Throughput on posts of real length (``benchmarks/texts.py``), short posts beside them.

* a Bluesky poll of ``THROUGHPUT_POSTS`` matching posts (default 30,000) through the real
  atproto client, the fake served from a child process, beside its floor measured in the
  same run: plain VADER and a sqlite-utils insert of the same rows;
* a Reddit poll of the same number of self-posts (a title and a body), likewise;
* ``monitor label --relabel`` of ``THROUGHPUT_LABEL_POSTS`` stored posts (default 100,000)
  with ``--jobs`` the CPU count, beside one process and beside plain VADER;
* the start-up of ``monitor status`` on the report benchmark's 1M-post database and of
  ``monitor run`` with nothing to do, beside a bare ``python -c pass``.

``python -m benchmarks throughput``
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

import sqlite_utils
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from benchmarks import texts
from benchmarks.common import Figure, authors_off, copies_off
from benchmarks.report import database
from monitor import ingest, labels
from monitor.config import Config, Credentials, RedditConfig, Title, parse_config
from monitor.replay import ReplayServer
from monitor.replay.bluesky import FakeBluesky
from monitor.replay.reddit import FakeReddit
from monitor.rows import PostRow
from monitor.sources import bluesky, reddit
from monitor.sources.bluesky import Settings
from monitor.store import Store

STAGE = "throughput"
TITLE = "Backtrace"
START = datetime(2026, 11, 1, tzinfo=UTC)
CREDS = Credentials("bench-app", "bench-secret", "bench.bsky.social", "bench-password")


_SERIAL = iter(range(10**9))


def _fresh(folder: Path, stem: str) -> Path:
    """A database path in ``folder`` no earlier step used."""
    return folder / f"{stem}-{next(_SERIAL)}.db"


def _count(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def _bodies(count: int, real: bool) -> list[str]:
    if real:
        return texts.posts(count, TITLE)
    rng = random.Random(5)
    return [texts.post(rng, TITLE, rng.randint(40, 140)) for _ in range(count)]


# --- the fakes, in a child process so that the poller has its core ---------------------


def _serve(kind: str, bodies: list[str], pipe: Connection) -> None:
    if kind == "bluesky":
        fake = FakeBluesky(
            handle=CREDS.bluesky_handle or "", password=CREDS.bluesky_app_password or ""
        )
        for i, body in enumerate(bodies):
            fake.add_post(body, START + timedelta(seconds=i))
        handler: object = fake
    else:
        fake_reddit = FakeReddit(client_id="bench-app", client_secret="bench-secret")
        for i, body in enumerate(bodies):
            part = i // 1000
            fake_reddit.submission(
                f"{TITLE} Part {part:03d}: what did you think?",
                body,
                created_utc=(START + timedelta(seconds=i)).timestamp(),
            )
        for part in range(len(bodies) // 1000):
            fake_reddit._matches(f'"{TITLE} Part {part:03d}"', "all")  # index before timing
        handler = fake_reddit.handle
    with ReplayServer(handler) as server:  # type: ignore[arg-type]
        pipe.send(server.url)
        pipe.recv()


def _serving(kind: str, bodies: list[str], work: Callable[[str], float]) -> float:
    here, there = multiprocessing.Pipe()
    child = multiprocessing.get_context("fork").Process(target=_serve, args=(kind, bodies, there))
    child.start()
    try:
        return work(here.recv())
    finally:
        here.send("stop")
        child.join()


def _poll(
    kind: str, bodies: list[str], folder: Path, repeat: int, *, grouping: bool = True
) -> float:
    """Median seconds of a cold poll that stores every post (``grouping``: copies grouped,
    as the tool does; without, as before they were)."""

    def work(url: str) -> float:
        if kind == "bluesky":
            titles: tuple[Title, ...] = (Title(TITLE),)
            config = parse_config({"bluesky": {"service": url}})
            settings = Settings(max_requests=10_000, result_cap=10**9)
            build = lambda: bluesky.build(config, CREDS, settings=settings)  # noqa: E731
        else:
            titles = tuple(Title(f"{TITLE} Part {p:03d}") for p in range(len(bodies) // 1000))
            config = Config(
                titles=titles, reddit=RedditConfig(oauth_url=url, reddit_url=url, comments=0)
            )
            build = lambda: reddit.build(config, CREDS)  # noqa: E731
        times = []
        for _ in range(repeat):
            with Store(_fresh(folder, kind)) as store:
                if not grouping:
                    authors_off(store)
                store.sync_titles(titles)
                start = time.perf_counter()
                with contextlib.nullcontext() if grouping else copies_off():
                    results = ingest.poll(store, build(), titles)
                times.append(time.perf_counter() - start)
                stored = sum(r.new for r in results)
                assert stored == len(bodies), (stored, [r.error for r in results])
        return statistics.median(times)

    return _serving(kind, bodies, work)


def _floor(bodies: list[str], folder: Path, repeat: int) -> float:
    """Plain VADER and a sqlite-utils insert of the same rows: what any tool must spend."""
    analyzer = SentimentIntensityAnalyzer()
    times = []
    for _ in range(repeat):
        db = sqlite_utils.Database(_fresh(folder, "floor"))
        start = time.perf_counter()
        rows = []
        for i, body in enumerate(bodies):
            scores = analyzer.polarity_scores(body)
            rows.append({"id": f"p{i}", "text": body, "compound": scores["compound"]})
        db.table("posts").insert_all(rows, pk="id", batch_size=1000)
        times.append(time.perf_counter() - start)
        db.close()
    return statistics.median(times)


# --- labelling a stored database --------------------------------------------------------


def _labelled_db(path: Path, bodies: list[str]) -> None:
    rows: list[PostRow] = [
        {
            "id": f"bluesky:{i}",
            "platform": "bluesky",
            "native_id": str(i),
            "created_at": (START + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "text": body,
        }
        for i, body in enumerate(bodies)
    ]
    with Store(path) as store:
        store.sync_titles([Title(TITLE)])
        with store.transaction():
            store.upsert_posts(rows)
            store.upsert_mentions(
                {"post_id": r["id"], "title": TITLE, "relevance": 2.0, "terms": "[]"} for r in rows
            )


def _relabel(path: Path, jobs: int) -> float:
    with Store(path) as store:
        start = time.perf_counter()
        done = labels.label_posts(store, relabel=True, jobs=jobs)
        seconds = time.perf_counter() - start
    assert done > 0
    return seconds


def _vader_alone(bodies: list[str]) -> float:
    analyzer = SentimentIntensityAnalyzer()
    start = time.perf_counter()
    for body in bodies:
        analyzer.polarity_scores(body)
    return time.perf_counter() - start


# --- start-up ---------------------------------------------------------------------------


def _wall(command: list[str], env: dict[str, str] | None = None, repeat: int = 5) -> float:
    """Median wall seconds of ``command``, as an installed monitor starts: with its
    modules' bytecode written (pip compiles it at install; an untimed first run does here,
    whatever ``PYTHONDONTWRITEBYTECODE`` says)."""
    env = {k: v for k, v in (env or os.environ).items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(command, check=False, capture_output=True, env=env)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=False, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run() -> list[Figure]:
    count = _count("THROUGHPUT_POSTS", 30_000)
    count -= count % 1000
    repeat = _count("THROUGHPUT_REPEAT", 3)
    to_label = _count("THROUGHPUT_LABEL_POSTS", 100_000)
    jobs = os.cpu_count() or 1
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for real in (False, True):
            bodies = _bodies(count, real)
            shape = "real-length" if real else "short"
            print(f"throughput: {count:,} {shape} posts: {texts.describe(bodies)}", file=sys.stderr)
            floor = _floor(bodies, tmp, repeat)
            for kind, target in (("bluesky", "≥ 5,000, ≤ 2× floor"), ("reddit", "≥ 4,000")):
                seconds = _poll(kind, bodies, tmp, repeat)
                figures.append(
                    Figure(
                        STAGE,
                        f"{kind} poll, {shape} posts/s",
                        count / seconds,
                        "posts/s",
                        count / floor,
                        "plain VADER + sqlite-utils insert",
                        target if real else "",
                    )
                )
        bodies = texts.posts(to_label, TITLE, seed=7)
        path = tmp / "label.db"
        _labelled_db(path, bodies)
        many, one = _relabel(path, jobs), _relabel(path, 1)
        figures += [
            Figure(
                STAGE,
                f"label --relabel, {to_label:,} real-length, {jobs} jobs",
                to_label / many,
                "posts/s",
                to_label / one,
                "one process",
                "≥ 15,000",
            ),
            Figure(
                STAGE,
                "label --relabel, one process",
                to_label / one,
                "posts/s",
                to_label / _vader_alone(bodies),
                "plain VADER scoring alone, one process",
            ),
        ]
    bare = _wall([sys.executable, "-c", "pass"])
    big = database()
    status = _wall([sys.executable, "-m", "monitor", "--db", str(big), "status"])
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "monitor.toml"
        config.write_text('[[titles]]\nname = "Backtrace"\n', encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("REDDIT_", "BLUESKY_"))}
        idle = _wall(
            [
                sys.executable,
                "-m",
                "monitor",
                "--config",
                str(config),
                "--db",
                str(Path(folder) / "m.db"),
                "run",
                "--no-charts",
            ],
            env=env,
        )
    figures += [
        Figure(
            STAGE, "monitor status on 1M posts, wall", status, "s", bare, "python -c pass", "< 0.5"
        ),
        Figure(STAGE, "monitor run with nothing to do, wall", idle, "s", bare, "python -c pass"),
    ]
    return figures

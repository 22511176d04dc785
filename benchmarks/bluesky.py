"""Bluesky: posts stored per second through the atproto client, requests per new post, and
Jetstream events filtered per second, each beside a baseline measured in the same run.

``python -m benchmarks bluesky``
"""

from __future__ import annotations

import functools
import json
import math
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import vaderSentiment

from benchmarks.common import Figure, authors_off, copies_off, median_seconds, one_process
from monitor import ingest
from monitor.config import Credentials, Title, parse_config
from monitor.ingest import StreamStore, store_page
from monitor.replay import ReplayServer
from monitor.replay.bluesky import FakeBluesky, did_for, tid
from monitor.sources import bluesky
from monitor.sources.bluesky import Settings
from monitor.sources.bluesky_rows import post_view_to_row
from monitor.sources.jetstream import Batcher
from monitor.store import Store
from tests.fakes.jetstream import commit_event

POSTS = 3_000
EVENTS = 50_000
TITLE = Title("Backtrace", aliases=("Backtrace 2018",), exclude=("gdb", "segfault", "stack trace"))
ABOUT = "Backtrace on Netflix is so bad it's good, Stallone sleepwalks through it"
CHATTER = [
    "just made coffee and the cat knocked it over again",
    "gdb printed a backtrace and now I know where the segfault lives",
    "anyone watching the game tonight? thinking of getting pizza",
    "new blog post about sourdough hydration is up",
]


def _poll_rate(tmp: Path) -> tuple[float, float, float, float]:
    """Seconds per poll of POSTS posts, requests per new post, store-only seconds, and
    seconds per poll as before copies were grouped (interleaved with the first)."""
    fake = FakeBluesky()
    views = fake.generate(POSTS, ABOUT, start=datetime(2026, 11, 1, tzinfo=UTC))
    rows = [post_view_to_row(v, "2026-11-23T00:00:00Z") for v in views]
    creds = Credentials(bluesky_handle=fake.handle, bluesky_app_password=fake.password)
    counter = iter(range(1_000_000))
    ratio = [0.0]
    with ReplayServer(fake) as server:
        config = parse_config({"bluesky": {"service": server.url}})

        def poll(before: bool = False) -> float:
            with Store(tmp / f"poll-{next(counter)}.db") as store:
                if before:
                    authors_off(store)
                store.sync_titles([TITLE])
                source = bluesky.build(config, creds, settings=Settings())
                start = time.perf_counter()
                if before:  # the code as it was: no grouping, every page labelled here
                    with copies_off(), one_process():
                        [result] = ingest.poll(store, source, [TITLE])
                else:
                    [result] = ingest.poll(store, source, [TITLE])
                seconds = time.perf_counter() - start
                assert result.new == POSTS, result
                ratio[0] = result.requests / result.new
                return seconds

        now, before = [], []
        for _ in range(7):  # interleaved, so that noise hits both alike
            now.append(poll())
            before.append(poll(before=True))
        poll_s, before_s = statistics.median(now), statistics.median(before)

    def store_only() -> None:
        with Store(tmp / f"store-{next(counter)}.db") as store:
            store.sync_titles([TITLE])
            for i in range(0, len(rows), 100):
                store_page(store, rows[i : i + 100], [TITLE])

    return poll_s, ratio[0], median_seconds(store_only, repeat=5), before_s


#: Words to vary the texts with: a word changed makes a near copy; many make a new post.
VARY = [
    "tonight",
    "honestly",
    "finally",
    "again",
    "really",
    "weird",
    "great",
    "awful",
    "boring",
    "loud",
    "grey",
    "silly",
    "heist",
    "chase",
    "diner",
    "hospital",
    "twist",
    "ending",
    "cast",
    "wig",
    "villain",
    "garage",
    "memory",
    "cameo",
    "poster",
    "trailer",
    "sequel",
    "script",
    "pacing",
    "lighting",
    "soundtrack",
    "detective",
    "flashback",
    "dialogue",
    "brother",
    "sister",
    "partner",
    "dog",
    "cat",
    "couch",
    "rain",
    "popcorn",
    "pizza",
    "friday",
    "sunday",
    "weekend",
]


#: Everyday words, half of every post (the rest from VADER's 7,500-word lexicon).
COMMON = [
    "the",
    "a",
    "and",
    "i",
    "it",
    "is",
    "was",
    "to",
    "of",
    "in",
    "this",
    "that",
    "on",
    "for",
    "with",
    "so",
    "but",
    "just",
    "my",
    "movie",
    "film",
    "watched",
    "watching",
    "backtrace",
    "netflix",
    "last",
    "night",
    "really",
]


def _sentence(rng: random.Random) -> str:
    """A post about the film that is a copy of nothing: "Backtrace on Netflix:", then
    twelve to thirty words, half of them common."""
    lexicon = _lexicon()
    return "Backtrace on Netflix: " + " ".join(
        rng.choice(COMMON) if rng.random() < 0.5 else rng.choice(lexicon)
        for _ in range(rng.randint(12, 30))
    )


@functools.cache
def _lexicon() -> list[str]:
    path = Path(vaderSentiment.__file__).with_name("vader_lexicon.txt")
    words = (line.split("\t")[0] for line in path.read_text("utf-8").splitlines())
    return [w for w in words if w.isalpha()]


def _events() -> list[str]:
    rng = random.Random(7)
    start = int(datetime(2026, 11, 23, tzinfo=UTC).timestamp() * 1_000_000)
    out = []
    for i in range(EVENTS):
        did = did_for(f"user{i % 5000}.bsky.social")
        if i % 10 == 9:
            event = commit_event(did, start + i, "delete", tid(i))
        else:
            text = ABOUT if i % 100 == 0 else rng.choice(CHATTER)
            record = {
                "$type": "app.bsky.feed.post",
                "createdAt": "2026-11-23T00:00:00.000Z",
                "langs": ["en"],
                "text": text,
            }
            event = commit_event(did, start + i, "create", tid(i), record)
        out.append(json.dumps(event))
    return out


def _filter_rate(tmp: Path, events: list[str]) -> float:
    counter = iter(range(1_000_000))

    def run() -> None:
        with Store(tmp / f"stream-{next(counter)}.db") as store:
            store.sync_titles([TITLE])
            batcher = Batcher(StreamStore(store, [TITLE]))
            for i, raw in enumerate(events, 1):
                batcher.handle(raw)
                if i % 500 == 0:
                    batcher.flush()
            batcher.flush()

    return median_seconds(run, repeat=3)


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        poll_s, per_item, store_s, before_s = _poll_rate(tmp)
        events = _events()
        filter_s = _filter_rate(tmp, events)
        loads_s = median_seconds(lambda: [json.loads(e) for e in events], repeat=3)
    ideal = math.ceil(POSTS / 100) / POSTS  # one page of 100 posts per request
    return [
        Figure(
            "bluesky",
            f"posts stored/s, atproto poll of {POSTS:,}",
            POSTS / poll_s,
            "posts/s",
            POSTS / store_s,
            "store_page of the same rows, no network",
            "≥ 3,000",
        ),
        Figure(
            "bluesky",
            "posts stored/s, poll, copies grouped",
            POSTS / poll_s,
            "posts/s",
            POSTS / before_s,
            "the same poll without grouping (before)",
            "≥ 0.90×",
        ),
        Figure(
            "bluesky",
            "requests per new post",
            per_item,
            "requests",
            ideal,
            "one request per 100 posts",
            "≈ 0.01",
        ),
        Figure(
            "bluesky",
            f"Jetstream events filtered/s ({EVENTS:,})",
            EVENTS / filter_s,
            "events/s",
            EVENTS / loads_s,
            "bare json.loads of the same events",
            "≥ 20,000",
        ),
    ]


if __name__ == "__main__":
    from benchmarks.common import print_table

    print_table(run())

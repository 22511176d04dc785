"""Reddit poller: items stored per second through praw, and requests per 100 new items.

A fake Reddit (``monitor.replay.reddit``) runs in a child process, so the poller has its
core to itself, serving ``REDDIT_BENCH_ITEMS`` matching submissions (default 30,000, a subset
of the 100,000 of the issue; each figure is the median of ``REDDIT_BENCH_REPEAT`` runs,
default 3). One listing stops at 1,000 items, so they are spread over titles of 1,000 each.
Comments are left out (a thread with comments costs one more request; see the README).

Figures, each beside a baseline measured in the same run:

* items stored/s by a cold ``monitor.ingest.poll`` of Reddit (praw, mapping, relevance, sentiment,
  SQLite), beside ``store_page`` alone on the same rows mapped beforehand;
* items/s through praw's client alone (HTTP, JSON, praw objects), beside bare HTTP GETs
  with ``json.loads`` of the same pages;
* requests per 100 new items on the cold poll, beside one request per page of 100;
* requests per query on a poll with nothing new, beside one.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import statistics
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

import praw
import requests

from benchmarks.common import Figure, authors_off, copies_off, one_process
from monitor import ingest
from monitor.config import Config, Credentials, RedditConfig, Title
from monitor.ingest import store_page
from monitor.replay import ReplayServer
from monitor.replay.reddit import FakeReddit
from monitor.sources import reddit
from monitor.sources.reddit_rows import search_query, submission_to_row
from monitor.store import Store

STAGE = "reddit"
PER_TITLE = 1000
#: The full 100,000 takes about four minutes with three repeats here: the default is a
#: subset; REDDIT_BENCH_ITEMS=100000 runs it all.
DEFAULT_ITEMS = 30_000
CREDS = Credentials("bench-app", "bench-secret")


def _names(count: int) -> list[str]:
    return [f"Backtrace Part {i:03d}" for i in range(count // PER_TITLE)]


def _serve(items: int, pipe: Connection) -> None:
    fake = FakeReddit()
    for name in _names(items):
        fake.synthesize(PER_TITLE, name)
        fake._matches(f'"{name}"', "all")  # build the search index before timing
    with ReplayServer(fake.handle) as server:
        pipe.send(server.url)
        pipe.recv()  # until told to stop


def _titles(items: int) -> tuple[Title, ...]:
    return tuple(
        Title(name, context=("Netflix", "Stallone"), exclude=("gdb", "segfault"))
        for name in _names(items)
    )


def _config(url: str, titles: tuple[Title, ...]) -> Config:
    return Config(titles=titles, reddit=RedditConfig(oauth_url=url, reddit_url=url, comments=0))


def _cold_poll(
    config: Config, folder: Path, *, before: bool = False
) -> tuple[float, int, int, int, int]:
    """Seconds, new items, requests, then requests and queries of an idle re-poll;
    ``before``: as before copies were grouped."""
    with Store(folder / ("before.db" if before else "poll.db")) as store:
        if before:
            authors_off(store)
        store.sync_titles(config.titles)
        source = reddit.build(config, CREDS)
        start = time.perf_counter()
        # before: the code as it was, no grouping and every page labelled here
        with (
            copies_off() if before else contextlib.nullcontext(),
            one_process() if before else contextlib.nullcontext(),
        ):
            results = ingest.poll(store, source, config.titles)
        seconds = time.perf_counter() - start
        idle = ingest.poll(store, source, config.titles)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    return (
        seconds,
        sum(r.new for r in results),
        sum(r.requests for r in results),
        sum(r.requests for r in idle),
        len(idle),
    )


def _pages_via_praw(config: Config) -> tuple[float, list[dict[str, object]]]:
    """Seconds to page every title's listing through praw; the raw data of every item."""
    reddit = praw.Reddit(
        client_id=CREDS.reddit_client_id,
        client_secret=CREDS.reddit_client_secret,
        user_agent="monitor-benchmark/0.1",
        oauth_url=config.reddit.oauth_url,
        reddit_url=config.reddit.reddit_url,
        check_for_updates=False,
        check_for_async=False,
    )
    raws: list[dict[str, object]] = []
    start = time.perf_counter()
    for title in config.titles:
        after = None
        while True:
            params: dict[str, str | int] = {"q": search_query(title), "sort": "new", "limit": 100}
            if after:
                params["after"] = after
            page = reddit.get("r/all/search/", params=params)
            raws.extend(vars(item) for item in page.children)
            after = page.after
            if not after:
                break
    seconds = time.perf_counter() - start
    assert reddit._core is not None
    reddit._core.close()
    return seconds, raws


def _pages_bare(config: Config) -> tuple[float, int]:
    """Seconds to GET and ``json.loads`` the same pages with requests alone."""
    count = 0
    with requests.Session() as http:
        start = time.perf_counter()
        for title in config.titles:
            after = None
            while True:
                params = {"q": search_query(title), "sort": "new", "limit": 100, "raw_json": 1}
                if after:
                    params["after"] = after
                response = http.get(
                    f"{config.reddit.oauth_url}/r/all/search/",
                    params=params,
                    headers={"Authorization": "bearer benchmark"},
                    timeout=30,
                )
                data = json.loads(response.content)["data"]
                count += len(data["children"])
                after = data["after"]
                if not after:
                    break
        return time.perf_counter() - start, count


def _store_only(titles: tuple[Title, ...], raws: list[dict[str, object]], folder: Path) -> float:
    """Seconds for ``store_page`` alone over the same items, mapped beforehand."""
    rows = [submission_to_row(raw) for raw in raws]
    with Store(folder / "store.db") as store:
        store.sync_titles(titles)
        start = time.perf_counter()
        for i in range(0, len(rows), 100):
            store_page(store, rows[i : i + 100], titles)
        return time.perf_counter() - start


def run() -> list[Figure]:
    items = int(os.environ.get("REDDIT_BENCH_ITEMS", str(DEFAULT_ITEMS)))
    items = max(PER_TITLE, items - items % PER_TITLE)
    repeat = int(os.environ.get("REDDIT_BENCH_REPEAT", "3"))
    here, there = multiprocessing.Pipe()
    child = multiprocessing.get_context("fork").Process(target=_serve, args=(items, there))
    child.start()
    polls, pravs, bares, stores, befores = [], [], [], [], []
    try:
        url = here.recv()
        titles = _titles(items)
        config = _config(url, titles)
        for _ in range(repeat):  # interleaved, so that noise hits every figure alike
            with tempfile.TemporaryDirectory() as tmp:
                seconds, new, requests_made, idle_requests, queries = _cold_poll(config, Path(tmp))
                polls.append(seconds)
                befores.append(_cold_poll(config, Path(tmp), before=True)[0])
                praw_seconds, raws = _pages_via_praw(config)
                pravs.append(praw_seconds)
                bare_seconds, bare_items = _pages_bare(config)
                bares.append(bare_seconds)
                stores.append(_store_only(titles, raws, Path(tmp)))
    finally:
        here.send("stop")
        child.join(timeout=30)
        here.close()
        there.close()
    seconds, praw_seconds = statistics.median(polls), statistics.median(pravs)
    bare_seconds, store_seconds = statistics.median(bares), statistics.median(stores)
    assert new == len(raws) == bare_items == items, (new, len(raws), bare_items, items)
    what = f"{items // 1000}k items, median of {repeat}"
    before_seconds = statistics.median(befores)
    return [
        Figure(
            STAGE,
            "stored/s, cold poll, copies grouped",
            new / seconds,
            "items/s",
            new / before_seconds,
            "the same poll without grouping (before)",
            ">= 0.90x",
        ),
        Figure(
            STAGE,
            f"stored/s, cold poll, {what}",
            new / seconds,
            "items/s",
            len(raws) / store_seconds,
            "store_page of pre-mapped rows",
            ">= 3,000",
        ),
        Figure(
            STAGE,
            "praw paging alone, items/s",
            len(raws) / praw_seconds,
            "items/s",
            bare_items / bare_seconds,
            "bare HTTP GET + json.loads",
        ),
        Figure(
            STAGE,
            "cold poll, requests per 100 new items",
            100 * requests_made / new,
            "requests",
            100 * (items // 100) / items,
            "one request per page of 100",
            "<= 1.02",
        ),
        Figure(
            STAGE,
            "idle re-poll, requests per query",
            idle_requests / queries,
            "requests",
            1.0,
            "one search request",
            "1 + token",
        ),
    ]


if __name__ == "__main__":
    from benchmarks.common import print_table

    print_table(run())

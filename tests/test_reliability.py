"""Reliability: every fault of the issue, against the local fake platforms, real clients.

For each fault the run ends with a clear message and the documented exit status, nothing
stored before is lost or duplicated, and the next fault-free run ends with exactly the posts
a fault-free reference run over the same content stores.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes import Sleeps
from fakes.world import World, snapshot

from monitor.clock import iso
from monitor.config import Config, Credentials, credentials, load_config
from monitor.run import run_once
from monitor.sources import bluesky, reddit
from monitor.sources.base import Source
from monitor.sources.bluesky import Settings
from monitor.store import Store

pytestmark = pytest.mark.slow  # about 90 s: CI runs it; `-m "not slow"` leaves it out

SEARCH = {"reddit": "/r/all/search", "bluesky": "/xrpc/app.bsky.feed.searchPosts"}
TORONTO = "The Man from Toronto"
LOGIN = {"reddit": "/api/v1/access_token", "bluesky": "/xrpc/com.atproto.server.createSession"}


SLEEPS = Sleeps()


def fast_build(name: str, config: Config, creds: Credentials) -> Source:
    """The real sources with short timeouts and no real waiting."""
    if name == "reddit":
        return reddit.build(config, creds, timeout=0.5, backoff=0.0, sleep=SLEEPS)
    return bluesky.build(
        config, creds, settings=Settings(timeout=0.5, backoff=0.0, max_wait=60.0), sleep=SLEEPS
    )


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    SLEEPS.clear()
    monkeypatch.setattr("monitor.run.build", fast_build)
    with World(tmp_path) as w:
        for name, value in w.env().items():
            monkeypatch.setenv(name, value)
        yield w


def reference(world: World, folder: Path) -> dict[str, Any]:
    """What a fault-free run over the world's content stores in a fresh database."""
    path = folder / "reference.db"
    config = load_config(world.config_path)
    faults = {name: list(server.faults) for name, server in world.servers.items()}
    for server in world.servers.values():
        server.clear_faults()
    with Store(path) as store:
        store.sync_titles(config.titles)
        assert run_once(store, config, credentials(), build=fast_build).ok
    for name, server in world.servers.items():
        server.faults.extend(faults[name])
    return snapshot(path)


def contains(after: dict[str, Any], before: dict[str, Any]) -> bool:
    """Everything stored before is still there, unchanged."""
    return all(after["posts"].get(k) == v for k, v in before["posts"].items()) and set(
        before["mentions"]
    ) <= set(after["mentions"])


def run(run_cli, world: World, *args: str):  # type: ignore[no-untyped-def]
    config = str(world.config_path)  # charts due every run: they meet the faults too
    return run_cli("--config", config, "--db", "monitor.db", "run", "--charts-every", "0", *args)


# (source, fault kind, fault options, exit status, what the message says)
FAULTS = [
    ("reddit", "status", {"status": 429, "headers": {"x-ratelimit-reset": "7"}}, 0, "waiting 7s"),
    ("reddit", "status", {"status": 429, "times": 50}, 1, "kept answering 429"),
    ("reddit", "status", {"status": 500, "times": 2}, 0, None),
    ("reddit", "status", {"status": 503, "times": 50}, 1, "Reddit answered 503"),
    ("reddit", "status", {"status": 401, "times": 50, "path": LOGIN["reddit"]}, 1, "refused"),
    ("reddit", "bad_json", {"times": 50}, 1, "malformed JSON"),
    ("reddit", "truncate", {"times": 50}, 1, "could not reach Reddit"),
    ("reddit", "reset", {"times": 50}, 1, "could not reach Reddit"),
    ("reddit", "hang", {"times": 50, "seconds": 2}, 1, "Reddit"),
    ("bluesky", "status", {"status": 429, "headers": {"ratelimit-reset": "0"}}, 0, "rate limited"),
    (
        "bluesky",
        "status",
        {"status": 429, "times": 50, "headers": {"ratelimit-reset": "0"}},
        1,
        "rate",
    ),
    ("bluesky", "status", {"status": 500, "times": 2}, 0, None),
    ("bluesky", "status", {"status": 503, "times": 50}, 1, "HTTP 503"),
    ("bluesky", "status", {"status": 401, "times": 50, "path": "/xrpc/"}, 1, "refused"),
    ("bluesky", "bad_json", {"times": 50}, 1, "Bluesky request failed"),
    ("bluesky", "truncate", {"times": 50}, 1, "Bluesky request failed"),
    ("bluesky", "reset", {"times": 50}, 1, "network error"),
    ("bluesky", "hang", {"times": 50, "seconds": 2}, 1, "network error"),
    ("netflix", "status", {"status": 503, "times": 50, "path": "/"}, 1, "charts: "),
]


@pytest.mark.parametrize(
    "source, kind, options, status, message",
    FAULTS,
    ids=[f"{f[0]}-{f[1]}-{f[2].get('status', '')}x{f[2].get('times', 1)}" for f in FAULTS],
)
def test_fault_then_recovery(  # type: ignore[no-untyped-def]
    run_cli, world: World, tmp_path: Path, source, kind, options, status, message
) -> None:
    world.grow(60)
    assert run(run_cli, world).exit_code == 0
    before = snapshot(tmp_path / "monitor.db")
    world.grow(150)  # new content the faulty run must not lose or duplicate
    options = {"path": SEARCH.get(source, "/"), **options}
    world.servers[source].fail(kind, **options)
    faulty = run(run_cli, world)
    assert faulty.exit_code == status, faulty.output
    if message:
        assert message in faulty.output
    assert "Traceback" not in faulty.output
    assert contains(snapshot(tmp_path / "monitor.db"), before)
    world.servers[source].clear_faults()
    clean = run(run_cli, world)
    assert clean.exit_code == 0, clean.output
    assert snapshot(tmp_path / "monitor.db") == reference(world, tmp_path)


# --- SIGKILL, two runs at once: real `monitor run` processes ----------------------------


def monitor_run(world: World, db: Path, *options: str) -> subprocess.Popen[str]:
    """``monitor [options] run`` as a process; a global option may come first (``-vv``)."""
    config = str(world.config_path)
    verbose = [o for o in options if o.startswith("-v")]
    rest = [o for o in options if not o.startswith("-v")]
    command = [sys.executable, "-m", "monitor", *verbose, "--config", config, "--db", str(db)]
    return subprocess.Popen(
        [*command, "run", *rest],
        env={**os.environ, **world.env()},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=db.parent,
    )


def finish(proc: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str]:
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err


@pytest.fixture
def slow_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """A world whose every answer takes 20 ms, so a run lasts long enough to be interrupted."""
    monkeypatch.setattr("monitor.run.build", fast_build)
    with World(tmp_path, latency=0.02) as w:
        for name, value in w.env().items():
            monkeypatch.setenv(name, value)
        yield w


def test_sigkill_at_random_points_loses_and_duplicates_nothing(
    slow_world: World, tmp_path: Path
) -> None:
    world, db = slow_world, tmp_path / "monitor.db"
    world.grow(250)
    start = time.monotonic()
    status, err = finish(monitor_run(world, tmp_path / "timing.db"))
    assert status == 0, err
    whole = time.monotonic() - start
    rng = random.Random(20181214)
    kills, errors, before = 0, "", {"posts": {}, "mentions": []}
    for round_ in range(10):
        if round_ % 3 == 0:
            world.grow(40)  # content keeps arriving between the interrupted runs
        proc = monitor_run(world, db)
        time.sleep(rng.uniform(0.3, whole))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        errors += proc.communicate()[1]
        if db.exists():
            with Store(db) as store:  # what a killed run left opens, whole and consistent
                check = store.db.execute("PRAGMA integrity_check").fetchone()[0]
                assert check == "ok"
            after = snapshot(db)
            assert contains(after, before)  # nothing stored by an earlier run went missing
            before = after
    assert kills >= 5  # most kills landed mid-run
    status, err = finish(monitor_run(world, db))
    assert status == 0, err
    assert "took over a stale lock left by a process that died" in errors + err
    assert snapshot(db) == reference(world, tmp_path)


def test_two_runs_at_once_never_both_poll(slow_world: World, tmp_path: Path) -> None:
    world, db = slow_world, tmp_path / "monitor.db"
    world.grow(200)
    first, second = monitor_run(world, db), monitor_run(world, db)
    (a, err_a), (b, err_b) = finish(first), finish(second)
    assert sorted((a, b)) == [0, 75], err_a + err_b
    loser = err_a if a == 75 else err_b
    assert "Error: another monitor run holds" in loser and "Traceback" not in loser
    with Store(db) as store:  # one poll per source and title: only one run polled
        polls = [(r["source"], r["title"]) for r in store.query("select * from poll_runs")]
    assert sorted(polls) == sorted({(s, t) for s in SEARCH for t in ("Backtrace", TORONTO)})
    assert snapshot(db) == reference(world, tmp_path)


# --- bad input from the platforms -----------------------------------------------------------

LONG = "Backtrace on Netflix, my review: " + "so bad it's good. " * 5600  # 100,000+ characters
TEXTS = {
    "long": LONG,
    "nul": "Backtrace\x00 on Netflix was \x00fine",
    "surrogate": "Backtrace on Netflix \ud800 broken \udfff pair",
    "rtl": "شاهدت Backtrace على نتفليكس \u202eit was great\u202c",
}
FUTURE = datetime.now(UTC) + timedelta(days=365)
BEFORE_2005 = datetime(2001, 9, 9, tzinfo=UTC)


def nasty_reddit(world: World, case: str) -> None:
    fake, when = world.reddit, world.moment()
    if case in TEXTS:
        fake.submission(f"Backtrace {case}", TEXTS[case], created_utc=when.timestamp())
    elif case in ("future", "before-2005"):
        moment = FUTURE if case == "future" else BEFORE_2005
        fake.submission(f"Backtrace {case}", "", created_utc=moment.timestamp())
    elif case == "null-author":
        fake.submission("Backtrace, author gone", "", created_utc=when.timestamp())["author"] = None
    elif case == "missing-fields":
        thing = fake.submission("Backtrace, sparse", "", created_utc=when.timestamp())
        for field in ("score", "ups", "num_comments", "permalink", "url", "subreddit_id"):
            thing.pop(field)


def nasty_bluesky(world: World, case: str) -> None:
    fake, when = world.bluesky, world.moment()
    if case in TEXTS:
        fake.add_post(TEXTS[case], when)
    elif case in ("future", "before-2005"):
        fake.add_post(f"Backtrace {case}", FUTURE if case == "future" else BEFORE_2005)
    elif case == "null-author":
        fake.add_post("Backtrace, author gone", when)["author"] = None
    elif case == "missing-fields":
        view = fake.add_post("Backtrace, sparse", when)
        for field in ("likeCount", "replyCount", "repostCount", "cid", "indexedAt"):
            view.pop(field)
        del view["record"]["langs"]


CASES = [*TEXTS, "future", "before-2005", "null-author", "missing-fields"]


@pytest.mark.parametrize("platform", ["reddit", "bluesky"])
@pytest.mark.parametrize("case", CASES)
def test_bad_platform_input_is_stored_safely_or_skipped_never_a_crash(  # type: ignore[no-untyped-def]
    run_cli, world: World, tmp_path: Path, platform: str, case: str
) -> None:
    world.grow(20)
    (nasty_reddit if platform == "reddit" else nasty_bluesky)(world, case)
    world.grow(5)
    result = run(run_cli, world)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    posts = snapshot(tmp_path / "monitor.db")["posts"]
    texts = [text for text, *_ in posts.values() if text]
    for text in texts:
        assert "\x00" not in text
        text.encode("utf-8")  # no lone surrogate made it into the store
    if case == "long":
        assert any(len(t) > 100_000 for t in texts)
    if case == "rtl":
        assert any("نتفليكس \u202eit was great" in t for t in texts)  # kept as it is
    if case == "null-author" and platform == "bluesky":
        assert "skipped a post" in result.output
    world.grow(20)  # the next runs still see what comes after the odd post
    assert run(run_cli, world).exit_code == 0
    assert snapshot(tmp_path / "monitor.db") == reference(world, tmp_path)


def test_deleted_and_removed_posts_lose_text_and_author(  # type: ignore[no-untyped-def]
    run_cli, world: World, tmp_path: Path
) -> None:
    world.grow(160)
    assert run(run_cli, world).exit_code == 0
    things = sorted(world.reddit.submissions.values(), key=lambda t: t["created_utc"])
    world.reddit.delete(things[-1])
    world.reddit.remove(things[-2])
    uri = next(iter(sorted(world.bluesky._posts)))
    world.bluesky.delete(uri)
    info, get_posts = "/api/info", "/xrpc/app.bsky.feed.getPosts"
    before = {
        "reddit": world.reddit_server.count(info),
        "bluesky": world.bluesky_server.count(get_posts),
    }
    result = run(run_cli, world)
    assert result.exit_code == 0
    assert "reddit: 0 new" in result.output and ", 2 deleted" in result.output
    # getPosts only leaves the Bluesky post out: that is no deletion until it is left out
    # again a day or more later
    assert snapshot(tmp_path / "monitor.db")["posts"][f"bluesky:{uri}"][3] == 0
    with Store(tmp_path / "monitor.db") as store:
        day_ago = iso(datetime.now(UTC) - timedelta(days=1, minutes=1))
        store.db.execute("update recheck_misses set since = ?", [day_ago])
    again = run(run_cli, world)
    assert again.exit_code == 0 and "1 deleted" in again.output.splitlines()[-1]
    rows = snapshot(tmp_path / "monitor.db")["posts"]
    for gone in (f"reddit:{things[-1]['name']}", f"reddit:{things[-2]['name']}", f"bluesky:{uri}"):
        assert rows[gone][0] is None and rows[gone][1] is None and rows[gone][3] == 1
    # in batches, in each of the two runs: Reddit's info takes 100 names a request,
    # Bluesky's getPosts 25 uris
    recent = [p for p in rows if p.startswith("reddit:")]
    assert world.reddit_server.count(info) - before["reddit"] == -(-len(recent) // 100) * 2
    bluesky = [p for p in rows if p.startswith("bluesky:")]
    assert world.bluesky_server.count(get_posts) - before["bluesky"] == -(-len(bluesky) // 25) * 2


def test_no_secret_in_the_output_of_a_real_verbose_run(world: World, tmp_path: Path) -> None:
    world.grow(30)
    world.reddit_server.fail("status", status=500, times=1, path=SEARCH["reddit"])
    world.bluesky_server.fail("status", status=401, times=50, path=LOGIN["bluesky"])
    proc = monitor_run(world, tmp_path / "monitor.db", "-vv", "--log-file", "run.log")
    status, err = finish(proc)
    assert status == 1  # Bluesky refused the login
    everything = err + (tmp_path / "run.log").read_text()
    assert "DEBUG" in everything and "Bluesky refused the login" in everything
    for name in ("REDDIT_CLIENT_SECRET", "BLUESKY_APP_PASSWORD"):
        assert world.env()[name] not in everything

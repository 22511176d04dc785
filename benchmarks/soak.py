"""Soak: ``monitor run`` every few seconds against the local fake platforms, faults at random.

Each run is a real ``python -m monitor run`` process; before it, new posts arrive on both
platforms (every 23rd with a time no platform should send) and, two runs in three, one
fault is queued at random (429, 500/503 bursts, 401, malformed JSON, truncated body,
connection reset, a hang, a SIGKILL at a random moment, re-check answers that say nothing,
or a ``monitor label --relabel`` on the same database at the same time).
After each run, a fault-free reference run over the same content goes into a database of its
own (alongside, not once at the end: the reference must see what the soaked runs saw, since
a cold search reaches only the newest 1,000 posts of a Reddit listing; and as a process too,
because a child's peak RSS counts the pages it shares with this process before ``exec``).
At the end one fault-free run, then the two databases are compared: posts lost and posts
extra (a duplicate would be one) must both be 0. Each run's peak RSS (from ``wait4``) shows
whether memory is steady.

``python -m benchmarks.soak --minutes 10`` is the full soak; ``python -m benchmarks soak``
runs a short one (1 minute, or ``$SOAK_MINUTES``).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import Figure, print_table
from tests.fakes.world import World, snapshot

INTERVAL = 3.0  # seconds between the starts of two runs
SEARCH = {"reddit": "/r/all/search", "bluesky": "/xrpc/app.bsky.feed.searchPosts"}
FAULTS: list[tuple[str, dict[str, object]]] = [
    ("status", {"status": 429, "headers": {"x-ratelimit-reset": "1", "ratelimit-reset": "0"}}),
    ("status", {"status": 500, "times": 2}),
    ("status", {"status": 503, "times": 8}),
    ("status", {"status": 401, "times": 8, "path": "/"}),
    ("bad_json", {"times": 4}),
    ("truncate", {"times": 4}),
    ("reset", {"times": 4}),
    ("hang", {"times": 1, "seconds": 1.0}),
    ("kill", {}),
    ("empty re-check", {"times": 3}),
    ("label --relabel beside", {}),
]


@dataclass
class Run:
    status: int
    seconds: float
    rss_mb: float
    fault: str


def one_run(
    world: World, db: Path, log: Path, kill_after: float | None, relabel: bool = False
) -> Run:
    """One ``monitor run`` process (with ``relabel``, a ``monitor label --relabel`` beside
    it on the same database); its exit status, wall time and peak RSS."""
    start = time.monotonic()
    config = str(world.config_path)
    base = [sys.executable, "-m", "monitor", "--config", config, "--db", str(db)]
    with log.open("a", encoding="utf-8") as out:
        beside = (
            subprocess.Popen([*base, "label", "--relabel"], stdout=out, stderr=out)
            if relabel
            else None
        )
        proc = subprocess.Popen(
            [*base, "run", "--charts-every", "0"],
            env={**os.environ, **world.env()},
            stdout=out,
            stderr=out,
        )
        pid = 0
        if kill_after is not None:
            time.sleep(kill_after)
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)  # reaps it if it has ended
            if pid == 0:
                proc.send_signal(signal.SIGKILL)
        if pid == 0:
            _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if beside is not None:
            beside.wait()
    return Run(proc.returncode, time.monotonic() - start, usage.ru_maxrss / 1024, "")


def soak(minutes: float, seed: int = 2018) -> list[Figure]:
    rng = random.Random(seed)
    runs: list[Run] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        World(Path(tmp), latency=0.002, hostile=True) as world,
    ):
        folder = Path(tmp)
        db, reference, log = folder / "soak.db", folder / "reference.db", folder / "soak.log"
        world.grow(200)
        deadline = time.monotonic() + minutes * 60
        while time.monotonic() < deadline:
            tick = time.monotonic()
            world.grow(rng.randint(0, 40))
            kind, options, kill_after = "none", {}, None
            if rng.random() < 2 / 3:
                kind, options = rng.choice(FAULTS)
                if kind == "kill":
                    kill_after = rng.uniform(0.2, 1.5)
                elif kind == "empty re-check":
                    world.empty_rechecks = int(str(options["times"]))
                elif kind != "label --relabel beside":
                    source = rng.choice(list(SEARCH))
                    world.servers[source].fail(kind, **{"path": SEARCH[source], **options})
            result = one_run(world, db, log, kill_after, kind == "label --relabel beside")
            world.empty_rechecks = 0
            result.fault = kind
            runs.append(result)
            for server in world.servers.values():
                server.clear_faults()
            one_run(world, reference, log, None)
            time.sleep(max(0.0, INTERVAL - (time.monotonic() - tick)))
        final = one_run(world, db, log, None)
        final.fault = "none"
        runs.append(final)
        one_run(world, reference, log, None)
        got, want = snapshot(db), snapshot(reference)
    lost = len(set(want["posts"]) - set(got["posts"]))
    extra = len(set(got["posts"]) - set(want["posts"]))
    changed = sum(got["posts"].get(k) != v for k, v in want["posts"].items())
    rss = [r.rss_mb for r in runs]
    clean = [r.seconds for r in runs if r.fault == "none"]
    faulty = [r.seconds for r in runs if r.fault not in ("none", "kill")]
    statuses: dict[int, int] = {}
    for r in runs:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    print(
        f"soak: {len(runs)} runs in {minutes:g} min, {len(want['posts'])} posts; exit statuses "
        f"{dict(sorted(statuses.items()))}; faults "
        f"{sorted({r.fault for r in runs})}; final run exit {final.status}",
        file=sys.stderr,
    )
    print(
        f"soak: peak RSS per run (MB): first {rss[0]:.1f}, last {rss[-1]:.1f}, "
        f"max {max(rss):.1f}, median {statistics.median(rss):.1f}",
        file=sys.stderr,
    )
    total = len(want["posts"])
    return [
        Figure("soak", f"posts lost (of {total})", lost, "posts", target="0"),
        Figure("soak", f"posts extra or duplicated (of {total})", extra, "posts", target="0"),
        Figure("soak", "stored posts differing from reference", changed, "posts", target="0"),
        Figure(
            "soak", "peak RSS of the last run", rss[-1], "MB", rss[0], "the first run", "steady"
        ),
        Figure("soak", "peak RSS, max over runs", max(rss), "MB", rss[0], "the first run"),
        Figure(
            "soak",
            "run time with a fault (median)",
            statistics.median(faulty) if faulty else 0.0,
            "s",
            statistics.median(clean),
            "fault-free runs",
        ),
    ]


def run() -> list[Figure]:
    """The short soak `python -m benchmarks` runs."""
    return soak(float(os.environ.get("SOAK_MINUTES", "1")))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0, help="how long (default 10)")
    parser.add_argument("--seed", type=int, default=2018)
    args = parser.parse_args(argv)
    print_table(soak(args.minutes, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

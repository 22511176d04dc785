"""monitor.copies beside datasketch's MinHashLSH on the copy fixtures (pairs of posts).

Not a stage of ``python -m benchmarks``: datasketch is no dependency of monitor (it brings
scipy). ``pip install datasketch && python -m benchmarks.copies_vs_datasketch``. Both read
the same normalised words and features and follow the same short-text rules; they differ
in how candidates are found and checked: datasketch keeps 128 permutations in memory,
monitor 12 in six bands in the database.
"""

from __future__ import annotations

import itertools
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from datasketch import MinHash, MinHashLSH  # type: ignore[import-not-found]

from monitor import copies
from monitor.store import Store

FIXTURES = Path(__file__).parent.parent / "tests" / "fixtures"


def _components(n: int, edges: list[tuple[int, int]]) -> list[int]:
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in edges:
        parent[find(a)] = find(b)
    return [find(i) for i in range(n)]


def datasketch_groups(posts: list[dict[str, Any]], num_perm: int = 128) -> tuple[list[int], float]:
    lsh = MinHashLSH(threshold=copies.JACCARD, num_perm=num_perm)
    exact: dict[int, int] = {}
    sigs: dict[int, MinHash] = {}
    edges = []
    start = time.perf_counter()
    for i, p in enumerate(posts):
        key = copies.text_key(p["text"], p["author"])
        if key is None:
            continue
        if key[0] in exact:
            edges.append((i, exact[key[0]]))
            continue
        exact[key[0]] = i
        words = key[1]
        if len(words) < copies.FUZZY_WORDS:
            continue
        grams = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
        sig = MinHash(num_perm=num_perm)
        sig.update_batch([g.encode() for g in grams])
        sigs[i] = sig
        edges += [
            (i, int(j)) for j in lsh.query(sig) if sig.jaccard(sigs[int(j)]) >= copies.JACCARD
        ]
        lsh.insert(str(i), sig)
    return _components(len(posts), edges), time.perf_counter() - start


def monitor_groups(posts: list[dict[str, Any]]) -> tuple[list[int], float]:
    rows = [
        {
            "id": p["id"],
            "platform": p["platform"],
            "native_id": p["id"],
            "author": p["author"],
            "text": p["text"],
            "created_at": p["created_at"],
        }
        for p in posts
    ]
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "c.db") as store:
        took = 0.0
        for i in range(0, len(rows), 100):
            with store.transaction():
                start = time.perf_counter()
                copies.assign(store.db, rows[i : i + 100])
                took += time.perf_counter() - start
                store.upsert_posts(rows[i : i + 100])
        stored = {
            r["id"]: r["copy_group"] or r["id"]
            for r in store.query("select id, copy_group from posts")
        }
    index = {r["id"]: n for n, r in enumerate(rows)}
    return [index[stored[r["id"]]] for r in rows], took


def pair_scores(posts: list[dict[str, Any]], groups: list[int]) -> tuple[float, float]:
    hits = false = missed = 0
    for a, b in itertools.combinations(range(len(posts)), 2):
        truth, said = posts[a]["family"] == posts[b]["family"], groups[a] == groups[b]
        hits += truth and said
        false += said and not truth
        missed += truth and not said
    return hits / (hits + false), hits / (hits + missed)


def main() -> None:
    for name in ("copies.jsonl", "copies_holdout.jsonl"):
        lines = (FIXTURES / name).read_text("utf-8").splitlines()
        posts = [json.loads(line) for line in lines]
        for who, group in (("monitor.copies", monitor_groups), ("datasketch", datasketch_groups)):
            found, took = group(posts)
            precision, recall = pair_scores(posts, found)
            print(
                f"{name:<22} {who:<15} precision {precision:.3f}  recall {recall:.3f}  "
                f"{took / len(posts) * 1e6:,.0f} µs a post"
            )


if __name__ == "__main__":
    main()

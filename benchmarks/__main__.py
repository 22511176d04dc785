"""Run every benchmark script and print one table: each figure beside its baseline.

Each stage's module defines ``run() -> list[Figure]``; add it to ``STAGES``.
"""

from __future__ import annotations

import importlib
import sys

from benchmarks.common import Figure, print_table

STAGES: list[str] = ["sentiment", "relevance", "reddit", "bluesky", "charts", "report", "soak"]


def main(argv: list[str]) -> int:
    wanted = argv or STAGES
    figures: list[Figure] = []
    for name in wanted:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"running {name} …", file=sys.stderr, flush=True)
        figures.extend(module.run())
    print_table(figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

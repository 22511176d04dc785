"""Run every benchmark script and print one table: each figure beside its baseline.

Each stage's module defines ``run() -> list[Figure]``; add it to ``STAGES``. Each stage runs
in a fresh interpreter, so no stage's memory or caches bend another's figures (a child's
peak RSS would otherwise start at the parent's).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import Figure, print_table

STAGES: list[str] = [
    "sentiment",
    "language",
    "relevance",
    "reddit",
    "bluesky",
    "grouping",
    "charts",
    "report",
    "overview",
    "publish",
    "throughput",
    "themes",
    "follow",
    "soak",
]


def run_stage(name: str) -> list[Figure]:
    """Run one stage in a child interpreter and read its figures back."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "figures.json"
        subprocess.run([sys.executable, "-m", "benchmarks", "--one", name, str(out)], check=True)
        return [Figure(**f) for f in json.loads(out.read_text())]


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        name, out = argv[1], argv[2]
        figures = importlib.import_module(f"benchmarks.{name}").run()
        Path(out).write_text(json.dumps([dataclasses.asdict(f) for f in figures]))
        return 0
    figures: list[Figure] = []
    for name in argv or STAGES:
        print(f"running {name} …", file=sys.stderr, flush=True)
        figures.extend(run_stage(name))
    print_table(figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Relevance: precision / recall on the labelled fixture, and posts judged per second.

The baseline is the foundation's rule (a whole-phrase match on the name, exclude words
vetoing), measured in the same run.

    python -m benchmarks relevance
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from benchmarks.common import Figure, median_seconds
from monitor.config import Title, parse_config
from monitor.relevance import distinctive, judge

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"


def _baseline(text: str, title: Title) -> bool:
    """The foundation's rule: any name as a phrase, unless an exclude word is there."""

    def has(phrase: str) -> bool:
        words = r"[\s\-_]*".join(map(re.escape, phrase.split()))
        return re.search(rf"(?<![\w])#?{words}(?![\w])", text, re.IGNORECASE) is not None

    return any(has(n) for n in title.names) and not any(has(w) for w in title.exclude)


def run() -> list[Figure]:
    config = parse_config(tomllib.loads((FIXTURES / "relevance.toml").read_text("utf-8")))
    posts = [json.loads(x) for x in (FIXTURES / "relevance.jsonl").read_text("utf-8").splitlines()]
    cases = [
        (p, config.title(p["title"]), p.get("community"), p.get("thread_about")) for p in posts
    ]
    figures = []
    for split in ("tune", "holdout"):
        for ambiguous in (True, False):
            mine, base = [0, 0, 0], [0, 0, 0]  # tp, fp, fn
            for post, title, community, thread in cases:
                if post["split"] != split or distinctive(title.name) == ambiguous:
                    continue
                got = judge(post["text"], title, community=community, thread_about=thread).about
                for counts, guess in ((mine, got), (base, _baseline(post["text"], title))):
                    counts[0] += guess and post["about"]
                    counts[1] += guess and not post["about"]
                    counts[2] += not guess and post["about"]
            kind = "ambiguous" if ambiguous else "distinctive"
            if ambiguous:
                figures.append(
                    Figure(
                        "relevance",
                        f"{kind} precision ({split})",
                        _p(mine),
                        "",
                        _p(base),
                        "name match",
                        "≥ 0.95",
                    )
                )
            figures.append(
                Figure(
                    "relevance",
                    f"{kind} recall ({split})",
                    _r(mine),
                    "",
                    _r(base),
                    "name match",
                    "≥ 0.90" if ambiguous else "≥ 0.98",
                )
            )
    texts = [(p["text"], t, c, th) for p, t, c, th in cases] * 20
    mine_s = median_seconds(
        lambda: [judge(x, t, community=c, thread_about=th) for x, t, c, th in texts]
    )
    base_s = median_seconds(lambda: [_baseline(x, t) for x, t, _, _ in texts])
    figures.append(
        Figure(
            "relevance",
            "posts judged/s",
            len(texts) / mine_s,
            "posts/s",
            len(texts) / base_s,
            "name match",
        )
    )
    return figures


def _p(c: list[int]) -> float:
    return c[0] / max(c[0] + c[1], 1)


def _r(c: list[int]) -> float:
    return c[0] / max(c[0] + c[2], 1)


if __name__ == "__main__":
    from benchmarks.common import print_table

    print_table(run())

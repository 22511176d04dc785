"""Mine real hard negatives for the relevance fixture from the shared sentiment data.

Every text of ``../shared/data/sentiment`` (Reddit comments, tweets, product reviews,
editorials; none from a film or TV source) that contains a chart-title word becomes a
negative for that title: only the sentence that holds the word is kept, with its source
file and id. Common words are sampled (a fixed hash of the id, so reruns agree); a third
of each word's texts, by the same hash, is the held-out part.

    python tools/mine_relevance_negatives.py   # writes tests/fixtures/relevance_negatives.jsonl
"""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "sentiment"
OUT = ROOT / "tests" / "fixtures" / "relevance_negatives.jsonl"
#: Title -> at most this many texts.
WORDS = {
    "Wednesday": 60,
    "Heat": 60,
    "Beef": 60,
    "Smile": 60,
    "Trust": 60,
    "Nope": 60,
    "Alone": 60,
    "Players": 60,
    "Home": 80,
    "Us": 80,
    "Two": 80,
    "You": 100,
}
FILES = {
    "goemotions_reddit.tsv": "reddit",
    "tweets.tsv": "twitter",
    "amazon_reviews.tsv": "amazon",
    "nyt_editorials.tsv": "nyt",
}
_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|$)")


def rows(name: str) -> list[tuple[str, str | None, str]]:
    """(id, community, text) of one shared file."""
    out = []
    for line in (DATA / name).read_text("utf-8").splitlines():
        cells = line.split("\t")
        if name.startswith("goemotions"):
            if cells[0] == "id":
                continue
            out.append((cells[0], cells[1], cells[8]))
        else:
            out.append((cells[0], None, cells[2]))
    return out


def sentence(text: str, word: str) -> str | None:
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
    for s in _SENTENCE.findall(text):
        if pattern.search(s):
            return s.strip()
    return None


def main() -> None:
    records = []
    for title, most in WORDS.items():
        found = []
        for name, platform in FILES.items():
            for ident, community, text in rows(name):
                snippet = sentence(text, title)
                if snippet:
                    key = zlib.crc32(f"{title}/{name}/{ident}".encode())
                    found.append((key, name, platform, ident, community, snippet))
        found.sort()
        for key, name, platform, ident, community, snippet in found[:most]:
            records.append(
                {
                    "title": title,
                    "about": False,
                    "split": "holdout" if key % 3 == 0 else "tune",
                    "platform": platform,
                    "community": community,
                    "source": f"{name}:{ident}",
                    "text": snippet,
                }
            )
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    print(f"wrote {len(records)} negatives to {OUT}")


if __name__ == "__main__":
    main()

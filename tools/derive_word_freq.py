"""Derive ``monitor/data/word_zipf.txt``: how common each English word is, offline.

The table comes from the ``wordfreq`` package (Robyn Speer et al.; its ``best`` English
list, which blends Wikipedia, subtitles, news, books, the web, Twitter and Reddit). Only
words at or above ``--floor`` on the Zipf scale are kept (3.0 = once per million words);
a word missing from the table is rarer than that. Each line holds one Zipf value, rounded
to a tenth, then the words at that value:

    4.6 bird smile wednesday …

wordfreq (58 MB installed) is needed only to run this script, never by ``monitor``:

    pip install wordfreq && python tools/derive_word_freq.py
"""

from __future__ import annotations

import argparse
import math
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "monitor" / "data" / "word_zipf.txt"


def main() -> None:
    from wordfreq import get_frequency_dict  # offline only

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--floor", type=float, default=3.0, help="lowest Zipf value kept")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    bands: dict[float, list[str]] = defaultdict(list)
    for word, freq in get_frequency_dict("en", wordlist="best").items():
        zipf = round(math.log10(freq) + 9, 1)
        if zipf >= args.floor and word.isalpha():
            bands[zipf].append(word)
    lines = [
        "# Zipf frequency (log10 per billion words) of English words, from wordfreq 'best'.",
        "# wordfreq (Robyn Speer et al.) data is licensed CC BY-SA 4.0; so is this table.",
        "# Derived by tools/derive_word_freq.py; one Zipf value and its words per line.",
    ]
    lines += [f"{z:.1f} {' '.join(sorted(ws))}" for z, ws in sorted(bands.items(), reverse=True)]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {sum(map(len, bands.values()))} words to {args.out}")


if __name__ == "__main__":
    main()

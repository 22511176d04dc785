"""`monitor prune`: old posts lose their words; the report's daily aggregates do not change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor import ingest
from monitor.clock import iso
from monitor.config import Title
from monitor.errors import ConfigError
from monitor.retention import parse_age, prune
from monitor.store import Store

TITLES = (Title("Backtrace"), Title("The Man from Toronto"))
TEXTS = [
    "Backtrace was a dreary mess",
    "Backtrace is so bad it's good, loved it",
    "The Man from Toronto is fine I guess",
    "watching Backtrace tonight",
]

DAILY = """
select date(p.created_at) as day, m.title, count(*) as posts,
  round(avg(s.compound), 6) as compound,
  sum(s.label = 'positive') as positive, sum(s.label = 'negative') as negative
from posts p join mentions m on m.post_id = p.id
left join sentiments s on s.post_id = p.id
group by day, m.title order by day, m.title
"""


def fill(store: Store, now: datetime) -> None:
    posts = [
        {
            "id": f"reddit:{n}",
            "platform": "reddit",
            "native_id": str(n),
            "text": TEXTS[n % len(TEXTS)],
            "author": f"user{n}",
            "created_at": iso(now - timedelta(days=n * 7)),
        }
        for n in range(40)
    ]
    ingest.store_page(store, posts, TITLES)


def test_prune_keeps_daily_counts_and_sentiment_and_drops_old_words(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    with Store(tmp_path / "m.db") as store:
        store.sync_titles(TITLES)
        fill(store, now)
        before = list(store.query(DAILY))
        pruned, cutoff = prune(store, parse_age("90d"), now)
        assert list(store.query(DAILY)) == before
        rows = list(store.query("select created_at, text, author from posts"))
        old = [r for r in rows if r["created_at"] < cutoff]
        assert pruned == len(old) == 27  # posts 13..39 are 91+ days old
        assert all(r["text"] is None and r["author"] is None for r in old)
        assert all(r["text"] and r["author"] for r in rows if r["created_at"] >= cutoff)
        assert prune(store, parse_age("90d"), now)[0] == 0  # idempotent
        assert store.count("mentions") > 0 and store.count("sentiments") > 0


def test_prune_command(run_cli, config_file: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with Store(tmp_path / "monitor.db") as store:
        store.sync_titles(TITLES)
        fill(store, datetime.now(UTC))
    result = run_cli("prune", "--older-than", "85d")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Dropped the text of 27 posts created before ")
    bad = run_cli("prune", "--older-than", "ninety days")
    assert bad.exit_code == 2 and "not an age" in bad.output


@pytest.mark.parametrize("text, days", [("90d", 90), ("12w", 84), ("1y", 365), ("30", 30)])
def test_parse_age(text: str, days: int) -> None:
    assert parse_age(text) == timedelta(days=days)


@pytest.mark.parametrize("text", ["", "0d", "-5d", "3 months", "d"])
def test_parse_age_refuses(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_age(text)

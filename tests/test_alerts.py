"""Alerts: what counts as an event, that each is stored once, and what a quiet title raises."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from report_data import add_chart

from monitor import alert_store, alerts
from monitor.alert_queries import chart_periods
from monitor.alerts import chart_events, detect, mood_shifts, spikes
from monitor.config import Title
from monitor.queries import chart_rows
from monitor.sentiment import DEFAULT_MODEL
from monitor.store import Store

DAY0 = date(2024, 3, 4)  # a Monday


def at(day: date, hour: int = 23) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def tracked() -> tuple[Title, ...]:
    return (Title("Backtrace"), Title("Quiet Film"))


def quiet_counts(rng: random.Random, days: int, mean: float) -> dict[date, int]:
    """Daily posts of a title nobody gets excited about: Poisson noise around ``mean``."""
    out = {}
    for d in range(days):
        # Poisson by counting exponential gaps: noise of the shape real counts have
        n, t = 0, rng.expovariate(1.0)
        while t < mean:
            n, t = n + 1, t + rng.expovariate(1.0)
        out[DAY0 + timedelta(days=d)] = n
    return out


def add_posts(
    store: Store, per_day: dict[date, int], first_id: int = 0, title: str = "Backtrace"
) -> None:
    """``per_day`` posts about ``title`` on each day, each labelled, written in one go."""
    rows, mentions, labels = [], [], []
    n = first_id
    for day, count in per_day.items():
        for k in range(count):
            n += 1
            pid = f"reddit:{title}:{n}"
            created = f"{day.isoformat()}T{k % 24:02d}:00:00Z"
            rows.append(
                {"id": pid, "platform": "reddit", "native_id": str(n), "created_at": created}
            )
            mentions.append({"post_id": pid, "title": title, "relevance": 1.0, "terms": [title]})
            score = ((n * 7919) % 200 - 80) / 100
            labels.append(
                {"post_id": pid, "model": DEFAULT_MODEL, "compound": score, "label": "neutral"}
            )
    store.upsert_posts(rows)  # type: ignore[arg-type]
    store.upsert_mentions(mentions)  # type: ignore[arg-type]
    store.upsert_sentiments(labels)  # type: ignore[arg-type]


def test_a_small_rise_is_no_spike_and_a_real_one_is_raised_on_its_first_day_only() -> None:
    counts = {DAY0 + timedelta(days=d): 1 + d % 2 for d in range(20)}
    counts[DAY0 + timedelta(days=20)] = 3  # 1 → 3 posts: not a spike
    assert spikes("Backtrace", counts, DAY0 + timedelta(days=20)) == []
    counts[DAY0 + timedelta(days=21)] = 40
    counts[DAY0 + timedelta(days=22)] = 45  # still high the next day: the same spike
    found = spikes("Backtrace", counts, DAY0 + timedelta(days=22))
    assert [e.moment for e in found] == [(DAY0 + timedelta(days=21)).isoformat()]
    assert found[0].message == "Backtrace: 40 posts on Mon 25 Mar 2024, 20× the usual 2 a day."
    assert found[0].figures["posts"] == 40 and found[0].figures["usual"] == 2


def test_no_spike_without_a_baseline_to_judge_it_against() -> None:
    # the first days of a title's history have no trailing baseline: a start is not a spike
    counts = {DAY0 + timedelta(days=d): 50 for d in range(5)}
    assert spikes("Backtrace", counts, DAY0 + timedelta(days=4)) == []


def test_chart_entry_new_best_exit_and_re_entry() -> None:
    weeks = [DAY0 + timedelta(weeks=w) for w in range(9)]
    entries = [
        {"chart": "netflix", "region": "US", "period_start": weeks[w].isoformat(), "rank": r}
        for w, r in {2: 9, 3: 6, 4: 4, 5: 5, 7: 8}.items()
    ]
    periods = {
        ("netflix", "US"): [
            {"period_start": w.isoformat(), "period_end": (w + timedelta(days=6)).isoformat()}
            for w in weeks
        ]
    }
    found = [(e.kind, e.moment, e.figures.get("rank")) for e in chart_events("B", entries, periods)]
    assert found == [
        ("entered", weeks[2].isoformat(), 9),
        ("best", weeks[3].isoformat(), 6),
        ("best", weeks[4].isoformat(), 4),
        ("left", weeks[6].isoformat(), None),
        ("entered", weeks[7].isoformat(), 8),
        ("left", weeks[8].isoformat(), None),
    ]
    messages = [e.message for e in chart_events("B", entries, periods)]
    assert messages[0] == "B entered Netflix US at #9 in the week of Mon 18 Mar 2024."
    assert (
        messages[3] == "B left Netflix US in the week of Mon 15 Apr 2024, after 4 weeks (best #4)."
    )
    assert "back on; best before #4" in messages[4]


def test_a_mood_turn_is_raised_once_and_noise_is_not() -> None:
    rng = random.Random(3)

    def day_sums(mean: float, n: int) -> tuple[int, float, float]:
        scores = [max(-1.0, min(1.0, rng.gauss(mean, 0.4))) for _ in range(n)]
        return n, sum(scores), sum(s * s for s in scores)

    labels = {DAY0 + timedelta(days=d): day_sums(-0.2 if d < 21 else 0.3, 15) for d in range(42)}
    found = mood_shifts("B", labels, DAY0 + timedelta(days=41))
    assert len(found) == 1 and found[0].kind == "mood"
    assert (
        DAY0 + timedelta(days=21)
        <= date.fromisoformat(found[0].moment)
        <= DAY0 + timedelta(days=27)
    )
    assert "the mood turned warmer" in found[0].message
    flat = {DAY0 + timedelta(days=d): day_sums(0.1, 15) for d in range(60)}
    assert mood_shifts("B", flat, DAY0 + timedelta(days=59)) == []


def test_a_quiet_title_with_daily_noise_raises_nothing_over_60_days_of_runs(
    store: Store,
) -> None:
    rng = random.Random(60)
    add_posts(store, quiet_counts(rng, 60, 4.0), title="Quiet Film")
    add_posts(store, quiet_counts(rng, 60, 25.0), title="Backtrace")
    titles = [Title("Backtrace"), Title("Quiet Film")]
    raised = []
    for d in range(60):  # one run a day, after the day's posts
        now = at(DAY0 + timedelta(days=d))
        raised += alert_store.record(store, detect(store, titles, now, DEFAULT_MODEL), now)
    assert raised == []
    assert list(store.query("select * from alerts")) == []


def test_each_event_is_stored_once_and_an_old_one_found_now_is_late(store: Store) -> None:
    posts = {DAY0 + timedelta(days=d): 2 + 40 * (d == 20) for d in range(30)}
    add_posts(store, posts)
    add_chart(store, {DAY0 + timedelta(weeks=2): 7, DAY0 + timedelta(weeks=3): 3})
    add_chart(store, {DAY0 + timedelta(weeks=4): 1}, title="Other")  # the chart goes on
    titles = [Title("Backtrace")]
    first = at(DAY0 + timedelta(days=29))  # a first run over a month of history
    new = alert_store.record(store, detect(store, titles, first, DEFAULT_MODEL), first)
    assert [(a.kind, a.moment, a.late) for a in new] == [
        ("entered", (DAY0 + timedelta(weeks=2)).isoformat(), True),
        ("spike", (DAY0 + timedelta(days=20)).isoformat(), True),
        # a chart week is published up to three days after it ends: this one just was
        ("best", (DAY0 + timedelta(weeks=3)).isoformat(), False),
        ("left", (DAY0 + timedelta(weeks=4)).isoformat(), False),  # its week is not over
    ]
    assert alert_store.record(store, detect(store, titles, first, DEFAULT_MODEL), first) == []
    add_posts(store, {DAY0 + timedelta(days=d): 2 + 60 * (d == 35) for d in range(30, 36)}, 9000)
    later = at(DAY0 + timedelta(days=35), 18)  # the next run, on the day of a new spike
    new = alert_store.record(store, detect(store, titles, later, DEFAULT_MODEL), later)
    assert [(a.kind, a.late) for a in new] == [("spike", False)]
    assert store.count("alerts") == 5
    assert [len(r) for r in chart_periods(store).values()] == [3]
    assert len(chart_rows(store, "Backtrace")) == 2


def test_thresholds_are_the_documented_ones() -> None:
    usual, needed = alerts.spike_threshold([20] * 7 + [24] * 7)
    assert usual == 22 and needed == pytest.approx(22 + 5 * max(1.4826 * 2, 22**0.5))
    assert alerts.spike_threshold([0] * 14) == (0, alerts.MIN_POSTS)


def test_copies_count_once_in_a_spike(store: Store) -> None:
    add_posts(store, {DAY0 + timedelta(days=d): 2 for d in range(20)})
    # day 20: forty copies of one text (one group) and two other posts: no spike
    add_posts(store, {DAY0 + timedelta(days=20): 42}, 5000)
    store.db.execute(
        "update posts set copy_group = 'reddit:Backtrace:5001' "
        "where id like 'reddit:Backtrace:5%' and cast(native_id as int) between 5001 and 5040"
    )
    store.db.conn.commit()
    titles = [Title("Backtrace")]
    assert detect(store, titles, at(DAY0 + timedelta(days=20)), DEFAULT_MODEL) == []
    # day 21: thirty distinct posts and ten copies of one of them: a spike, said both ways
    add_posts(store, {DAY0 + timedelta(days=21): 40}, 6000)
    store.db.execute(
        "update posts set copy_group = 'reddit:Backtrace:6001' "
        "where cast(native_id as int) between 6001 and 6011"
    )
    store.db.conn.commit()
    (spike,) = detect(store, titles, at(DAY0 + timedelta(days=21)), DEFAULT_MODEL)
    assert spike.figures["posts"] == 30 and spike.figures["with_copies"] == 40
    assert spike.message.startswith("Backtrace: 30 distinct posts (40 with copies) on Mon 25 Mar")

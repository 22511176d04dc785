"""The report's numbers, checked on known scenarios: series, phases, lead/lag, gaps."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from report_data import START, add_chart, add_gap, add_post, chart_run_scenario

from monitor.config import Title
from monitor.errors import MonitorError
from monitor.report import MIN_POSTS, build_report, label_model, share_of_voice
from monitor.store import Store

BACKTRACE = Title("Backtrace", released=date(2018, 12, 14))


@pytest.fixture
def tracked() -> tuple[Title, ...]:
    return (BACKTRACE, Title("Other"))


def test_daily_series_counts_posts_per_platform_with_rank(store: Store) -> None:
    chart_run_scenario(store)
    add_post(store, 9001, START, 0.9, title="Other")  # another title: not counted
    report = build_report(store, BACKTRACE)
    assert report.start == START and report.end == START + timedelta(days=55)
    first = [r for r in report.rows if r.day == START]
    assert [(r.platform, r.posts, r.mean_sentiment, r.negative, r.rank) for r in first] == [
        ("bluesky", 1, -0.5, 1, None),
        ("reddit", 1, -0.5, 1, None),
    ]
    at_best = [r for r in report.rows if r.day == START + timedelta(weeks=4)]
    assert sum(r.posts for r in at_best) == 10
    assert {r.rank for r in at_best} == {4}
    assert [d.posts for d in report.days[:15:7]] == [2, 2, 6]
    assert [d.rank for d in report.days[13:16]] == [None, 9, 9]
    assert sum(d.posts for d in report.days) == 7 * (2 + 2 + 6 + 6 + 10 + 10 + 4 + 1)


def test_rolling_mean_has_a_band_and_is_missing_where_posts_are_few(store: Store) -> None:
    for i in range(MIN_POSTS - 1):  # one labelled post a day: too few for a week at first
        add_post(store, i, START + timedelta(days=i), 0.2 if i % 2 else -0.2)
    for i in range(40):  # then many posts on one day
        add_post(store, 100 + i, START + timedelta(days=20), 0.5 + (i % 2) * 0.1)
    add_post(store, 999, START + timedelta(days=30), 0.0)
    days = build_report(store, BACKTRACE).days
    assert all(d.rolling is None and d.low is None for d in days[:9])
    busy = days[20]
    assert busy.rolling == pytest.approx(0.55)
    sd = math.sqrt(sum((0.5 + (i % 2) * 0.1 - 0.55) ** 2 for i in range(40)) / 39)
    assert busy.high - busy.rolling == pytest.approx(1.96 * sd / math.sqrt(40))
    assert busy.low < busy.rolling < busy.high
    assert days[26].rolling is not None and days[27].rolling is None  # the busy day left


def test_phases_table(store: Store) -> None:
    chart_run_scenario(store)
    report = build_report(store, BACKTRACE)
    table = {p.name: p for p in report.phases}
    assert list(table) == ["before", "climbing", "at best", "falling", "after"]
    assert [table[n].days for n in table] == [14, 14, 14, 7, 7]
    assert [table[n].posts for n in table] == [28, 84, 140, 28, 7]
    assert table["climbing"].posts_per_day == 6
    assert table["before"].mean_sentiment == pytest.approx(-0.5)
    assert table["before"].share_negative == 1 and table["before"].share_positive == 0
    assert table["at best"].share_positive == 1
    assert table["falling"].mean_sentiment == 0
    assert report.chart is not None
    assert report.chart.entry.start == START + timedelta(weeks=2)
    assert (report.chart.peak.rank, report.chart.peak.start) == (4, START + timedelta(weeks=4))
    assert report.chart.exit.end == START + timedelta(weeks=7, days=-1)
    assert not report.chart.daily


def test_most_positive_and_negative_posts_per_phase(store: Store) -> None:
    add_chart(store, {START + timedelta(days=7): 3})
    add_post(store, 1, START, -0.9, text="dreary <script>x</script>")
    add_post(store, 2, START, -0.3)
    add_post(store, 3, START + timedelta(days=1), 0.8, text="so bad it's good")
    add_post(store, 4, START + timedelta(days=8), 0.95)
    add_post(store, 5, START + timedelta(days=2), -0.99, deleted=1, text=None)
    for n, (day, score) in enumerate([(9, 0.5), (10, 0.6), (11, 0.99), (11, 0.3)]):
        add_post(store, 10 + n, START + timedelta(days=day), score, deleted=int(score > 0.9))
    report = build_report(store, BACKTRACE)
    before = report.phases[0]
    assert [p.id for p in before.most_negative] == ["reddit:1", "reddit:2"]  # deleted left out
    assert before.most_negative[0].text == "dreary <script>x</script>"
    assert [p.id for p in before.most_positive] == ["reddit:3"]
    # the deleted 0.99 is left out and the next best are found even so
    assert [p.id for p in report.phases[2].most_positive] == ["reddit:4", "reddit:11", "reddit:10"]


def test_lead_lag_finds_talk_five_days_ahead_of_a_daily_chart(store: Store) -> None:
    ranks = {}
    n = 0
    for i in range(90):
        day = START + timedelta(days=i)
        # talk rises and falls over days 30..55; the chart does the same five days later
        level = max(0, 12 - abs(i - 42))
        for _ in range(1 + level * 3):
            n += 1
            add_post(store, n, day, 0.1)
        later = i - 5
        if max(0, 12 - abs(later - 42)) > 2:
            ranks[day] = 11 - min(10, max(0, 12 - abs(later - 42)) - 2)
    add_chart(store, ranks, days=1, chart="daily")
    report = build_report(store, BACKTRACE)
    assert report.chart is not None and report.chart.daily
    assert report.lead_lag.lag == 5
    assert report.lead_lag.sentence.startswith("Talk leads the chart by 5 days")
    assert report.lead_lag.r is not None and report.lead_lag.r > 0.9


def test_lead_lag_says_not_enough_data(store: Store) -> None:
    add_chart(store, {START: 5})
    for i in range(10):
        add_post(store, i, START + timedelta(days=i), 0.1)
    report = build_report(store, BACKTRACE)
    assert report.lead_lag.lag is None
    assert report.lead_lag.sentence.startswith("Not enough data")


def test_lead_lag_reports_no_link_for_unrelated_noise(store: Store) -> None:
    add_chart(store, {START + timedelta(days=7 * w): 5 for w in range(0, 12, 2)})
    n = 0
    for i in range(84):
        for _ in range(1 + (i * 7919) % 5):  # talk that ignores the chart
            n += 1
            add_post(store, n, START + timedelta(days=i), 0.1)
    lead = build_report(store, BACKTRACE).lead_lag
    assert lead.lag is None
    assert lead.sentence.startswith("No clear link between talk and rank")


def test_gaps_are_marked_with_their_reason(store: Store) -> None:
    chart_run_scenario(store)
    add_gap(store, "bluesky", "2024-01-10T00:00:00Z", "2024-01-11T00:00:00Z", status="failed")
    add_gap(store, "bluesky", "2024-01-20T00:00:00Z", "2024-01-22T00:00:00Z")  # cap hit
    add_gap(store, "reddit", "2024-02-03T00:00:00Z", "2024-02-03T06:00:00Z", status="failed")
    add_gap(store, "reddit", "2023-01-01T00:00:00Z", "2023-01-02T00:00:00Z", status="failed")
    gaps = build_report(store, BACKTRACE).gaps
    assert [(g.source, g.start.date().isoformat(), g.reason) for g in gaps] == [
        ("bluesky", "2024-01-10", "bluesky: poll failed"),
        ("bluesky", "2024-01-20", "bluesky: result cap hit"),
        ("reddit", "2024-02-03", "reddit: poll failed"),
    ]
    run = store.start_poll_run("reddit", "Backtrace")
    store.finish_poll_run(run, status="ok")  # resumed from the cursor: the failure is made up
    gaps = build_report(store, BACKTRACE).gaps
    assert [g.reason for g in gaps] == ["bluesky: poll failed", "bluesky: result cap hit"]


def test_window_and_platform_filters(store: Store) -> None:
    chart_run_scenario(store)
    report = build_report(
        store,
        BACKTRACE,
        since=START + timedelta(weeks=4),
        until=START + timedelta(weeks=5, days=-1),
        platform="bluesky",
    )
    assert report.start == START + timedelta(weeks=4) and len(report.days) == 7
    assert report.posts == 35 and report.platforms == ("bluesky",)
    assert [p.name for p in report.phases if p.days] == ["at best"]


def test_nothing_stored_is_a_clear_error(store: Store) -> None:
    with pytest.raises(MonitorError, match="nothing stored for 'Backtrace'"):
        build_report(store, BACKTRACE)
    add_chart(store, {START: 5}, region="US")
    with pytest.raises(MonitorError, match="no chart entries in region 'GB'") as caught:
        build_report(store, BACKTRACE, region="GB")
    assert (caught.value.hint, caught.value.param) == ("one of: US", "region")
    with pytest.raises(MonitorError, match="after"):
        build_report(store, BACKTRACE, since=date(2024, 2, 1), until=date(2024, 1, 1))


def test_share_of_voice_over_the_span_of_both_titles(store: Store) -> None:
    other = Title("Other")
    add_post(store, 1, START, 0.1)
    add_post(store, 2, START, 0.1)
    add_post(store, 3, START, 0.1, title="Other")
    add_post(store, 4, START + timedelta(days=2), 0.1, title="Other")
    voice = share_of_voice([build_report(store, BACKTRACE), build_report(store, other)])
    assert voice.days == (START, START + timedelta(days=1), START + timedelta(days=2))
    assert voice.posts == ((2, 0, 0), (1, 0, 1))
    assert voice.shares[0] == pytest.approx((2 / 3, 0.0, 0.0))
    assert voice.shares[1] == pytest.approx((1 / 3, 0.0, 1.0))


def test_reads_the_default_model_or_else_the_model_that_labelled_most(store: Store) -> None:
    add_post(store, 1, START, 0.5)
    assert build_report(store, BACKTRACE).days[0].mean_sentiment == 0.5
    store.db.execute("update sentiments set model = 'older-model'")
    assert label_model(store) == "older-model"
    assert build_report(store, BACKTRACE).days[0].mean_sentiment == 0.5

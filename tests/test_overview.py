"""The overview page: one row per title, what moved most first, links both ways, written
atomically, and what a real browser shows with 1 and with 200 titles."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from report_data import START, add_chart
from test_alerts import add_posts
from test_report_page import _browse, _chromium

from monitor import overview
from monitor.config import Title
from monitor.sentiment import DEFAULT_MODEL
from monitor.store import Store

EVIL = 'Bad <script>alert(1)</script> & "Co"'


def many_titles(store: Store, count: int) -> list[Title]:
    """``count`` titles with talk of their own; the first climbs the chart and the last
    has a burst in the final week."""
    titles = [Title(f"Film {n:03d}") for n in range(count - 1)] + [Title(EVIL)]
    store.sync_titles(titles)
    for n, t in enumerate(titles):
        per_day = {START + timedelta(days=d): 3 + (n + d) % 5 for d in range(60)}
        if n == count - 1:
            per_day.update({START + timedelta(days=d): 40 for d in range(53, 60)})
        add_posts(store, per_day, n * 100_000, title=t.name)
    add_chart(
        store, {START + timedelta(weeks=7): 5, START + timedelta(weeks=8): 2}, title="Film 000"
    )
    store.db.execute(
        "insert into alerts (key, title, kind, moment, figures, message, raised_at) "
        "values ('k', 'Film 000', 'best', ?, '{}', 'Film 000 reached #2 on Netflix Weekly US.', ?)",
        [(START + timedelta(weeks=8)).isoformat(), "2024-03-01T00:00:00Z"],
    )
    store.db.conn.commit()
    return titles


def test_one_row_per_title_most_moved_first_linked_both_ways(
    run_cli, config_file: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with Store(tmp_path / "monitor.db") as store:
        store.sync_titles([Title("Backtrace"), Title("The Man from Toronto")])
        add_posts(store, {START + timedelta(days=d): 2 + 30 * (d > 50) for d in range(58)})
        add_chart(store, {START + timedelta(weeks=7): 4})
        add_posts(
            store, {START + timedelta(days=d): 3 for d in range(58)}, 10**6, "The Man from Toronto"
        )
    result = run_cli("report", "--all", "--out", "out")
    assert result.exit_code == 0, result.output
    assert "Wrote 2 title pages" in result.output
    page = (tmp_path / "out" / "index.html").read_text("utf-8")
    rows = re.findall(r"<tr><td>(.*?)</td>", page)
    assert rows == [
        '<a href="backtrace.html"><bdi>Backtrace</bdi></a>',
        '<a href="the-man-from-toronto.html"><bdi>The Man from Toronto</bdi></a>',
    ]
    assert page.count("<svg") == 2 and "<script" not in page and "src=" not in page
    assert "<b>#4</b> <bdi>Netflix Weekly US</bdi>" in page
    assert "224 <span" in page  # Backtrace's last 7 days: 7 × 32
    backtrace = (tmp_path / "out" / "backtrace.html").read_text("utf-8")
    assert '<a href="index.html">' in backtrace
    assert not list((tmp_path / "out").glob(".*tmp"))  # no temporary file left behind
    wrong = run_cli("report", "--all", "Backtrace")
    assert wrong.exit_code == 2 and "give it alone" in wrong.output


def test_a_title_with_nothing_yet_still_has_a_row(store: Store, tmp_path: Path) -> None:
    store.sync_titles([Title("Backtrace")])
    path = overview.write(store, [Title("Backtrace")], tmp_path / "o", DEFAULT_MODEL)
    page = path.read_text("utf-8")
    assert "Backtrace" in page and "too few posts" in page and "none" in page


@pytest.mark.parametrize("count", [1, 200])
def test_the_page_in_a_real_browser(tmp_path: Path, count: int) -> None:
    binary = _chromium()
    with Store(tmp_path / "m.db") as store:
        titles = many_titles(store, count)
        page = overview.write(store, titles, tmp_path / "out", DEFAULT_MODEL)
    html = page.read_text("utf-8")
    assert html.count("<tr><td>") == count
    if count > 1:  # the burst and the chart climb lead
        first = re.findall(r"<tr><td>(.*?)</td>", html)[:2]
        assert first == [
            "<bdi>Bad &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;</bdi>",
            "<bdi>Film 000</bdi>",
        ]
        assert "Film 000 reached #2" in html
    shot = tmp_path / f"overview-{count}.png"
    _browse(binary, page, tmp_path / "profile", f"--screenshot={shot}")
    if not shot.exists():
        pytest.skip("chromium ran but wrote no screenshot")
    from matplotlib.image import imread

    pixels = imread(str(shot))
    assert pixels.std() > 0.02  # not blank
    # the sparklines are drawn: the line's blue is on the page
    blue = (abs(pixels[..., 0] - 0x25 / 255) < 0.08) & (abs(pixels[..., 2] - 0xEB / 255) < 0.08)
    assert blue.sum() > 50 * min(count, 20)
    dom = _browse(binary, page, tmp_path / "profile2", "--dump-dom").stdout
    assert dom.count("<polyline") == count and "alert(1)" in dom and "<script>alert" not in dom
    keep = Path("/tmp") / "monitor-overview-shots"
    keep.mkdir(exist_ok=True)
    shot.replace(keep / shot.name)  # for a person to look at


def test_run_with_report_writes_the_overview_too(store: Store, tmp_path: Path) -> None:
    from monitor.config import Config, Credentials
    from monitor.run import run_once

    titles = (Title("Backtrace"), Title("Nothing Yet"))
    store.sync_titles(titles)
    add_posts(store, {START + timedelta(days=d): 3 for d in range(20)})
    done = run_once(
        store,
        Config(titles=titles),
        Credentials(),
        sources=(),
        charts_every=None,
        report_dir=tmp_path / "r",
    )
    assert done.ok, done.summary()
    assert "1 reports written" in done.summary()
    page = (tmp_path / "r" / "index.html").read_text("utf-8")
    assert '<a href="backtrace.html"><bdi>Backtrace</bdi></a>' in page
    assert "<td><bdi>Nothing Yet</bdi></td>" in page
    assert 'href="index.html"' in (tmp_path / "r" / "backtrace.html").read_text("utf-8")

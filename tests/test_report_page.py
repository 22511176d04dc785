"""`monitor report`: the files it writes, the summary it prints, and the page in a real browser."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from matplotlib.patches import StepPatch
from report_data import START, add_chart, add_gap, add_post, chart_run_scenario

from monitor import html, plot
from monitor.config import Title
from monitor.report import build_report
from monitor.store import Store

INJECTED = (
    "Backtrace was dreary <script>document.title='pwned';"
    "document.body.appendChild(document.createElement('hr')).id='pwned'</script>"
    "<img src=x onerror=\"document.title='pwned'\"> =cmd|' /C calc'!A0"
)


def scenario(path: Path) -> None:
    with Store(path) as store:
        store.sync_titles([Title("Backtrace"), Title("The Man from Toronto")])
        chart_run_scenario(store)
        add_post(store, 5000, START + timedelta(days=3), -0.99, text=INJECTED)
        add_post(
            store,
            5001,
            START + timedelta(days=3),
            0.1,
            title="The Man from Toronto",
            url="javascript:alert(1)",
        )
        add_gap(store, "bluesky", "2024-01-20T00:00:00Z", "2024-01-22T00:00:00Z")


def test_report_writes_a_self_contained_page_and_prints_a_summary(
    run_cli, config_file: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    scenario(tmp_path / "monitor.db")
    result = run_cli("report", "Backtrace", "--out", "out")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    assert any(
        re.match(r"at best\s+14\s+140\s+\d+\s+10\.0\s+\+0\.60\s+100%\s+0%", ln) for ln in lines
    )
    assert any(line.startswith("before ") for line in lines)
    assert "Talk and rank move together on the same days (strong link" in result.output
    assert "bluesky: result cap hit" in result.output
    page = (tmp_path / "out" / "backtrace.html").read_text("utf-8")
    png = (tmp_path / "out" / "backtrace.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    assert base64.b64encode(png).decode() in page  # the same figure, embedded
    assert "<script" not in page and "onerror=" not in page.replace("onerror=&quot;", "")
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;" in page
    # nothing to fetch: the only source is the embedded figure; links are plain links
    assert [src[:5] for src in re.findall(r'src="([^"]*)"', page)] == ["data:"]
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert 'href="https://example.invalid/reddit/1"' in page or "<a href=" in page
    assert "Content-Security-Policy" in page


def test_report_compare_and_mistakes(run_cli, config_file: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    scenario(tmp_path / "monitor.db")
    both = run_cli("report", "Backtrace", "--compare", "The Man from Toronto", "--out", "o")
    assert both.exit_code == 0, both.output
    assert "== Backtrace" in both.output and "== The Man from Toronto" in both.output
    page = (tmp_path / "o" / "backtrace-vs-the-man-from-toronto.html").read_text("utf-8")
    assert "javascript:" not in page  # a link that is not http(s) is dropped
    unknown = run_cli("report", "Nope")
    assert unknown.exit_code == 2 and "not a tracked title" in unknown.output
    empty = run_cli("report", "Backtrace", "--since", "2030-01-01")
    assert empty.exit_code == 1 and "nothing stored" in empty.output
    assert "Traceback" not in unknown.output + empty.output


def test_figure_draws_rank_inverted_with_run_and_gaps_marked(tmp_path: Path) -> None:
    scenario(tmp_path / "m.db")
    with Store(tmp_path / "m.db") as store:
        report = build_report(store, Title("Backtrace", released=START - timedelta(days=100)))
    fig: Figure = plot.draw(report)
    talk, mood, ranks = fig.axes[0], fig.axes[1], fig.axes[2]
    assert ranks.yaxis_inverted() and ranks.get_ylim()[1] < 1
    rank_line = next(line for line in ranks.get_lines() if line.get_label().startswith("rank"))
    assert 4 in set(rank_line.get_ydata()) and 9 in set(rank_line.get_ydata())
    notes = [t.get_text() for t in talk.texts]
    assert {"entered #9", "peak #4", "left the chart"} <= set(notes)
    assert "gap: bluesky: result cap hit" in notes
    stacks = {p.get_label(): p.get_data() for p in talk.patches if isinstance(p, StepPatch)}
    assert set(stacks) == {"bluesky posts", "reddit posts", "unique authors"}
    assert list(stacks["unique authors"].values) == [d.authors for d in report.days]
    assert "distinct texts" not in stacks  # no copies in this scenario: no second line
    top = stacks["reddit posts"]  # stacked last: its top is the day's total
    assert list(top.values) == [d.posts for d in report.days]
    assert list(top.baseline) == list(stacks["bluesky posts"].values)
    assert any("days since release" in a.get_xlabel() for a in talk.child_axes)
    assert mood.get_lines()[0].get_label() == "7-day mean (trailing)"


def test_a_title_that_enters_at_its_peak_gets_one_mark_not_two_labels_on_top(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "m.db") as store:
        store.sync_titles([Title("Backtrace")])
        for n in range(30):
            add_post(store, n, START + timedelta(days=n), 0.2)
        add_chart(store, {START + timedelta(days=7): 3, START + timedelta(days=14): 8})
        report = build_report(store, Title("Backtrace"))
    notes = [t.get_text() for t in plot.draw(report).axes[0].texts]
    assert "entered at its peak, #3" in notes
    assert not any(n.startswith(("entered #", "peak #")) for n in notes)


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium, as .ci/run does)")
    return found


def _browse(
    binary: str, page: Path, profile: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    args = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1280,1600",
        *extra,
        page.as_uri(),
    ]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"chromium could not start: {exc}")
    if done.returncode != 0:
        pytest.skip(f"chromium could not start (exit {done.returncode}): {done.stderr[-300:]}")
    return done


def test_page_in_a_headless_browser_shows_the_figure_and_runs_no_injected_script(
    tmp_path: Path,
) -> None:
    binary = _chromium()
    scenario(tmp_path / "m.db")
    with Store(tmp_path / "m.db") as store:
        report = build_report(store, Title("Backtrace"))
    _, page = html.write([report], tmp_path / "out")
    shot = tmp_path / "shot.png"
    _browse(binary, page, tmp_path / "profile", f"--screenshot={shot}")
    if not shot.exists():
        pytest.skip("chromium ran but wrote no screenshot")
    from matplotlib.image import imread

    pixels = imread(str(shot))
    assert pixels.shape[0] >= 1000 and pixels.shape[1] >= 1000
    assert pixels.std() > 0.05  # not a blank page: the figure and the text are there

    dom = _browse(binary, page, tmp_path / "profile2", "--dump-dom").stdout
    assert "<title>Backtrace · monitor report</title>" in dom
    assert 'id="pwned"' not in dom and "<hr" not in dom
    assert "&lt;script&gt;document.title='pwned'" in dom  # shown as text
    assert re.search(r'<img id="figure"[^>]+src="data:image/png;base64,', dom)


def test_the_themes_read_well_in_a_browser_on_a_phone_too(tmp_path: Path) -> None:
    """Themes beside each phase's quotes, at desktop width and at a phone's 375 px."""
    from test_themes import TITLE, planted

    binary = _chromium()
    with Store(tmp_path / "m.db") as store:
        store.sync_titles([TITLE])
        planted(store)
        add_post(store, 99_999, START + timedelta(weeks=4), 0.5, text=INJECTED + " Stallone")
        report = build_report(store, TITLE)
    _, page = html.write([report], tmp_path / "out")
    from matplotlib.image import imread

    for width in (1280, 375):
        shot = tmp_path / f"themes-{width}.png"
        _browse(
            binary,
            page,
            tmp_path / f"p{width}",
            f"--screenshot={shot}",
            f"--window-size={width},2400",
        )
        if not shot.exists():
            pytest.skip("chromium ran but wrote no screenshot")
        pixels = imread(str(shot))
        assert pixels.shape[1] == width and pixels.std() > 0.05
        keep = os.environ.get("MONITOR_SCREENSHOTS")  # to look at them: a folder
        if keep:
            shutil.copy(shot, Path(keep) / shot.name)
    dom = _browse(binary, page, tmp_path / "pdom", "--dump-dom").stdout
    assert 'id="pwned"' not in dom
    assert dom.count('<div class="themes">') == len([p for p in report.phases if p.posts])
    assert '<span class="term">bad it\'s good</span>' in dom
    assert "Flagged: streams4u" in dom

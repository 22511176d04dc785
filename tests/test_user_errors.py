"""A user's mistake is one ``Error:`` line with a hint and exit 2 (usage, config) or 1:
never a traceback, never a hang. Numbers are bounded, URLs parsed, ages and chart fields
checked, each in one place."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import Invoke
from report_data import add_chart, add_post

from monitor.bounds import latest
from monitor.config import Config, load_config
from monitor.report import build_report
from monitor.store import Store


def _one_error(output: str) -> str:
    """The ``Error:`` line: exactly one, and no traceback."""
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "Traceback" not in output, output
    return errors[0]


@pytest.mark.parametrize(
    "args",
    [
        ("label", "--batch", "99999999999999999999"),
        ("label", "--batch", "0"),
        ("prune", "--older-than", "5000y"),
        ("prune", "--older-than", "99999999999999999999d"),
        ("run", "--charts-every", "nan"),
        ("run", "--charts-every", "inf"),
        ("run", "--charts-every", "-inf"),
        ("run", "--charts-every", "1e300"),
        ("stream", "--duration", "nan"),
        ("stream", "--duration", "inf"),
        ("stream", "--duration", "1e300"),
        ("stream", "--max-events", "99999999999999999999999"),
        ("stream", "--jetstream", "ws://[::1"),
        ("stream", "--jetstream", "ws://localhost:99999"),
        ("stream", "--jetstream", "wss://host:port/subscribe"),
        ("stream", "--jetstream", "https://jetstream.example/subscribe"),
        ("export", "daily", "--since", "2024-02-01", "--until", "2024-01-01"),
        ("report", "Backtrace", "--since", "2024-02-01", "--until", "2024-01-01"),
    ],
    ids=lambda a: " ".join(a),
)
def test_a_bad_value_is_a_usage_error(
    run_cli: Invoke, config_file: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    assert run_cli("label").exit_code == 0
    before = (tmp_path / "monitor.db").read_bytes()
    result = run_cli(*args)
    assert result.exit_code == 2, result.output
    _one_error(result.output)
    assert (tmp_path / "monitor.db").read_bytes() == before


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[store]\nrecheck_days = 99999999999\n", "store.recheck_days: must be a whole number"),
        ("[reddit]\ncomments = 99999999999999999999\n", "reddit.comments: must be a whole"),
        ('[bluesky]\nservice = "http://[::1"\n', "bluesky.service: must be a valid URL"),
        ('[netflix]\nsource = "http://[::1"\n', "netflix.source: must be a valid URL"),
        ('[netflix]\nsource = "https://host:99999/x"\n', "netflix.source: must be a valid URL"),
        ('[reddit]\noauth_url = "https://"\n', "reddit.oauth_url: must be a valid URL"),
        ('[store]\npath = ""\n', "store.path: must not be empty"),
        ('[store]\npath = "  "\n', "store.path: must not be empty"),
        ("[netflix]\ncountries = []\n", "netflix.countries: is empty: list at least one"),
    ],
)
def test_a_bad_config_value_is_one_line_exit_2(
    run_cli: Invoke, tmp_path: Path, text: str, says: str
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(text, encoding="utf-8")
    result = run_cli("--config", str(config), "titles")
    assert result.exit_code == 2, result.output
    assert says in _one_error(result.output)
    assert "not a string" not in result.output


def test_a_config_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    config = tmp_path / "monitor.toml"
    config.write_bytes(b'\xef\xbb\xbf[[titles]]\nname = "Backtrace"\n')
    assert load_config(config).titles[0].name == "Backtrace"
    assert load_config(config).netflix.source == Config().netflix.source


def test_a_local_folder_is_still_a_netflix_source(tmp_path: Path) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text(f'[netflix]\nsource = "{tmp_path}"\n', encoding="utf-8")
    assert load_config(config).netflix.source == str(tmp_path)


def test_a_log_file_that_cannot_be_written_is_said_once_and_fails_the_run(
    config_file: Path, tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "run", "--no-charts", "--log-file", "/dev/full"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "--- Logging error ---" not in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.count("cannot write the log file") == 1
    assert "/dev/full" in _one_error(done.stderr)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("date,rank,title\n2024-07-01,99999999999999999999999,X\n", "line 2, column 2 (rank)"),
        ('date,rank,title\n2024-07-01,1,X\n2024-07-02,2,"Y\n2024-07-03,3,Z\n', "line 3: "),
        ("date,rank,title,rank\n2024-07-01,1,X,1\n", "line 1, column 4: column 'rank' is named"),
        ("date,rank,title,views\n2024-07-01,1,X,5\n", "line 1, column 4: unknown column 'views'"),
        ("date,rank,title\n9999-12-31,1,X\n", "line 2, column 1 (date): 9999-12-31 is outside"),
        ("date,rank,title\n2024-07-01,1,X\n2300-01-01,2,X\n", "line 3, column 1 (date)"),
        ("date,rank,title\n1900-01-01,1,X\n", "line 2, column 1 (date): 1900-01-01 is outside"),
    ],
    ids=["huge-rank", "open-quote", "duplicate-header", "unknown-column", "9999", "2300", "1900"],
)
def test_a_bad_chart_file_names_line_and_column_and_stores_nothing(
    run_cli: Invoke, config_file: Path, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "chart.csv"
    path.write_text(content, "utf-8")
    result = run_cli("charts", "import", str(path), "--chart", "max")
    assert result.exit_code == 1, result.output
    assert f"Error: {path}, {message}" in _one_error(result.output)
    with Store(tmp_path / "monitor.db") as store:
        assert store.count("chart_entries") == 0


def test_the_report_axis_never_spans_centuries(
    run_cli: Invoke, config_file: Path, tmp_path: Path
) -> None:
    """A far-off chart date stored before import refused it, or a far-off --until: the
    report draws the believable days only."""
    assert run_cli("label").exit_code == 0
    with Store(tmp_path / "monitor.db") as store:
        add_post(store, 1, date(2024, 1, 3), 0.5)
        add_chart(store, {date(2024, 1, 1): 4, date(9999, 12, 25): 1, date(1, 1, 1): 2})
        title = load_config(config_file).titles[0]
        report = build_report(store, title)
        assert date(2024, 1, 1) <= report.start and report.end <= latest()
        assert len(report.days) < 3 * 366
        assert report.chart is not None and report.chart.peak.rank == 4
        far = build_report(store, title, until=date(9999, 12, 31))
        assert far.end == latest() and len(far.days) < 5 * 366
    result = run_cli("report", "Backtrace", "--until", "9999-12-31", "--out", "reports")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "reports" / "backtrace.png").exists()

"""`monitor run`: sources with credentials polled, others skipped, exit status, lock, secrets.

These tests stand a scripted source in for the platforms (through ``monitor.run.build``);
``test_reliability.py`` runs the real clients against the local fake servers.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.charts.netflix import FileResult
from monitor.clock import iso
from monitor.config import Config, Credentials, Title
from monitor.errors import AuthError, MissingCredentials, SourceError
from monitor.rows import PostRow
from monitor.sources.base import Deleted, Page
from monitor.store import Store

REDDIT_ENV = {"REDDIT_CLIENT_ID": "client-id-123", "REDDIT_CLIENT_SECRET": "s3cret+reddit/value"}
BLUESKY_ENV = {"BLUESKY_HANDLE": "me.bsky.social", "BLUESKY_APP_PASSWORD": "abcd-efgh-ijkl-mnop"}
SECRETS = ("s3cret+reddit/value", "abcd-efgh-ijkl-mnop")


def post(platform: str, n: int, age_days: float) -> PostRow:
    created = datetime.now(UTC) - timedelta(days=age_days)
    return {
        "id": f"{platform}:{n}",
        "platform": platform,
        "native_id": str(n),
        "text": f"Backtrace was great {n}",
        "author": f"user{n}",
        "created_at": iso(created),
    }


class StubSource:
    """Yields ``posts`` on poll; says ``gone`` are deleted on recheck; or raises ``error``."""

    budget = None

    def __init__(
        self,
        name: str,
        posts: Sequence[PostRow] = (),
        gone: Sequence[str] = (),
        error: Exception | None = None,
    ) -> None:
        self.name = name
        self.posts = list(posts)
        self.gone = list(gone)
        self.error = error
        self.rechecked: list[str] = []
        self.requests = 0

    @contextmanager
    def connect(self, sessions: object) -> Iterator[None]:
        if self.error is not None:
            raise self.error
        yield

    def describe(self, title: Title) -> str:
        return title.name

    def pages(self, title: Title, *args: object) -> Iterator[Page]:
        logging.getLogger(f"monitor.sources.{self.name}").debug("polling with %s", "token")
        self.requests += 1
        yield Page(self.posts)

    def recheck(self, post_ids: Sequence[str], threads: object) -> Iterator[Deleted]:
        self.rechecked = list(post_ids)
        yield Deleted([p for p in post_ids if p in self.gone])


class StubCharts(list[str]):
    """Stands in for the Netflix update: records each call, or raises ``error``."""

    error: Exception | None = None

    def __call__(self, store: Store, config: Config) -> list[FileResult]:
        if self.error is not None:
            raise self.error
        self.append("update")
        return [FileResult("all-weeks-global.tsv", changed=True, lines=41, rows=40)]


@pytest.fixture
def charts(monkeypatch: pytest.MonkeyPatch) -> StubCharts:
    stub = StubCharts()
    monkeypatch.setattr("monitor.run.update_netflix", stub)
    return stub


@pytest.fixture
def stubs(monkeypatch: pytest.MonkeyPatch, charts: StubCharts) -> dict[str, StubSource]:
    made: dict[str, StubSource] = {"reddit": StubSource("reddit"), "bluesky": StubSource("bluesky")}

    def build(name: str, config: Config, creds: Credentials) -> StubSource:
        if not getattr(creds, name):
            raise MissingCredentials(f"no {name} credentials")
        return made[name]

    monkeypatch.setattr("monitor.run.build", build)
    return made


def test_polls_sources_with_credentials_skips_the_others_and_rechecks_recent_posts(
    run_cli, config_file: Path, tmp_path: Path, stubs: dict[str, StubSource]
) -> None:  # type: ignore[no-untyped-def]
    stubs["reddit"].posts = [post("reddit", 1, 1), post("reddit", 2, 30)]
    stubs["reddit"].gone = ["reddit:1"]
    result = run_cli("run", env=REDDIT_ENV)
    assert result.exit_code == 0, result.output
    assert "bluesky: skipped, no credentials" in result.output
    assert "\x1b[K" not in result.output and "[1/4]" not in result.output  # no TTY: no progress
    summary = result.output.strip().splitlines()[-1]
    assert "reddit: 2 new, 2 requests, 0 failed, 1 deleted" in summary
    assert "bluesky: skipped (no credentials)" in summary
    assert stubs["reddit"].rechecked == ["reddit:1"]  # younger than recheck_days = 7 only
    with Store(tmp_path / "monitor.db") as store:
        rows = {r["id"]: r for r in store.query("select id, text, author, deleted from posts")}
    assert rows["reddit:1"] == {"id": "reddit:1", "text": None, "author": None, "deleted": 1}
    assert rows["reddit:2"]["text"] == "Backtrace was great 2"


def test_a_failing_source_exits_1_and_the_other_is_still_stored(
    run_cli, config_file: Path, tmp_path: Path, stubs: dict[str, StubSource]
) -> None:  # type: ignore[no-untyped-def]
    stubs["reddit"].error = AuthError("Reddit refused the credentials (HTTP 401)")
    stubs["bluesky"].posts = [post("bluesky", 1, 0)]
    result = run_cli("run", env={**REDDIT_ENV, **BLUESKY_ENV})
    assert result.exit_code == 1
    assert "ERROR monitor.run: reddit: Reddit refused the credentials" in result.output
    assert "Traceback" not in result.output
    assert "bluesky: 1 new" in result.output.splitlines()[-1]
    with Store(tmp_path / "monitor.db") as store:
        assert store.count("posts") == 1


def test_config_and_usage_errors_exit_2(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = run_cli("run")
    assert missing.exit_code == 2 and "no such config file" in missing.output
    assert run_cli("run", "--source", "myspace").exit_code == 2
    assert not (tmp_path / "monitor.db.lock").exists()  # nothing locked, nothing created


def test_quiet_prints_errors_only_and_log_file_gets_every_line(
    run_cli, config_file: Path, tmp_path: Path, stubs: dict[str, StubSource]
) -> None:  # type: ignore[no-untyped-def]
    stubs["reddit"].posts = [post("reddit", 1, 1)]
    ok = run_cli("run", "--quiet", "--log-file", "run.log", env=REDDIT_ENV)
    assert ok.exit_code == 0 and ok.output == ""
    logged = (tmp_path / "run.log").read_text()
    assert " WARNING monitor.run: bluesky: skipped" in logged
    assert " INFO monitor.run: reddit: 1 new" in logged
    stubs["reddit"].error = AuthError("Reddit refused the credentials (HTTP 401)")
    failed = run_cli("-q", "run", env=REDDIT_ENV)
    assert failed.exit_code == 1
    assert [line.split(" ", 1)[1] for line in failed.output.splitlines()] == [
        "ERROR monitor.run: reddit: Reddit refused the credentials (HTTP 401)"
    ]


def test_no_secret_in_any_output_even_verbose_and_in_tracebacks(
    run_cli, config_file: Path, tmp_path: Path, stubs: dict[str, StubSource]
) -> None:  # type: ignore[no-untyped-def]
    secret = SECRETS[0]
    stubs["reddit"].error = RuntimeError(f"bad header Authorization: {secret}")
    stubs["bluesky"].error = ValueError("login failed for password=s3cret%2Breddit%2Fvalue")
    result = run_cli("-vv", "run", "--log-file", "run.log", env={**REDDIT_ENV, **BLUESKY_ENV})
    assert result.exit_code == 1
    everything = result.output + (tmp_path / "run.log").read_text()
    assert "Traceback" in everything and "bad header Authorization: ***" in everything
    assert "password=***" in everything  # URL-quoted form too
    for value in SECRETS:
        assert value not in everything


UNCAUGHT = """
import os, sys
import monitor.cli.run

def boom(*args, **kwargs):
    raise RuntimeError("token " + os.environ["BLUESKY_APP_PASSWORD"] + " rejected")

monitor.cli.run.run_once = boom
from monitor.cli import cli
cli(prog_name="monitor", args=sys.argv[1:])
"""


def test_an_unexpected_crash_of_monitor_run_prints_no_secret(
    config_file: Path, tmp_path: Path
) -> None:
    env = {**os.environ, **REDDIT_ENV, **BLUESKY_ENV}
    out = subprocess.run(
        [sys.executable, "-c", UNCAUGHT, "-vv", "run", "--log-file", "run.log"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert out.returncode == 1
    logged = (tmp_path / "run.log").read_text()
    for text in (out.stderr, logged):
        assert "CRITICAL monitor: unexpected error" in text
        assert "RuntimeError: token *** rejected" in text
    for value in SECRETS:
        assert value not in out.stdout + out.stderr + logged


def test_a_second_run_exits_75_while_another_process_holds_the_lock(
    run_cli, config_file: Path, tmp_path: Path, stubs: dict[str, StubSource]
) -> None:  # type: ignore[no-untyped-def]
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from monitor.lock import RunLock; RunLock(sys.argv[1]).acquire();"
            " print('locked', flush=True); time.sleep(60)",
            str(tmp_path / "monitor.db"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "locked"
        stubs["reddit"].posts = [post("reddit", 1, 1)]
        blocked = run_cli("run", "--log-file", "run.log", env=REDDIT_ENV)
        assert blocked.exit_code == 75
        assert "another monitor run holds" in blocked.output and str(holder.pid) in blocked.output
        # cron's log file says why this run did nothing, not just its exit status
        logged = (tmp_path / "run.log").read_text()
        assert "ERROR monitor: Error: another monitor run holds" in logged
        assert not (tmp_path / "monitor.db").exists()  # it never polled
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        holder.stdout.close()
    after = run_cli("run", env=REDDIT_ENV)
    assert after.exit_code == 0
    assert f"stale lock left by a process that died (pid {holder.pid}" in after.output


def test_charts_are_updated_at_most_once_per_interval(
    run_cli, config_file: Path, tmp_path: Path, stubs: dict[str, StubSource], charts: StubCharts
) -> None:  # type: ignore[no-untyped-def]
    first = run_cli("run")
    assert first.exit_code == 0 and "charts: 1 of 1 files changed" in first.output
    assert run_cli("run").exit_code == 0 and charts == ["update"]  # not due: 6 hours
    assert run_cli("run", "--charts-every", "0").exit_code == 0 and len(charts) == 2
    with Store(tmp_path / "monitor.db") as store:
        stamp = store.get_state("run.charts_updated_at")
    charts.error = SourceError("https://www.netflix.com/…: HTTP 503 Service Unavailable")
    failed = run_cli("run", "--charts-every", "0")
    assert failed.exit_code == 1
    assert "ERROR monitor.run: charts: https://www.netflix.com/…: HTTP 503" in failed.output
    assert "charts: failed" in failed.output.splitlines()[-1]
    with Store(tmp_path / "monitor.db") as store:  # a failure does not count as an update
        assert store.get_state("run.charts_updated_at") == stamp
    charts.error = None
    assert run_cli("run", "--charts-every", "0", "--no-charts").exit_code == 0
    assert len(charts) == 2


def test_run_labels_what_the_current_model_has_not_labelled(
    run_cli, config_file: Path, tmp_path: Path, stubs: dict[str, StubSource]
) -> None:  # type: ignore[no-untyped-def]
    with Store(tmp_path / "monitor.db") as store:
        store.sync_titles([Title("Backtrace"), Title("The Man from Toronto")])
        store.upsert_posts([post("reddit", 1, 1)])  # stored without a label
        store.upsert_mentions(
            [{"post_id": "reddit:1", "title": "Backtrace", "relevance": 1.0, "terms": []}]
        )
    result = run_cli("run", env=REDDIT_ENV)
    assert result.exit_code == 0, result.output
    assert "; labelled 1" in result.output.splitlines()[-1]
    with Store(tmp_path / "monitor.db") as store:
        assert store.count("sentiments") == 1
    again = run_cli("run", env=REDDIT_ENV)
    assert "labelled" not in again.output.splitlines()[-1]  # nothing left to label


def test_run_writes_the_reports_of_titles_with_something_stored(
    run_cli, config_file: Path, tmp_path: Path, stubs: dict[str, StubSource]
) -> None:  # type: ignore[no-untyped-def]
    stubs["reddit"].posts = [post("reddit", n, n / 3) for n in range(1, 9)]
    result = run_cli("run", "--report", "reports", env=REDDIT_ENV)
    assert result.exit_code == 0, result.output
    assert "1 reports written to reports" in result.output.splitlines()[-1]
    assert (tmp_path / "reports" / "backtrace.html").stat().st_size > 0
    assert (tmp_path / "reports" / "backtrace.png").stat().st_size > 0
    assert "The Man from Toronto: no report, nothing stored yet" in result.output
    assert not (tmp_path / "reports" / "the-man-from-toronto.html").exists()

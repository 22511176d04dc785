"""`monitor poll --source reddit` end to end: CLI, real praw, fake Reddit, SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Invoke
from fakes import ReplayServer

from monitor.replay.reddit import FakeReddit
from monitor.store import Store

SECRET = "s3cret-reddit-value"
ENV = {"REDDIT_CLIENT_ID": "cli-app", "REDDIT_CLIENT_SECRET": SECRET}


@pytest.fixture
def fake() -> FakeReddit:
    fake = FakeReddit(client_id="cli-app", client_secret=SECRET)
    fake.submission("Just watched Backtrace on Netflix, Stallone phoned it in")
    fake.submission("The Man from Toronto on Netflix: Kevin Hart carried the whole film")
    fake.submission("gdb shows a backtrace full of segfault frames")
    return fake


@pytest.fixture
def server(fake: FakeReddit) -> Iterator[ReplayServer]:
    with ReplayServer(fake.handle) as srv:
        yield srv


@pytest.fixture
def reddit_config(tmp_path: Path, server: ReplayServer) -> Path:
    path = tmp_path / "config" / "monitor.toml"
    path.parent.mkdir()
    path.write_text(
        f"""
[store]
path = "monitor.db"

[[titles]]
name = "Backtrace"
exclude = ["gdb", "segfault"]

[[titles]]
name = "The Man from Toronto"

[reddit]
oauth_url = "{server.url}"
reddit_url = "{server.url}"
""",
        encoding="utf-8",
    )
    return path


def test_poll_one_title(run_cli: Invoke, reddit_config: Path, tmp_path: Path) -> None:
    result = run_cli("poll", "--source", "reddit", "--title", "Backtrace", env=ENV)
    assert result.exit_code == 0, result.output
    assert "reddit: 2 new, 2 requests, 0 failed" in result.output
    with Store(tmp_path / "monitor.db") as store:
        about = [r["title"] for r in store.query("select title from mentions")]
    assert about == ["Backtrace"]


def test_poll_every_title_then_nothing_new(run_cli: Invoke, reddit_config: Path) -> None:
    assert "reddit: 3 new" in run_cli("poll", "--source", "reddit", env=ENV).output
    again = run_cli("poll", "--source", "reddit", env=ENV)
    assert again.exit_code == 0
    assert "reddit: 0 new, 3 requests, 0 failed" in again.output


def test_refused_credentials_exit_1_naming_the_variables(
    run_cli: Invoke, reddit_config: Path
) -> None:
    env = {**ENV, "REDDIT_CLIENT_SECRET": "wrong-secret-value"}
    result = run_cli("poll", "--source", "reddit", env=env)
    assert result.exit_code == 1
    assert "REDDIT_CLIENT_SECRET" in result.output
    assert "wrong-secret-value" not in result.output
    assert "Traceback" not in result.output


def test_a_failing_reddit_exits_1_and_says_why(
    run_cli: Invoke, reddit_config: Path, server: ReplayServer
) -> None:
    server.fail("bad_json", path="/r/all/search")
    result = run_cli("poll", "--source", "reddit", "--title", "Backtrace", env=ENV)
    assert result.exit_code == 1
    assert "malformed JSON" in result.output
    assert "reddit: 0 new, 2 requests, 1 failed" in result.output

"""Shared fixtures: a config file, a database, a recording sleep and a CLI runner, all under
tmp_path. A module sets which titles the ``store`` tracks by defining ``tracked``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fakes import Sleeps

from monitor.cli import cli
from monitor.config import CREDENTIAL_VARS, Title
from monitor.store import Store

BACKTRACE = """
[store]
path = "monitor.db"

[[titles]]
name = "Backtrace"
aliases = ["Backtrace 2018"]
context = ["Stallone", "Netflix"]
exclude = ["gdb", "segfault", "stack trace"]
released = 2018-12-14

[[titles]]
name = "The Man from Toronto"
released = 2022-06-24
"""


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's credentials, config or database; each runs in tmp_path."""
    for name in (*CREDENTIAL_VARS, "MONITOR_CONFIG", "MONITOR_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def tracked() -> tuple[Title, ...]:
    """The titles the ``store`` fixture tracks; a module overrides it."""
    return ()


@pytest.fixture
def store(tmp_path: Path, tracked: tuple[Title, ...]) -> Iterator[Store]:
    """A new database in tmp_path, tracking ``tracked``."""
    with Store(tmp_path / "monitor.db") as db:
        db.sync_titles(tracked)
        yield db


@pytest.fixture
def sleeps() -> Sleeps:
    """A sleep that records the seconds instead of waiting."""
    return Sleeps()


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config" / "monitor.toml"
    path.parent.mkdir()
    path.write_text(BACKTRACE, encoding="utf-8")
    return path


Invoke = Callable[..., Result]


@pytest.fixture
def run_cli(tmp_path: Path) -> Iterator[Invoke]:
    """Run the CLI in-process; ``run_cli("status")`` returns click's Result."""

    def invoke(
        *args: str, input: str | bytes | None = None, env: dict[str, str] | None = None
    ) -> Result:
        return CliRunner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)

    yield invoke

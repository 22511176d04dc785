"""Reading commands never write; a path that is not a regular file is refused at once; a
writer waits its busy timeout for another writer instead of failing."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import Invoke

from monitor.errors import StoreError
from monitor.store import Store

READERS = (
    ("status",),
    ("titles",),
    ("export", "posts"),
    ("export", "daily"),
    ("report", "Backtrace"),
    ("charts", "show", "Backtrace"),
)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.parametrize("command", READERS, ids=lambda c: " ".join(c))
def test_a_reader_leaves_another_apps_database_alone(
    run_cli: Invoke, config_file: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    other = tmp_path / "other-app.db"
    conn = sqlite3.connect(other)
    conn.execute("create table notes (id integer primary key, body text)")
    conn.execute("insert into notes (body) values ('theirs')")
    conn.commit()
    conn.close()
    before = _files(tmp_path)
    result = run_cli("--db", str(other), *command)
    assert result.exit_code == 1, result.output
    assert "not a monitor database" in result.output and "Traceback" not in result.output
    assert _files(tmp_path) == before  # no table added, no WAL turned on, nothing beside it
    conn = sqlite3.connect(other)
    assert conn.execute("pragma journal_mode").fetchone()[0] == "delete"
    assert [r[0] for r in conn.execute("select name from sqlite_master")] == ["notes"]


@pytest.mark.parametrize("command", READERS, ids=lambda c: " ".join(c))
def test_a_reader_never_creates_a_database(
    run_cli: Invoke, config_file: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    result = run_cli("--db", str(tmp_path / "typo.db"), *command)
    assert result.exit_code == 1 and "no such database" in result.output, result.output
    assert not list(tmp_path.glob("typo.db*"))
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    result = run_cli("--db", str(empty), *command)
    assert result.exit_code == 1 and "not a monitor database" in result.output
    assert empty.read_bytes() == b"" and not list(tmp_path.glob("empty.db-*"))


def test_a_writer_refuses_another_apps_database(run_cli: Invoke, tmp_path: Path) -> None:
    other = tmp_path / "other-app.db"
    sqlite3.connect(other).execute("create table notes (id integer primary key)").connection.close()
    before = other.read_bytes()
    result = run_cli("--db", str(other), "label")
    assert result.exit_code == 1 and "not a monitor database" in result.output
    assert other.read_bytes() == before


def test_titles_lists_configured_titles_without_writing(
    run_cli: Invoke, config_file: Path, tmp_path: Path
) -> None:
    assert run_cli("label").exit_code == 0
    config_file.write_text(config_file.read_text() + '\n[[titles]]\nname = "Dune"\n')
    db = tmp_path / "monitor.db"
    with Store(db) as store:
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = db.read_bytes()
    result = run_cli("titles")
    assert result.exit_code == 0 and "Dune" in result.output
    assert db.read_bytes() == before  # listed, not synced


def _cli_process(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI as a real process, so that a hang fails the test instead of stalling it."""
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_a_fifo_or_a_symlink_loop_is_refused_at_once(config_file: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    for path in (fifo, loop):
        for args, env in (
            (("status",), {"MONITOR_DB": str(path)}),
            (("label",), {"MONITOR_DB": str(path)}),
            (("--config", str(path), "status"), {}),
            (("--config", str(path), "run"), {}),
            (("run", "--log-file", str(path)), {}),
        ):
            done = _cli_process(*args, env=env)
            assert done.returncode in (1, 2), (args, done.stderr)
            lines = done.stderr.strip().splitlines()
            assert lines[0].startswith("Error:") and str(path) in lines[0], done.stderr
            assert "Traceback" not in done.stderr
            assert any(why in lines[0] for why in ("not a regular file", "loop", "pipe"))


def test_a_writer_waits_for_another_writer_instead_of_failing(tmp_path: Path) -> None:
    """One transaction reads, another writer commits meanwhile, then the first writes: with a
    deferred BEGIN SQLite fails the first at once ("database is locked") whatever the busy
    timeout; with BEGIN IMMEDIATE the other writer waits for it, and both succeed."""
    db = tmp_path / "monitor.db"
    Store(db).close()
    other_started, other_done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def other_writer() -> None:
        try:
            with Store(db) as store:
                other_started.set()
                store.set_state("other", "wrote")
        except BaseException as exc:
            errors.append(exc)
        finally:
            other_done.set()

    with Store(db) as store, store.transaction():
        assert store.get_state("other") is None  # this transaction has read
        thread = threading.Thread(target=other_writer)
        thread.start()
        other_started.wait(30)
        other_done.wait(0.5)  # the other writer commits now, or waits for this one
        store.set_state("first", "wrote")
    thread.join(30)
    assert not errors
    with Store(db) as store:
        assert (store.get_state("first"), store.get_state("other")) == ("wrote", "wrote")


def test_commands_go_on_while_another_process_keeps_writing(
    run_cli: Invoke, config_file: Path, tmp_path: Path
) -> None:
    """Another writer commits batch after batch (as `label --relabel` does) the whole time;
    readers never wait for it and writers wait their turn: none fails."""
    assert run_cli("label").exit_code == 0
    db = tmp_path / "monitor.db"
    stop = threading.Event()

    def relabel() -> None:
        conn = sqlite3.connect(db, timeout=10, isolation_level=None)
        n = 0
        while not stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("insert or replace into state (key, value) values ('load', ?)", [n])
            conn.execute("COMMIT")
            n += 1
            time.sleep(0.002)  # a batch is scored between two commits, as label does
        conn.close()

    writer = threading.Thread(target=relabel)
    writer.start()
    try:
        for _ in range(3):
            for command in (("status",), ("titles",), ("export", "daily"), ("label",)):
                result = run_cli(*command)
                assert result.exit_code == 0, (command, result.output)
        with Store(db) as store:  # read-then-write transactions, many of them
            for n in range(50):
                with store.transaction():
                    store.get_state("load")
                    store.set_state(f"mine-{n}", "x")
    finally:
        stop.set()
        writer.join()
    with pytest.raises(StoreError, match="no such database"):
        Store(tmp_path / "nothing.db", read=True)

"""Outputs never destroy inputs: no output lands on the database, its companions, the lock
or the config; every output is written whole or not at all; the demo and ``init`` write
over no file they did not write."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Invoke

from monitor.errors import MonitorError
from monitor.files import atomic_output, write_text
from monitor.store import Store


def _snapshot(tmp_path: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(tmp_path)): p.read_bytes()
        for p in sorted(tmp_path.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture
def database(run_cli: Invoke, config_file: Path, tmp_path: Path) -> Path:
    """A monitor database with one post, checkpointed, plus its lock file."""
    assert run_cli("label").exit_code == 0
    db = tmp_path / "monitor.db"
    with Store(db) as store:
        store.upsert_posts(
            [
                {
                    "id": "reddit:t3_1",
                    "platform": "reddit",
                    "native_id": "t3_1",
                    "created_at": "2024-01-01T00:00:00Z",
                }
            ]
        )
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    Path(f"{db}.lock").write_text("")
    return db


@pytest.mark.parametrize(
    "target",
    [
        "monitor.db",
        "monitor.db-wal",
        "monitor.db-shm",
        "monitor.db.lock",
        "config/monitor.toml",
        "link-to-db",
        "config/../monitor.db",
    ],
)
def test_export_never_writes_over_an_input(
    run_cli: Invoke, database: Path, tmp_path: Path, target: str
) -> None:
    (tmp_path / "link-to-db").symlink_to(database)
    before = _snapshot(tmp_path)
    result = run_cli("export", "posts", "-o", str(tmp_path / target))
    assert result.exit_code == 1, result.output
    assert "refusing to write over" in result.output and "Traceback" not in result.output
    assert _snapshot(tmp_path) == before  # the database is byte for byte as it was
    assert run_cli("status").exit_code == 0


def test_run_log_file_never_appends_to_the_database(run_cli: Invoke, database: Path) -> None:
    before = database.read_bytes()
    result = run_cli("run", "--no-charts", "--log-file", str(database))
    assert result.exit_code == 1 and "refusing to write over" in result.output
    assert database.read_bytes() == before


def test_a_failed_output_leaves_the_old_file_whole(tmp_path: Path) -> None:
    old = tmp_path / "posts.csv"
    old.write_text("the old export\n")
    with pytest.raises(RuntimeError), atomic_output(old) as fh:
        fh.write(b"half of the new one")
        raise RuntimeError("a row the writer choked on")
    assert old.read_text() == "the old export\n"
    assert sorted(os.listdir(tmp_path)) == ["posts.csv"]  # no temporary file left
    write_text(old, "the new one\n")
    assert old.read_text() == "the new one\n" and sorted(os.listdir(tmp_path)) == ["posts.csv"]


def test_export_to_a_full_device_or_a_missing_folder_is_one_error(
    run_cli: Invoke, database: Path, tmp_path: Path
) -> None:
    old = tmp_path / "posts.csv"
    old.write_text("kept\n")
    for target in ("/dev/full", str(tmp_path / "missing" / "x.csv"), str(old / "x.csv")):
        result = run_cli("export", "posts", "-o", target)
        assert result.exit_code == 1 and result.output.startswith("Error:"), result.output
        assert "Traceback" not in result.output
    assert old.read_text() == "kept\n"


def _limited(limit: int) -> None:
    """In the child: files may not grow past ``limit`` bytes (a full disk, in effect)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past it fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_an_export_that_runs_out_of_space_keeps_the_last_one(
    run_cli: Invoke, database: Path, tmp_path: Path
) -> None:
    with Store(database) as store:
        store.upsert_posts(
            {
                "id": f"reddit:t3_{n}",
                "platform": "reddit",
                "native_id": f"t3_{n}",
                "created_at": "2024-01-01T00:00:00Z",
                "text": "words " * 20,
            }
            for n in range(2, 2000)
        )
        store.upsert_mentions(
            {"post_id": f"reddit:t3_{n}", "title": "Backtrace", "relevance": 1.0, "terms": []}
            for n in range(1, 2000)
        )
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    last = tmp_path / "posts.csv"
    last.write_text("yesterday's export\n" * 10)
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "export", "posts", "-o", str(last)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: _limited(65536),
    )
    assert done.returncode == 1 and done.stderr.startswith("Error:"), done.stderr
    assert "Traceback" not in done.stderr
    assert last.read_text() == "yesterday's export\n" * 10  # whole, not cut
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_an_output_through_a_symlink_replaces_the_file_it_leads_to(
    run_cli: Invoke, database: Path, tmp_path: Path
) -> None:
    real = tmp_path / "exports" / "posts.csv"
    real.parent.mkdir()
    real.write_text("old\n")
    (tmp_path / "posts.csv").symlink_to(real)
    assert run_cli("export", "posts", "-o", str(tmp_path / "posts.csv")).exit_code == 0
    assert (tmp_path / "posts.csv").is_symlink() and real.read_text().startswith("id,")


def test_demo_never_writes_over_a_file_it_did_not_write(run_cli: Invoke, tmp_path: Path) -> None:
    config = tmp_path / "config" / "monitor.toml"
    config.parent.mkdir()
    config.write_text("# the user's own config\n")
    result = run_cli("demo", "--out", "config")  # the config in use
    assert result.exit_code == 1 and "refusing to write over" in result.output
    result = run_cli("--config", "other.toml", "demo", "--out", "config")  # one not in use
    assert result.exit_code == 1 and "was not written by the demo" in result.output
    assert config.read_text() == "# the user's own config\n"
    assert sorted(os.listdir(config.parent)) == ["monitor.toml"]  # nothing else written
    page = tmp_path / "demo" / "backtrace.html"
    page.parent.mkdir()
    page.write_text("<p>mine</p>")
    assert run_cli("demo", "--out", "demo").exit_code == 1
    assert page.read_text() == "<p>mine</p>"
    page.unlink()
    assert run_cli("demo", "--out", "demo").exit_code == 0  # a fresh folder
    assert run_cli("demo", "--out", "demo").exit_code == 0  # and again over its own files
    (tmp_path / "demo" / "monitor.toml").write_text("# edited since\n")
    assert run_cli("demo", "--out", "demo").exit_code == 1  # the user's edit is theirs
    assert (tmp_path / "demo" / "monitor.toml").read_text() == "# edited since\n"


def test_init_writes_a_whole_config_or_none(run_cli: Invoke, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    for config, status in (
        ("/dev/full", 2),
        ("afile/monitor.toml", 2),
        ("afile/sub/monitor.toml", 2),
        ("/proc/no-such-folder/monitor.toml", 2),
    ):
        result = run_cli("--config", config, "init", "--force")
        assert result.exit_code == status, result.output
        assert result.output.startswith("Error:") and "Traceback" not in result.output
    blocked = run_cli("--config", "cfg/monitor.toml", "--db", "missing/dir/x.db", "init")
    assert blocked.exit_code == 1 and "Traceback" not in blocked.output
    assert not (tmp_path / "cfg" / "monitor.toml").exists()  # nothing half-written blocks…
    done = run_cli("--config", "cfg/monitor.toml", "init")  # …the next init
    assert done.exit_code == 0, done.output
    assert "[[titles]]" in (tmp_path / "cfg" / "monitor.toml").read_text()


def test_init_force_never_writes_the_config_over_the_database(
    run_cli: Invoke, database: Path
) -> None:
    before = database.read_bytes()
    result = run_cli("--config", str(database), "--db", str(database), "init", "--force")
    assert result.exit_code == 1 and "refusing to write over" in result.output
    assert database.read_bytes() == before


def test_atomic_output_refuses_an_input_before_writing(tmp_path: Path) -> None:
    db = tmp_path / "monitor.db"
    db.write_bytes(b"SQLite format 3\x00data")
    with pytest.raises(MonitorError, match="refusing"), atomic_output(db, [db]) as fh:
        fh.write(b"")
    assert db.read_bytes() == b"SQLite format 3\x00data"

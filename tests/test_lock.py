"""The run lock: one holder per database, taken over when its holder died."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.errors import LockHeld
from monitor.lock import RunLock, hold, lock_path

HOLDER = """
import sys, time
from monitor.lock import RunLock
lock = RunLock(sys.argv[1])
lock.acquire()
print("locked", flush=True)
time.sleep(60)
"""


def holding_process(db: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_live_holder_in_another_process_blocks_and_a_killed_one_is_taken_over(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "m.db"
    proc = holding_process(db)
    try:
        with pytest.raises(LockHeld, match=f"pid {proc.pid}") as err:
            RunLock(db).acquire()
        assert err.value.exit_code == 75
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()
    with caplog.at_level(logging.WARNING, logger="monitor.lock"), hold(db) as lock:
        assert lock.held
        assert f"pid {os.getpid()}" in lock_path(db).read_text()
    assert f"stale lock left by a process that died (pid {proc.pid}" in caplog.text


def test_released_lock_is_clean_and_reusable(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "m.db"
    with caplog.at_level(logging.WARNING, logger="monitor.lock"):
        with pytest.raises(RuntimeError), hold(db):
            raise RuntimeError("boom")  # released in finally
        assert lock_path(db).read_text() == ""
        with hold(db), pytest.raises(LockHeld):
            RunLock(db).acquire()  # a second open file description in this process too
        with hold(db):
            pass
    assert "stale" not in caplog.text

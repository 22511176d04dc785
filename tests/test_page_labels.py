"""Labels worked out in a second process are the labels worked out in this one."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fakes import ReplayServer, Sleeps
from test_bluesky import ABOUT, BACKTRACE, DEBUGGER, T0, make_source

from monitor import ingest, page_labels
from monitor.page_labels import Labeller
from monitor.replay.bluesky import FakeBluesky
from monitor.store import Store

NAMES = ["Backtrace", "Backtrace 2018"]
PAGE = [
    ("bluesky:1", "Backtrace is so bad it's good, I loved every dreary minute"),
    ("bluesky:2", "Backtrace was a dull, grey waste of Stallone"),
    ("bluesky:3", "Vi Backtrace anoche y la verdad es que me aburrió muchísimo"),
    ("bluesky:4", ""),
    ("bluesky:5", "😂😂😂"),
    ("bluesky:6", "gdb printed a backtrace after the segfault"),
]
ABOUT_IDS = {"bluesky:1", "bluesky:2", "bluesky:3", "bluesky:4", "bluesky:5"}

needs_fork = pytest.mark.skipif(sys.platform != "linux", reason="the worker runs on Linux")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")  # a zombie has ended


@pytest.fixture
def fake() -> FakeBluesky:
    return FakeBluesky()


@pytest.fixture
def server(fake: FakeBluesky) -> Iterator[ReplayServer]:
    with ReplayServer(fake) as srv:
        yield srv


@needs_fork
def test_a_worker_gives_the_labels_and_languages_of_this_process() -> None:
    alone = Labeller().submit(PAGE, NAMES)(ABOUT_IDS)
    with Labeller.started(worker=True) as labeller:  # whatever this machine's cores
        worked = labeller.submit(PAGE, NAMES)(ABOUT_IDS)
        assert labeller._pool is not None
    assert worked == alone
    langs, labels = worked
    assert langs["bluesky:3"] == "es" and "bluesky:6" not in langs
    assert {r["post_id"] for r in labels} == {"bluesky:1", "bluesky:2", "bluesky:5"}


@needs_fork
def test_a_worker_that_dies_leaves_the_labelling_to_this_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with Labeller.started(worker=True) as labeller:
        first = labeller.submit(PAGE, NAMES)(ABOUT_IDS)
        assert labeller._pool is not None
        for pid in list(labeller._pool._processes):  # the worker, killed
            os.kill(pid, signal.SIGKILL)
        with caplog.at_level(logging.WARNING, logger="monitor.page_labels"):
            again = labeller.submit(PAGE, NAMES)(ABOUT_IDS)
            later = labeller.submit(PAGE, NAMES)(ABOUT_IDS)
    assert again == first == later
    assert "labelling in this process" in caplog.text and labeller._pool is None


@needs_fork
def test_a_poll_with_a_worker_stores_what_a_poll_without_one_stores(
    server: ReplayServer,
    fake: FakeBluesky,
    sleeps: Sleeps,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for i in range(230):
        text = f"{ABOUT} ({i})" if i % 3 else f"Backtrace: {PAGE[i % 3 + 1][1]} ({i})"
        fake.add_post(text, T0 + timedelta(minutes=i))
    fake.add_post(DEBUGGER, T0)
    stored = []
    for cores in (2, 1):
        monkeypatch.setattr(page_labels.os, "sched_getaffinity", lambda _, n=cores: set(range(n)))
        with Store(tmp_path / f"{cores}.db") as store:
            store.sync_titles([BACKTRACE])
            [result] = ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
            assert result.ok and result.new == 231
            stored.append(
                (
                    list(store.query("select id, lang, copy_group from posts order by id")),
                    list(store.query("select * from sentiments order by post_id")),
                )
            )
    assert stored[0] == stored[1]
    assert len(stored[0][1]) == 230  # every post about the title, not the debugger's


@needs_fork
def test_a_worker_that_hangs_is_ended_and_the_page_labelled_here(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(page_labels, "WAIT", 0.5)
    with Labeller.started(worker=True) as labeller:
        first = labeller.submit(PAGE, NAMES)(ABOUT_IDS)
        assert labeller._pool is not None
        [worker] = labeller._pool._processes
        os.kill(worker, signal.SIGSTOP)  # alive, and answering nothing
        with caplog.at_level(logging.WARNING, logger="monitor.page_labels"):
            again = labeller.submit(PAGE, NAMES)(ABOUT_IDS)
    deadline = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert again == first and not _alive(worker)
    assert "no answer in 0.5 s" in caplog.text


@needs_fork
def test_a_poll_killed_leaves_no_worker_behind(tmp_path: Path) -> None:
    pid_file, errors = tmp_path / "worker", tmp_path / "errors"
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from monitor.page_labels import Labeller\n"
        "with Labeller.started(worker=True) as labeller:\n"
        "    labeller.submit([('a', 'Backtrace is fun')], ['Backtrace'])({'a'})\n"
        "    Path(sys.argv[1]).write_text(str(*labeller._pool._processes))\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    with errors.open("w") as err:  # files, not pipes: a worker left behind would hold a pipe
        done = subprocess.run(
            [sys.executable, "-c", script, str(pid_file)],
            stdout=subprocess.DEVNULL,
            stderr=err,
            timeout=60,
        )
    assert done.returncode == -signal.SIGKILL, errors.read_text()
    worker = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert not _alive(worker)
    finally:
        if _alive(worker):
            os.kill(worker, signal.SIGKILL)

"""``poll_runs`` keeps what ``status`` and the gaps read, not a row per quiet run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.world import World
from test_follow import fast_build

from monitor.config import Title, credentials, parse_config
from monitor.ingest import poll
from monitor.queries import last_polls, open_gaps
from monitor.store import Store


def test_quiet_runs_leave_one_row_and_status_reads_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    title = Title("The Man from Toronto")
    with World(tmp_path) as world:
        for name, value in world.env().items():
            monkeypatch.setenv(name, value)
        now = datetime.now(UTC)
        for n in range(3):
            world.bluesky.add_post(f"The Man from Toronto is on Netflix ({n})", now - timedelta(n))
        config = parse_config({"bluesky": {"service": world.bluesky_server.url}})
        source = fast_build("bluesky", config, credentials())
        with Store(tmp_path / "monitor.db") as store:
            store.sync_titles([title])

            def run() -> list[int]:
                poll(store, source, [title])
                return [r["id"] for r in store.query("select id from poll_runs order by id")]

            first = run()[0]  # finds the three posts
            quiet = run()[-1]  # finds nothing new
            failed = store.start_poll_run("bluesky", title.name)
            store.finish_poll_run(failed, status="failed", error="HTTP 503")
            for _ in range(3):
                ids = run()
            # the run with new posts, the failure, and the latest quiet run: no more rows
            assert ids[:2] == [first, failed] and len(ids) == 3 and quiet not in ids
            (row,) = last_polls(store)
            assert (row["status"], row["new_total"], row["failures"]) == ("ok", 3, 1)
            assert open_gaps(store) == []  # the failure stays closed by the later runs

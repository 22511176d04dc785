"""`monitor status` lists the open gaps: what a poll could not reach, with its time range."""

from __future__ import annotations

from pathlib import Path

from monitor.queries import open_gaps
from monitor.store import Store


def test_status_lists_open_gaps_and_drops_failures_a_later_run_resumed(
    run_cli, config_file: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with Store(tmp_path / "monitor.db") as store:
        resumed = store.start_poll_run("reddit", "Backtrace")
        store.finish_poll_run(resumed, status="failed", error="HTTP 503")
        store.finish_poll_run(store.start_poll_run("reddit", "Backtrace"), status="ok")
        capped = store.start_poll_run("reddit", "Backtrace")
        store.finish_poll_run(
            capped,
            status="ok",
            cap_hit=1,
            gap_start="2024-01-01T00:00:00Z",
            gap_end="2024-01-03T00:00:00Z",
        )
        waited = store.start_poll_run("bluesky", "Backtrace")
        store.finish_poll_run(
            waited,
            status="ok",
            error="rate-limit wait cut short",
            gap_start="2024-02-01T00:00:00Z",
            gap_end="2024-02-01T06:00:00Z",
        )
        failing = store.start_poll_run("bluesky", "The Man from Toronto")
        store.finish_poll_run(failing, status="failed", error="HTTP 500 x3")
        assert [g["id"] for g in open_gaps(store)] == [capped, waited, failing]
    result = run_cli("status")
    assert result.exit_code == 0, result.output
    gaps = result.output.split("Open gaps (3)")[1].splitlines()
    assert "HTTP 503" not in result.output  # resumed by the next ok run
    assert any("2024-01-01 00:00  2024-01-03 00:00  cap hit" in line for line in gaps)
    assert any("2024-02-01 06:00  rate-limit" in line for line in gaps)
    assert any(line.startswith("bluesky") and "HTTP 500 x3" in line for line in gaps)

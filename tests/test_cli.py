"""The CLI: every command has help and works through CliRunner against a tmp_path database."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.cli import cli
from monitor.store import Store


def all_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found.extend(all_commands(command, (*prefix, name)))
    return found


def test_every_command_has_help_with_an_example(run_cli) -> None:  # type: ignore[no-untyped-def]
    for path in all_commands():
        command = cli
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        assert command.help, f"monitor {' '.join(path)} has no docstring"
        result = run_cli(*path, "--help")
        assert result.exit_code == 0, path
        if not isinstance(command, click.Group):
            assert "Example" in result.output, f"monitor {' '.join(path)} --help shows no example"


def test_init_writes_config_and_database_and_refuses_to_overwrite(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("init")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "config" / "monitor.toml").exists()
    assert (tmp_path / "monitor.db").exists()
    again = run_cli("init")
    assert again.exit_code == 2
    assert "already exists" in again.output and "--force" in again.output
    assert run_cli("init", "--force").exit_code == 0


def test_db_precedence_flag_then_env_then_config(
    run_cli, config_file: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    assert run_cli("status").exit_code == 0
    assert (tmp_path / "monitor.db").exists()  # [store] path
    assert run_cli("status", env={"MONITOR_DB": str(tmp_path / "env.db")}).exit_code == 0
    assert (tmp_path / "env.db").exists()
    result = run_cli("--db", str(tmp_path / "flag.db"), "status", env={"MONITOR_DB": "x.db"})
    assert result.exit_code == 0
    assert (tmp_path / "flag.db").exists() and not (tmp_path / "x.db").exists()


def test_titles_lists_posts_per_title(run_cli, config_file: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run_cli("label")  # a writer: creates the database, syncs the titles

    def post(pid: str, platform: str, created: str) -> dict[str, str]:
        return {"id": pid, "platform": platform, "native_id": pid, "created_at": created}

    with Store(tmp_path / "monitor.db") as store:
        store.upsert_posts(
            [
                post("reddit:t3_1", "reddit", "2024-01-01T00:00:00Z"),
                post("bluesky:b2", "bluesky", "2024-01-01T09:30:00Z"),
                post("reddit:t3_3", "reddit", "2024-01-01T23:00:00Z"),  # the other title's
                post("reddit:t3_4", "reddit", "2024-01-02T01:00:00Z"),  # about neither
            ]
        )
        store.upsert_mentions(
            {"post_id": pid, "title": title, "relevance": 1.0, "terms": []}
            for pid, title in (
                ("reddit:t3_1", "Backtrace"),
                ("bluesky:b2", "Backtrace"),
                ("reddit:t3_3", "The Man from Toronto"),
            )
        )
    result = run_cli("titles")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    backtrace = next(line for line in lines if line.startswith("Backtrace"))
    # released, posts, reddit, bluesky, last post
    assert backtrace.split()[1:] == ["2018-12-14", "2", "1", "1", "2024-01-01T09:30:00Z"]
    toronto = next(line for line in lines if line.startswith("The Man from Toronto"))
    assert toronto.split()[4:] == ["2022-06-24", "1", "1", "0", "2024-01-01T23:00:00Z"]
    assert all(len(line) <= 80 for line in lines)


def test_status_shows_poll_runs(run_cli, config_file: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run_cli("label")  # a writer: creates the database, syncs the titles
    with Store(tmp_path / "monitor.db") as store:
        run = store.start_poll_run("reddit", "Backtrace")
        store.finish_poll_run(run, status="failed", error="HTTP 500")
    result = run_cli("status")
    assert "reddit" in result.output and "failed" in result.output


def test_user_mistakes_never_show_a_traceback(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    junk = tmp_path / "junk.db"
    junk.write_text("not sqlite at all, just some text\n")
    result = run_cli("--db", str(junk), "status")
    assert result.exit_code == 1
    assert "Error:" in result.output and "not a SQLite database" in result.output
    assert "Hint: name a monitor database, or a new file (--db)" in result.output  # the CLI's flag
    assert "Traceback" not in result.output
    folder = run_cli("--db", str(tmp_path), "status")
    assert folder.exit_code == 1 and "is a folder" in folder.output


def test_python_dash_m_runs(tmp_path: Path) -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "monitor", "--help"], capture_output=True, text=True, check=True
    )
    assert "Usage: monitor" in out.stdout

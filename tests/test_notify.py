"""Delivering alerts: apprise's JSON webhook to a local receiver, a command, digests,
retries after a failure, and tokens that never show."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from test_alerts import add_posts

from monitor import notify
from monitor.config import AlertsConfig, Config, Credentials, Title
from monitor.store import Store

TOKEN = "hook-t0ken-9f8e7d6c5b4a"
PASSWORD = "pw-s3cr3t-4711"
DAY0 = date(2024, 3, 4)


class Receiver:
    """A webhook on 127.0.0.1 that keeps what it is sent and answers ``status``."""

    def __init__(self) -> None:
        self.status = 200
        self.received: list[dict[str, Any]] = []
        self.paths: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                outer.paths.append(self.path)
                if outer.status == 200:
                    outer.received.append(json.loads(body))
                self.send_response(outer.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        """apprise's JSON webhook URL for this receiver, with a password and a token."""
        return f"json://monitor:{PASSWORD}@127.0.0.1:{self.server.server_port}/hooks/{TOKEN}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def tracked() -> tuple[Title, ...]:
    return (Title("Backtrace"),)


def spikes(store: Store, days: list[int]) -> None:
    """A month of two posts a day, with 60 on each of ``days`` (each its own spike)."""
    add_posts(store, {DAY0 + timedelta(days=d): 2 + 60 * (d in days) for d in range(40)})


def check(store: Store, creds: Credentials, config: Config | None = None) -> notify.Outcome:
    config = config or Config(titles=(Title("Backtrace"),))
    return notify.check(store, config, creds)


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notify, "now", lambda: datetime(2024, 4, 20, tzinfo=UTC))


def test_an_alert_reaches_the_webhook_once(store: Store, receiver: Receiver) -> None:
    spikes(store, [20, 30])
    creds = Credentials(notify_urls=(receiver.url,))
    outcome = check(store, creds)
    assert outcome.sent == 2 and not outcome.failed
    assert [m["title"] for m in receiver.received] == ["monitor: Backtrace"] * 2
    assert receiver.received[0]["message"].startswith("Backtrace: 62 posts on Sun 24 Mar 2024")
    assert receiver.paths[0].startswith(f"/hooks/{TOKEN}")  # the real URL was used
    again = check(store, creds)
    assert again.sent == 0 and len(receiver.received) == 2  # never twice


def test_a_receiver_that_fails_gets_the_alert_on_the_next_run(
    store: Store, receiver: Receiver, run_cli, config_file: Path, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    spikes(store, [20])
    creds = Credentials(notify_urls=(receiver.url,))
    receiver.status = 500
    outcome = check(store, creds)
    assert outcome.failed and outcome.sent == 0 and receiver.received == []
    assert "retried next run" in outcome.note()
    status = run_cli("status")
    assert "1 waiting to be sent" in status.output and "json#" in status.output
    assert "apprise could not send" in status.output
    receiver.status = 200
    assert check(store, creds).sent == 1
    assert len(receiver.received) == 1
    assert check(store, creds).sent == 0 and len(receiver.received) == 1
    status = run_cli("status")
    assert "0 waiting to be sent" in status.output
    assert TOKEN not in status.output + caplog.text and PASSWORD not in status.output


def test_many_new_alerts_go_as_one_digest(store: Store, receiver: Receiver) -> None:
    spikes(store, [10, 14, 18, 22, 26, 30, 34])
    creds = Credentials(notify_urls=(receiver.url,))
    outcome = check(store, creds, Config(titles=(Title("Backtrace"),)))
    assert len(outcome.new) == 7 and outcome.sent == 1
    (digest,) = receiver.received
    assert digest["title"] == "monitor: 7 new alerts (Backtrace)"
    assert len(digest["message"].splitlines()) == 7


def test_a_command_gets_the_alert_as_json_on_stdin(store: Store, tmp_path: Path) -> None:
    spikes(store, [20])
    out = tmp_path / "got.json"
    script = f"import sys; open({str(out)!r}, 'a').write(sys.stdin.read() + '\\n')"
    config = Config(
        titles=(Title("Backtrace"),), alerts=AlertsConfig(command=(sys.executable, "-c", script))
    )
    assert check(store, Credentials(), config).sent == 1
    (alert,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert alert["title"] == "Backtrace" and alert["kind"] == "spike"
    assert alert["when"] == "2024-03-24" and alert["figures"]["posts"] == 62
    failing = Config(
        titles=(Title("Backtrace"),), alerts=AlertsConfig(command=(sys.executable, "-c", "exit(3)"))
    )
    spikes_later = {DAY0 + timedelta(days=d): 2 + 80 * (d == 45) for d in range(40, 46)}
    add_posts(store, spikes_later, 5000)
    outcome = check(store, Credentials(), failing)
    assert outcome.failed == ["command"]


def test_tokens_never_show_in_run_output_or_log(
    run_cli, config_file: Path, tmp_path: Path, receiver: Receiver
) -> None:  # type: ignore[no-untyped-def]
    with Store(tmp_path / "monitor.db") as store:
        store.sync_titles([Title("Backtrace")])
        spikes(store, [20])
    env = {"MONITOR_NOTIFY": f"{receiver.url} json://127.0.0.1:1/{TOKEN}x"}  # one fails
    log = tmp_path / "run.log"
    receiver.status = 500
    first = run_cli("-vv", "run", "--no-charts", "--log-file", str(log), env=env)
    receiver.status = 200
    second = run_cli("-vv", "run", "--no-charts", "--log-file", str(log), env=env)
    dry = run_cli("alerts", "--dry-run", env=env)
    listed = run_cli("alerts", env=env)
    everything = first.output + second.output + dry.output + listed.output + log.read_text()
    assert "alerts: 1 new" in first.output and "delivery failed" in first.output
    assert first.exit_code == 0 and second.exit_code == 0  # delivery never fails the run
    assert len(receiver.received) == 1
    assert TOKEN not in everything and PASSWORD not in everything
    assert "***" in log.read_text()  # apprise's own debug lines named the URL, blanked
    assert "To json#" in dry.output and "Backtrace: 62 posts" in dry.output
    assert "[not sent yet]" in listed.output  # the second URL still fails


def test_alerts_are_listed_and_exported(run_cli, config_file: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with Store(tmp_path / "monitor.db") as store:
        store.sync_titles([Title("Backtrace")])
        spikes(store, [20, 30])
        check(store, Credentials())
    listed = run_cli("alerts", "--title", "backtrace", "--since", "2024-04-01")
    assert listed.exit_code == 0
    assert listed.output.splitlines() == [
        "2024-04-03  spike   Backtrace: 62 posts on Wed 3 Apr 2024, 31× the usual 2 a day. "
        "(found late, on 2024-04-20)"
    ]
    assert "No alerts match." in run_cli("alerts", "--since", "2025-01-01").output
    exported = run_cli("export", "alerts", "--format", "jsonl")
    rows = [json.loads(line) for line in exported.output.splitlines()]
    assert [(r["kind"], r["when"], r["late"]) for r in rows] == [
        ("spike", "2024-03-24", 1),
        ("spike", "2024-04-03", 1),
    ]
    assert json.loads(rows[0]["figures"])["posts"] == 62 and rows[0]["sent_at"]
    unknown = run_cli("alerts", "--title", "Nope")
    assert unknown.exit_code == 2 and "not a tracked title" in unknown.output


def test_alerts_config_is_checked(tmp_path: Path) -> None:
    from monitor.config import credentials, parse_config
    from monitor.errors import ConfigError

    config = parse_config({"alerts": {"command": "page-me --to 'on call'", "digest_over": 3}})
    assert config.alerts.command == ("page-me", "--to", "on call")
    assert config.alerts.digest_over == 3
    with pytest.raises(ConfigError, match=r"alerts\.command"):
        parse_config({"alerts": {"command": 3}})
    with pytest.raises(ConfigError, match=r"alerts\.url: unknown key"):
        parse_config({"alerts": {"url": "slack://x"}})
    secrets = credentials({"MONITOR_NOTIFY": f"slack://TokenA123/TokenB456/{TOKEN} json://h/x"})
    assert f"slack://TokenA123/TokenB456/{TOKEN}" in secrets.secrets()
    assert {"TokenA123", "TokenB456", TOKEN} <= set(secrets.secrets())
    assert TOKEN not in repr(secrets)


def test_no_notify_keeps_new_alerts_for_the_next_run(
    run_cli, config_file: Path, tmp_path: Path, receiver: Receiver
) -> None:  # type: ignore[no-untyped-def]
    with Store(tmp_path / "monitor.db") as store:
        store.sync_titles([Title("Backtrace")])
        spikes(store, [20])
    env = {"MONITOR_NOTIFY": receiver.url}
    quiet = run_cli("run", "--no-charts", "--no-notify", env=env)
    assert quiet.exit_code == 0 and receiver.received == []
    assert "not sent (--no-notify)" in quiet.output
    dry = run_cli("alerts", "--dry-run", env=env)
    assert "1 message(s)" in dry.output and receiver.received == []
    loud = run_cli("run", "--no-charts", env=env)
    assert loud.exit_code == 0 and len(receiver.received) == 1
    assert "Nothing waits to be sent" in run_cli("alerts", "--dry-run", env=env).output

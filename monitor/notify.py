"""Sending alerts: to notification URLs through apprise, or to a command.

The URLs come from ``MONITOR_NOTIFY`` (several separated by spaces), never from the config
file, because they hold tokens; they are secrets (:meth:`Credentials.secrets`), scrubbed
from every log line and stored error, and a channel is named by its scheme and a short hash,
never by its URL. A command from ``[alerts] command`` gets each alert as JSON on stdin.

Each alert is sent once per channel. A channel that fails keeps its alerts pending: the
next run sends them again. When more than ``digest_over`` alerts wait for a channel they go
as one digest. A failure is logged and recorded (``monitor status`` shows it); it never
changes a run's exit status.
"""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from . import alert_store
from .alert_store import Alert
from .alerts import detect
from .config import Config, Credentials
from .scrub import Scrubber
from .store import Store

log = logging.getLogger("monitor.notify")
#: How many alert lines a digest lists before "and N more".
DIGEST_LINES = 30


def now() -> datetime:
    """The time alerts are judged at (a replay sets its own clock here)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Message:
    """What one channel is sent once: a title, a body, the alerts it carries."""

    title: str
    body: str
    alerts: tuple[Alert, ...]

    def payload(self) -> dict[str, Any]:
        """The JSON a command reads: the alert itself, or a digest of several."""
        if len(self.alerts) == 1:
            return self.alerts[0].payload()
        return {
            "kind": "digest",
            "count": len(self.alerts),
            "message": self.body,
            "alerts": [a.payload() for a in self.alerts],
        }


class Channel(Protocol):
    name: str

    def send(self, message: Message) -> str | None:
        """Send ``message``; None when it went, else what went wrong."""


class AppriseChannel:
    """One notification URL (Slack, Discord, ntfy, e-mail, a JSON webhook…)."""

    def __init__(self, url: str) -> None:
        self.url = url
        scheme = url.split("://", 1)[0] if "://" in url else "?"
        self.name = f"{scheme}#{hashlib.sha256(url.encode()).hexdigest()[:8]}"

    def send(self, message: Message) -> str | None:
        import apprise  # only when something is to be sent

        sender = apprise.Apprise()
        if not sender.add(self.url):
            return "apprise does not understand this notification URL"
        if sender.notify(title=message.title, body=message.body):
            return None
        return "apprise could not send the notification (see the log)"


class CommandChannel:
    """A command run with the alert (or digest) as JSON on stdin; exit 0 means sent."""

    name = "command"

    def __init__(self, argv: Sequence[str], timeout: float) -> None:
        self.argv = list(argv)
        self.timeout = timeout

    def send(self, message: Message) -> str | None:
        try:
            done = subprocess.run(
                self.argv,
                input=json.dumps(message.payload(), ensure_ascii=False),
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"the command took longer than {self.timeout:g}s"
        except OSError as exc:
            return f"the command could not start ({exc.strerror})"
        if done.returncode:
            tail = done.stderr.strip().splitlines()[-1:] or [""]
            return f"the command exited with {done.returncode}: {tail[0][:200]}".rstrip(": ")
        return None


def channels(config: Config, creds: Credentials) -> list[Channel]:
    """The configured channels: each ``MONITOR_NOTIFY`` URL, then the command."""
    out: list[Channel] = [AppriseChannel(url) for url in creds.notify_urls]
    if config.alerts.command:
        out.append(CommandChannel(config.alerts.command, config.alerts.timeout))
    return out


def compose(alerts: Sequence[Alert], digest_over: int) -> list[Message]:
    """One message per alert, or one digest when there are more than ``digest_over``."""
    if len(alerts) <= digest_over:
        return [Message(f"monitor: {a.title}", line(a), (a,)) for a in alerts]
    titles = sorted({a.title for a in alerts})
    lines = [line(a) for a in alerts[-DIGEST_LINES:]]
    if len(alerts) > DIGEST_LINES:
        lines.insert(0, f"… {len(alerts) - DIGEST_LINES} earlier alerts: see `monitor alerts`")
    head = f"monitor: {len(alerts)} new alerts ({', '.join(titles[:5])}"
    head += f" and {len(titles) - 5} more)" if len(titles) > 5 else ")"
    return [Message(head, "\n".join(lines), tuple(alerts))]


def line(alert: Alert) -> str:
    """The alert's sentence, with "(late)" when it was found after the fact."""
    return alert.message + (f" (found late, on {alert.raised_at[:10]})" if alert.late else "")


@dataclass
class Outcome:
    """What delivery did: per channel the messages sent (or due) and the failures."""

    new: list[Alert] = field(default_factory=list)
    due: dict[str, list[Message]] = field(default_factory=dict)
    sent: int = 0
    failed: list[str] = field(default_factory=list)

    def note(self) -> str:
        text = f"alerts: {len(self.new)} new"
        if self.sent:
            text += f", {self.sent} messages sent"
        if self.failed:
            text += f", delivery failed on {', '.join(self.failed)} (retried next run)"
        return text


def deliver(
    store: Store,
    config: Config,
    creds: Credentials,
    at: datetime,
    *,
    dry_run: bool = False,
    outcome: Outcome | None = None,
) -> Outcome:
    """Send every pending alert to every channel that lacks it; with ``dry_run`` only
    work out what would be sent. With no channel at all an alert is done once stored."""
    outcome = outcome or Outcome()
    waiting = alert_store.pending(store)
    if not waiting:
        return outcome
    targets = channels(config, creds)
    if not targets:
        if not dry_run:
            alert_store.mark_notified(store, [a.id for a in waiting], at)
        return outcome
    scrub = Scrubber(creds.secrets())
    ids = [a.id for a in waiting]
    done = set(ids)
    for channel in targets:
        have = alert_store.delivered_to(store, channel.name, ids)
        todo = [a for a in waiting if a.id not in have]
        messages = compose(todo, config.alerts.digest_over)
        outcome.due[channel.name] = messages
        if dry_run:
            continue
        for message in messages:
            try:
                error = channel.send(message)
            except Exception as exc:  # a library's bug must not stop the run
                error = f"unexpected {type(exc).__name__}: {exc}"
            error = scrub(error) if error else None
            carried = [a.id for a in message.alerts]
            alert_store.note_delivery(store, channel.name, carried, at, error)
            if error:
                log.error("alerts: %s: %s", channel.name, error)
                outcome.failed.append(channel.name)
                done -= {a.id for a in message.alerts}
            else:
                outcome.sent += 1
    if not dry_run:
        alert_store.mark_notified(store, sorted(done), at)
    outcome.failed = list(dict.fromkeys(outcome.failed))
    return outcome


def check(
    store: Store, config: Config, creds: Credentials, *, send: bool = True, model: str = ""
) -> Outcome:
    """Look for events in the stored data, store the new ones, and (with ``send``) deliver
    what is pending; without ``send``, log what would be sent and keep it pending."""
    from .report import label_model

    at = now()
    events = detect(store, config.titles, at, model or label_model(store))
    outcome = Outcome(new=alert_store.record(store, events, at))
    for alert in outcome.new:
        log.info("alert: %s", line(alert))
    deliver(store, config, creds, at, dry_run=not send, outcome=outcome)
    if not send:
        for name, messages in outcome.due.items():
            for message in messages:
                log.info("alerts: not sent (--no-notify) to %s: %s", name, message.title)
    return outcome


def alert_step(store: Store, config: Config, creds: Credentials, send: bool) -> list[str]:
    """The alerts step of ``monitor run``: a note for the summary line. Only a store error
    stops the run; any other failure is logged and never changes its exit status."""
    from .errors import StoreError

    try:
        return [check(store, config, creds, send=send).note()]
    except StoreError:
        raise
    except Exception:
        log.exception("alerts: unexpected error while looking for events")
        return ["alerts: failed (see the log)"]

"""The ``alerts`` table: each event stored once, and what was delivered where.

An event's key (title, kind, where, moment) is unique, so a run that sees an event again
changes nothing. An alert is *pending* until every channel has it (``notified_at``);
``alert_deliveries`` keeps, per alert and channel, the attempts, the time it was sent and
the last error, so a channel that failed gets the alert on the next run and a channel that
succeeded never gets it twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import alert_queries
from .alerts import Event
from .clock import iso
from .rows import Row
from .schema import ALERT_DELIVERIES, ALERTS
from .store import Store

#: ``state`` key: when the alerts were last looked for (the run before, for "late").
CHECKED = "alerts.checked_at"


@dataclass(frozen=True)
class Alert:
    """One stored alert, as delivered and exported."""

    id: int
    title: str
    kind: str
    moment: str
    message: str
    late: bool
    raised_at: str
    figures: dict[str, Any]

    @classmethod
    def from_row(cls, row: Row) -> Alert:
        return cls(
            id=int(row["id"]),
            title=str(row["title"]),
            kind=str(row["kind"]),
            moment=str(row["moment"]),
            message=str(row["message"]),
            late=bool(row["late"]),
            raised_at=str(row["raised_at"]),
            figures=json.loads(row["figures"]),
        )

    def payload(self) -> dict[str, Any]:
        """The alert as the JSON a command channel reads."""
        return {
            "title": self.title,
            "kind": self.kind,
            "when": self.moment,
            "late": self.late,
            "message": self.message,
            "figures": self.figures,
            "raised_at": self.raised_at,
        }


def record(store: Store, events: Sequence[Event], now: datetime) -> list[Alert]:
    """Store the events not stored yet; return them as alerts. One raised before the run
    before this one could have seen it is ``late`` (on a first run: a day before now)."""
    previous = store.get_state(CHECKED)
    cutoff = datetime.fromisoformat(previous) if previous else None
    stamp = iso(now)
    new: list[int] = []
    with store.transaction():
        for e in events:
            late = e.seen < cutoff if cutoff else (now - e.seen).days >= 1
            cursor = store.db.execute(
                f"insert into {ALERTS} (key, title, kind, moment, figures, message, late, "
                "raised_at) values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (key) do nothing",
                [
                    e.key,
                    e.title,
                    e.kind,
                    e.moment,
                    json.dumps(e.figures, sort_keys=True),
                    e.message,
                    int(late),
                    stamp,
                ],
            )
            if cursor.rowcount:
                new.append(int(cursor.lastrowid or 0))
    store.set_state(CHECKED, now.isoformat())
    return [a for a in pending(store) if a.id in set(new)]


def pending(store: Store) -> list[Alert]:
    """Alerts some channel has not received yet, oldest first."""
    return [Alert.from_row(r) for r in alert_queries.alerts(store, pending=True)]


def delivered_to(store: Store, channel: str, alert_ids: Sequence[int]) -> set[int]:
    """Which of these alerts ``channel`` has received."""
    return {
        int(r["alert_id"])
        for r in store.query(
            f"select alert_id from {ALERT_DELIVERIES} where channel = ? and sent_at is not null "
            "and alert_id in (select value from json_each(?))",
            [channel, json.dumps(list(alert_ids))],
        )
    }


def note_delivery(
    store: Store, channel: str, alert_ids: Sequence[int], now: datetime, error: str | None
) -> None:
    """Record one attempt to send these alerts on ``channel``: sent, or the error."""
    stamp = iso(now)
    with store.transaction():
        store.db.conn.executemany(
            f"insert into {ALERT_DELIVERIES} (alert_id, channel, attempts, sent_at, error, "
            "tried_at) values (?, ?, 1, ?, ?, ?) on conflict (alert_id, channel) do update "
            "set attempts = attempts + 1, sent_at = excluded.sent_at, "
            "error = excluded.error, tried_at = excluded.tried_at",
            [(a, channel, None if error else stamp, error, stamp) for a in alert_ids],
        )


def mark_notified(store: Store, alert_ids: Sequence[int], now: datetime) -> None:
    """Every channel has these alerts: they are no longer pending."""
    with store.transaction():
        store.db.execute(
            f"update {ALERTS} set notified_at = ? where id in (select value from json_each(?))",
            [iso(now), json.dumps(list(alert_ids))],
        )

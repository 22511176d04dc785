"""``monitor alerts``: the events ``monitor run`` found, and what it would send."""

from __future__ import annotations

from datetime import datetime

import click

from .. import alert_queries, notify
from ..alert_store import Alert
from .app import App, cli, pass_app
from .options import DAY


@cli.command("alerts")
@click.option("--title", help="Only this tracked title.")
@click.option("--since", type=DAY, help="Only events on or after this day, YYYY-MM-DD.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show what the next run would send, and to which channels (nothing is sent).",
)
@pass_app
def alerts_command(app: App, title: str | None, since: datetime | None, dry_run: bool) -> None:
    """List the alerts: a title entered a chart, reached a new best rank or left it; talk
    spiked; the mood turned. Each is found once, by `monitor run`.

    Channels: the URLs in MONITOR_NOTIFY (apprise; several separated by spaces) and the
    [alerts] command of the config file. Notification URLs are never printed.

    \b
    Example:
        monitor alerts --title Backtrace --since 2024-05-01
        monitor alerts --dry-run
    """
    config = app.optional_config()
    store = app.store(create=False, write=False)
    if dry_run:
        targets = notify.channels(config, app.credentials)
        outcome = notify.deliver(store, config, app.credentials, notify.now(), dry_run=True)
        if not targets:
            click.echo("No channels: set MONITOR_NOTIFY or [alerts] command (see README).")
            return
        if not outcome.due or not any(outcome.due.values()):
            click.echo(f"Nothing waits to be sent to {len(targets)} channel(s).")
            return
        for channel, messages in outcome.due.items():
            click.echo(f"To {channel}: {len(messages)} message(s)")
            for message in messages:
                click.echo(f"  {message.title}")
                for text in message.body.splitlines():
                    click.echo(f"    {text}")
        return
    name = config.title(title).name if title else None
    rows = alert_queries.alerts(
        store, title=name, since=since.date().isoformat() if since else None
    )
    if not rows:
        click.echo("No alerts yet." if not (title or since) else "No alerts match.")
        return
    for row in rows:
        alert = Alert.from_row(row)
        state = "" if row["notified_at"] else " [not sent yet]"
        click.echo(f"{alert.moment}  {alert.kind:<7} {notify.line(alert)}{state}")

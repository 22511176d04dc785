"""``monitor stream``: follow Bluesky's Jetstream live and keep posts about the tracked titles."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import click

from ..errors import ConfigError
from ..ingest import StreamStore
from ..sources.jetstream import DEFAULT_URL, JetstreamFollower
from .app import App, cli, pass_app
from .types import SECONDS, count, url

log = logging.getLogger("monitor")


@cli.command()
@click.option(
    "--jetstream",
    "url",
    envvar="MONITOR_JETSTREAM",
    default=DEFAULT_URL,
    callback=url("Jetstream websocket", "ws", "wss"),
    show_default=True,
    help="Jetstream /subscribe websocket URL. Env MONITOR_JETSTREAM.",
)
@click.option("--title", default=None, help="Keep only posts about this tracked title.")
@click.option(
    "--max-events",
    type=count(1, 10**12),
    default=None,
    help="Stop after this many events (for tests and trials).",
)
@click.option(
    "--duration",
    type=SECONDS,
    default=None,
    help="Stop after this many seconds.",
)
@pass_app
def stream(
    app: App, url: str, title: str | None, max_events: int | None, duration: float | None
) -> None:
    """Follow new Bluesky posts live and store those that mention a tracked title.

    Deleted posts lose their stored text. The stream cursor is saved every few seconds and
    on exit, so the next run resumes where this one stopped. Runs until Ctrl-C or SIGTERM
    (everything received is stored first), or until --max-events / --duration.

    \b
    Example:
        monitor stream
        monitor stream --title Backtrace --duration 60
    """
    titles = app.config.select(title)
    if not titles:
        raise ConfigError(f"{app.config_path}: no titles to follow", hint="add a [[titles]] entry")
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():  # asked twice: stop now (what was received is still stored)
            raise KeyboardInterrupt
        log.info("stream: %s received; storing what came and stopping", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        follower = JetstreamFollower(StreamStore(app.store(), titles), url, stop=stop)
        stats = follower.run(max_events=max_events, duration=duration)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo(
        f"stream: {stats.events} events, {stats.kept} kept ({stats.new} new), "
        f"{stats.deleted} deleted; cursor {stats.cursor}"
    )

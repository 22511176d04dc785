"""Backfill: the talk about a chart title from before it charted, through the ingest driver.

A title a followed chart brings in (:mod:`monitor.follow`) is fetched from ``backfill_days``
before its first chart week up to the moment it was added (the live poll covers the rest),
by the same :func:`monitor.ingest.poll` as a poll, with a :class:`~monitor.sources.base.Window`.
Each source is seen through :class:`BackfillSource`: its own name (``reddit backfill``), so
its cursors and ``poll_runs`` never disturb the live poll's and a killed backfill resumes
from the page it stopped at; and one request budget per source per run, shared by every
title (``[backfill] requests``), so an hourly cron run stays bounded.

What each platform can reach: Bluesky searches the window by its own ``since``/``until``;
Reddit's search has no date range, so the walk pages down the newest-first listing to the
window's start, and what its listing cap leaves out is recorded as a gap (cap hit), never
shown as silence. Until a title's backfill is done, the report shows its window as a gap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace

from .clock import utcnow
from .config import Config, Credentials, Title
from .errors import MissingCredentials, MonitorError, StoreError
from .follow import ACTIVE, BACKFILLING, ChartTitle, chart_titles
from .ingest import PollResult, poll
from .schema import TITLES
from .scrub import Scrubber
from .sources.base import (
    Budget,
    CursorReader,
    Event,
    Gap,
    Judge,
    RecheckEvent,
    SessionKeeper,
    Source,
    ThreadReader,
    Window,
)
from .store import Store

log = logging.getLogger("monitor.backfill")

#: The cursor query that marks a title's backfill on a source as done.
DONE = "done"
#: Builds a source by name (:func:`monitor.sources.build`, or a test's).
Builder = Callable[[str, Config, Credentials], Source]


def backfill_name(source: str) -> str:
    """The name a source's backfill runs and cursors are stored under."""
    return f"{source} backfill"


class BackfillSource:
    """A source as backfill sees it: its own name, a budget shared by every title, and a
    verdict per title on whether its window was reached in full."""

    budget: int | None = None  # the driver's per-title budget: the shared one rules

    def __init__(self, inner: Source, shared: Budget, windows: dict[str, Window]) -> None:
        self.inner = inner
        self.name = backfill_name(inner.name)
        self.shared = shared
        self.windows = windows  # each title's own window; the driver's is not used
        self.complete: dict[str, bool] = {}
        self.start = inner.requests

    @property
    def spent(self) -> int:
        """Every request made for backfill so far: searches, comments, logins, retries."""
        return self.inner.requests - self.start

    def _left(self) -> bool:
        return self.shared.limit is None or self.spent < self.shared.limit

    @property
    def requests(self) -> int:
        return self.inner.requests

    def connect(self, sessions: SessionKeeper) -> AbstractContextManager[None]:
        return self.inner.connect(sessions)

    def describe(self, title: Title) -> str:
        return "backfill: " + self.inner.describe(title)

    def pages(
        self, title: Title, cursor: CursorReader, about: Judge, budget: Budget, window: Window
    ) -> Iterator[Event]:
        complete = self._left()
        if not complete:  # spent on the titles before: this one waits for the next run
            self.complete[title.name] = False
            return
        window = self.windows.get(title.name, window)
        for event in self.inner.pages(title, cursor, about, _Counted(self), window):
            if isinstance(event, Gap):
                if event.error or not event.cap_hit:
                    complete = False  # failed or out of budget: the next run goes on
                if not event.error and not event.cap_hit:
                    continue  # the title's pending window is the gap the report shows
                start = event.start
                if window.since and (start is None or start < window.since):
                    start = window.since  # what the cap left out, within the window
                event = replace(event, start=start)
            yield event
        self.complete[title.name] = complete

    def recheck(self, post_ids: Sequence[str], threads: ThreadReader) -> Iterator[RecheckEvent]:
        return self.inner.recheck(post_ids, threads)


class _Counted(Budget):
    """The shared budget as a source takes it before each page: it counts every request
    backfill made (a page's comments, the login, retries), so a page in flight may run
    over by its comments and the next one waits for the next run."""

    def __init__(self, source: BackfillSource) -> None:
        super().__init__(source.shared.limit)
        self.source = source

    def take(self) -> None:
        self.spent = self.source.spent
        super().take()


@dataclass
class BackfillReport:
    """What one run's backfill did."""

    results: list[PollResult] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)

    def note(self) -> str:
        spent = ", ".join(f"{k} {v} requests" for k, v in self.requests.items())
        return f"backfill: {len(self.finished)} done, {len(self.pending)} pending" + (
            f" ({spent})" if spent else ""
        )


def window_of(title: ChartTitle) -> Window:
    return Window(since=title.backfill_since, until=title.backfill_until or title.added_at)


def run_backfill(
    store: Store,
    config: Config,
    creds: Credentials,
    names: Sequence[str],
    build_source: Builder,
) -> BackfillReport:
    """Backfill the titles still backfilling, on each named source with credentials,
    within ``[backfill] requests`` per source (every request counts: searches, comments,
    the login); mark a title active once every source that
    ran has reached its whole window."""
    report = BackfillReport()
    pending = chart_titles(store, (BACKFILLING,))
    if not pending:
        return report
    ran: list[str] = []
    for name in names:
        try:
            inner = build_source(name, config, creds)
        except MissingCredentials:
            continue
        windows = {t.name: window_of(t) for t in pending}
        source = BackfillSource(inner, Budget(config.backfill.requests), windows)
        todo = [t.title() for t in pending if store.get_cursor(source.name, t.name, DONE) is None]
        # a page is judged against every tracked title, as a poll's is; the window and the
        # cursors stay the backfilled title's
        names_todo = {t.name for t in todo}
        judged = (*todo, *(t for t in config.titles if t.name not in names_todo))
        ran.append(source.name)
        if todo:  # one poll: one login; the titles share the budget, oldest first
            try:
                report.results += poll(
                    store, source, todo, scrub=Scrubber(creds.secrets()), judged=judged
                )
            except StoreError:
                raise
            except MonitorError as exc:
                log.error("%s: %s", source.name, exc)
                report.results.append(PollResult(source.name, "*", error=str(exc)))
        for name_done, complete in source.complete.items():
            if complete:
                store.set_cursor(source.name, name_done, DONE, utcnow())
        report.requests[source.name] = source.spent
        log.info(
            "%s: %d of %s requests spent",
            source.name,
            source.spent,
            source.shared.limit if source.shared.limit is not None else "unlimited",
        )
    for chart_title in pending:
        if ran and all(store.get_cursor(name, chart_title.name, DONE) is not None for name in ran):
            with store.transaction():
                store.db.table(TITLES).update(chart_title.name, {"state": ACTIVE})
            report.finished.append(chart_title.name)
            log.info("backfill: %s done; the title is active", chart_title.name)
        else:
            report.pending.append(chart_title.name)
    return report

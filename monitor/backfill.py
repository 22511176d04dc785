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
shown as silence. Until a title's backfill is done on a source, the report shows as a gap
only the stretches of its window that source has not fetched yet
(:data:`monitor.queries.PENDING`; ``[]`` once done).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from .clock import iso, utcnow
from .config import Config, Credentials, Title
from .errors import MissingCredentials, MonitorError, StoreError
from .follow import ACTIVE, BACKFILLING, ChartTitle, chart_titles
from .ingest import PollResult, poll
from .queries import PENDING
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
#: A stretch of time: ISO start and end.
Span = tuple[str, str]
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
        self.left: dict[str, list[Span]] = {}  # what each title's run could not reach
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
        left: list[Span] = []
        for event in self.inner.pages(title, cursor, about, _Counted(self), window):
            if isinstance(event, Gap):
                start = event.start
                if window.since and (start is None or start < window.since):
                    start = window.since  # what was left out, within the window
                if event.error or not event.cap_hit:
                    complete = False  # failed or out of budget: the next run goes on
                    left.append((start or "", event.end or window.until or utcnow()))
                if not event.error and not event.cap_hit:
                    continue  # the title's pending stretches are the gap the report shows
                event = replace(event, start=start)
            yield event
        self.complete[title.name] = complete
        self.left[title.name] = [] if complete else left

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


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _merged(spans: Sequence[Span]) -> list[Span]:
    """The spans joined where they overlap, oldest first (``iso`` strings sort as times)."""
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def pending_spans(store: Store, source: str, title: str, window: Window) -> list[Span]:
    """The stretches of ``title``'s window ``source`` has not backfilled yet."""
    stored = store.get_cursor(source, title, PENDING)
    if stored is not None:
        try:
            return [(str(a), str(b)) for a, b in json.loads(stored)]
        except (ValueError, TypeError):
            log.warning("%s: %s: unreadable pending stretches %r", source, title, stored)
    return [(window.since or "", window.until or utcnow())]


def _narrow(store: Store, source: str, title: str, window: Window, left: list[Span]) -> None:
    """Store what is still to backfill: what was pending before and this run left out
    (a run never makes a stretch it already fetched pending again)."""
    floor = window.since or iso(datetime(1970, 1, 1, tzinfo=UTC))
    new = _merged([(iso(_moment(a or floor)), iso(_moment(b))) for a, b in left])
    out = []
    for a, b in pending_spans(store, source, title, window):
        for c, d in new:
            start = max(_moment(a or floor), _moment(c))
            end = min(_moment(b), _moment(d))
            if start < end:
                out.append((iso(start), iso(end)))
    store.set_cursor(source, title, PENDING, json.dumps(_merged(out)))


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
        for name_left, left in source.left.items():
            _narrow(store, source.name, name_left, windows[name_left], left)
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

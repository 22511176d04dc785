"""One unattended run: poll every source, re-check recent posts, label, update the charts.

``monitor run`` (the cron entry) is a thin wrapper around :func:`run_once`; the lock is
taken by the caller (:mod:`monitor.lock`). A failing source is logged and recorded, and
the other sources and steps still run; only a store error (a full disk, a read-only file)
stops the run, because nothing after it could be written either.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from . import follow, labels
from .backfill import run_backfill
from .charts.netflix import update as update_netflix
from .clock import iso, utcnow
from .config import Config, Credentials, Title
from .errors import MissingCredentials, MonitorError, NothingStored, StoreError
from .files import inputs_of
from .ingest import PollResult, poll, recheck
from .notify import alert_step
from .queries import recent_post_ids
from .scrub import Scrubber
from .sources import SOURCES, build
from .sources.base import Source
from .store import Store
from .tmdb import enrich

log = logging.getLogger("monitor.run")

#: ``state`` key: when ``monitor run`` last updated the charts (their files change weekly).
CHARTS_UPDATED = "run.charts_updated_at"
CHARTS_EVERY = timedelta(hours=6)

#: ``progress(done, total, what)`` is called before each step.
Progress = Callable[[int, int, str], None]
#: Builds a source by name; :func:`monitor.sources.build` unless a test hands its own.
Builder = Callable[[str, Config, Credentials], Source]


@dataclass
class RunReport:
    """What one run did, for the summary line and the exit status."""

    results: list[PollResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    deleted: dict[str, int] = field(default_factory=dict)
    failed_steps: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed_steps and all(r.ok for r in self.results)

    def summary(self) -> str:
        """One line: per source new posts, requests, failures; then the other steps."""
        parts = [poll_summary(self.results, self.deleted)] if self.results else []
        parts += [f"{name}: skipped (no credentials)" for name in self.skipped]
        parts += self.notes
        parts += [f"{step}: failed" for step in self.failed_steps]
        return "; ".join(parts) or "nothing to do"


def poll_summary(results: Sequence[PollResult], deleted: dict[str, int] | None = None) -> str:
    """Per source: new posts, requests, failures (and deletions found, when known)."""
    parts = []
    for name in dict.fromkeys(r.source for r in results):
        mine = [r for r in results if r.source == name]
        part = (
            f"{name}: {sum(r.new for r in mine)} new, "
            f"{sum(r.requests for r in mine)} requests, {sum(not r.ok for r in mine)} failed"
        )
        if skipped := sum(r.skipped for r in mine):
            part += f", {skipped} unreadable items skipped"
        if deleted and name in deleted:
            part += f", {deleted[name]} deleted"
        parts.append(part)
    return "; ".join(parts) or "nothing polled"


def poll_sources(
    store: Store,
    config: Config,
    creds: Credentials,
    names: Sequence[str],
    titles: Sequence[Title],
    build_source: Builder | None = None,
) -> tuple[list[PollResult], list[str], dict[str, Source]]:
    """Poll each named source that has credentials.

    Returns the results, the names skipped for lack of credentials, and the sources that
    polled without an authentication failure (ready for :func:`recheck_sources`).
    """
    results: list[PollResult] = []
    skipped: list[str] = []
    usable: dict[str, Source] = {}
    for name in names:
        try:
            source = (build_source or build)(name, config, creds)
        except MissingCredentials:
            log.warning("%s: skipped, no credentials in the environment (see README)", name)
            skipped.append(name)
            continue
        try:
            results.extend(poll(store, source, titles, scrub=Scrubber(creds.secrets())))
            usable[name] = source
        except StoreError:
            raise
        except MonitorError as exc:
            log.error("%s: %s%s", name, exc, f" ({exc.hint})" if exc.hint else "")
            results.append(PollResult(name, "*", error=str(exc)))
        except Exception as exc:  # a bug in one source must not stop the others
            log.exception("%s: unexpected error while polling", name)
            results.append(PollResult(name, "*", error=f"unexpected: {type(exc).__name__}"))
    return results, skipped, usable


def recheck_sources(
    store: Store,
    sources: dict[str, Source],
    titles: Sequence[Title],
    days: int,
    now: datetime | None = None,
) -> tuple[dict[str, int], list[str]]:
    """Ask each source about its posts younger than ``days``; return deletions and failures."""
    since = iso((now or datetime.now(UTC)) - timedelta(days=days))
    deleted: dict[str, int] = {}
    failed: list[str] = []
    for name, source in sources.items():
        ids = recent_post_ids(store, name, since)
        if not ids:
            continue
        try:
            deleted[name] = recheck(store, source, ids, titles)
        except StoreError:
            raise
        except MonitorError as exc:
            log.error("%s: re-check for deletions failed: %s", name, exc)
            failed.append(f"{name} re-check")
        except Exception:
            log.exception("%s: unexpected error while re-checking for deletions", name)
            failed.append(f"{name} re-check")
        else:
            log.info("%s: re-checked %d recent posts, %d deleted", name, len(ids), deleted[name])
    return deleted, failed


def update_charts(
    store: Store, config: Config, every: timedelta, now: datetime | None = None
) -> str | None:
    """Update the charts when the last update is older than ``every``; a note for the
    summary line, or None when it was not due. A failure raises (and is retried next run)."""
    now = now or datetime.now(UTC)
    last = store.get_state(CHARTS_UPDATED)
    if last is not None and now - datetime.fromisoformat(last) < every:
        log.debug(
            "charts: updated at %s; next after %s", last, iso(datetime.fromisoformat(last) + every)
        )
        return None
    results = update_netflix(store, config)
    followed = follow.update(store, config).note() if config.follows else None
    store.set_state(CHARTS_UPDATED, utcnow())
    changed = [r for r in results if r.changed]
    return f"charts: {len(changed)} of {len(results)} files changed" + (
        f"; {followed}" if followed else ""
    )


def write_reports(store: Store, config: Config, out: Path) -> tuple[int, list[str]]:
    """The report of every title with something stored, into ``out``, and the overview
    page (``index.html``); how many reports were written, and the titles that failed
    (logged). A title with nothing yet is skipped."""
    from . import html, overview  # imported only when a run is asked for reports
    from .report import build_report, label_model

    written, failed = 0, []
    for title in config.titles:
        try:
            report = build_report(store, title)
        except StoreError:
            raise
        except NothingStored:
            log.info("%s: no report, nothing stored yet", title.name)
            continue
        except MonitorError as exc:
            log.error("%s: no report: %s", title.name, exc)
            failed.append(title.name)
            continue
        try:
            html.write([report], out, inputs_of(store.path, config.path), back=True)
        except MonitorError as exc:
            log.error("%s: %s%s", title.name, exc, f" ({exc.hint})" if exc.hint else "")
            failed.append(title.name)
        else:
            written += 1
    try:
        overview.write(
            store, config.titles, out, label_model(store), inputs=inputs_of(store.path, config.path)
        )
    except StoreError:
        raise
    except MonitorError as exc:
        log.error("overview: %s%s", exc, f" ({exc.hint})" if exc.hint else "")
        failed.append("overview")
    return written, failed


def _build(name: str, config: Config, creds: Credentials) -> Source:
    return build(name, config, creds)  # looked up at call time: a test may replace it


def run_once(
    store: Store,
    config: Config,
    creds: Credentials,
    *,
    sources: Sequence[str] = tuple(SOURCES),
    charts_every: timedelta | None = CHARTS_EVERY,
    report_dir: Path | None = None,
    progress: Progress | None = None,
    build: Builder | None = None,
    notify: bool = True,
) -> RunReport:
    """Poll, re-check recent posts for deletion, label what the current sentiment model has
    not labelled, update the charts when due, and with ``report_dir`` write the reports.

    ``charts_every=None`` leaves the charts alone; ``notify=False`` stores new alerts
    without sending them. The caller holds the lock.
    """
    steps = ["poll", "re-check", "label", "charts", "backfill", "alerts", "reports"]
    report = RunReport()
    if config.follows:  # the chart titles this run polls (see monitor.follow)
        config = follow.with_chart_titles(config, store)

    def step(what: str) -> None:
        if progress is not None:
            progress(steps.index(what), len(steps), what)

    step("poll")
    report.results, report.skipped, usable = poll_sources(
        store, config, creds, sources, config.titles, build
    )
    step("re-check")
    report.deleted, failed = recheck_sources(
        store, usable, config.titles, config.store.recheck_days
    )
    report.failed_steps += failed
    step("label")
    labelled = labels.label_posts(store)  # only a store error can stop it: that one stops the run
    if labelled:
        report.notes.append(f"labelled {labelled}")
    if charts_every is not None:
        step("charts")
        try:
            note = update_charts(store, config, charts_every)
        except StoreError:
            raise
        except MonitorError as exc:
            log.error("charts: %s%s", exc, f" ({exc.hint})" if exc.hint else "")
            report.failed_steps.append("charts")
        else:
            if note:
                report.notes.append(note)
    if config.follows:
        step("backfill")
        try:  # what TMDB knows of new chart titles: never a stopped run
            enrich(store, creds.tmdb_api_key, config.tmdb.url)
        except StoreError:
            raise
        except Exception:
            log.exception("tmdb: unexpected error; chart titles keep their names alone")
        config = follow.with_chart_titles(config, store)
        store.sync_titles(config.titles)
        backfilled = run_backfill(store, config, creds, sources, build or _build)
        report.results += backfilled.results
        if backfilled.finished or backfilled.pending:
            report.notes.append(backfilled.note())
    step("alerts")
    report.notes += alert_step(store, config, creds, notify)
    if report_dir is not None:
        step("reports")
        written, failed = write_reports(store, config, report_dir)
        report.notes.append(f"{written} reports written to {report_dir}")
        report.failed_steps += [f"{name} report" for name in failed]
    if progress is not None:
        progress(len(steps), len(steps), "done")
    return report

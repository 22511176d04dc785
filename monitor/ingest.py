"""The one ingest driver: sources -> relevance -> sentiment -> store, a page at a time.

A source yields pages (:mod:`monitor.sources.base`); the driver owns everything else: the
``poll_runs`` record of each title's poll, the request budget, the gaps, the relevance
verdict and the sentiment label of each post, and the transaction that writes a page with
its cursor, so a run killed at any moment loses at most the pages in flight (a page is
written once the next is fetched, :mod:`monitor.page_labels` labelling it meanwhile), which
the next run fetches again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from . import copies, relevance
from .clock import iso
from .config import Title
from .errors import AuthError, SourceError
from .page_labels import Labelled, Labeller
from .queries import stored_ids, threads_about
from .rows import MentionRow, PostRow
from .session_file import SessionFile
from .sources.base import (
    Answer,
    Authors,
    Budget,
    Deleted,
    Gap,
    Page,
    SessionKeeper,
    Source,
    Window,
)
from .store import Store
from .tables import POLL_RUNS

log = logging.getLogger("monitor.ingest")


@dataclass
class PollResult:
    """What one poll of one title on one source did."""

    source: str
    title: str
    new: int = 0
    fetched: int = 0
    requests: int = 0
    cap_hit: bool = False
    skipped: int = 0  # items the platform sent that could not be read (each logged)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Cursor:
    """A high-water mark to store with a page."""

    source: str
    title: str
    query: str
    value: str


# --- relevance and sentiment ------------------------------------------------------------


def mentions_for(
    post: PostRow, titles: Sequence[Title], thread_titles: frozenset[str] = frozenset()
) -> list[MentionRow]:
    """The ``mentions`` rows for one post: one per title it is about."""
    rows: list[MentionRow] = []
    verdicts = relevance.matcher_for(titles).judge(
        post.get("text") or "", community=post.get("community"), thread_titles=thread_titles
    )
    for title, verdict in verdicts:
        if verdict.about:
            rows.append(
                {
                    "post_id": post["id"],
                    "title": title.name,
                    "relevance": verdict.score,
                    "terms": json.dumps(verdict.terms),
                }
            )
    return rows


def store_page(
    store: Store,
    posts: Sequence[PostRow],
    titles: Sequence[Title],
    cursor: Cursor | None = None,
    *,
    thread_titles: dict[str, frozenset[str]] | None = None,
    labelled: Labelled | None = None,
) -> int:
    """Store one page of posts with their mentions and labels; return how many were new.

    ``thread_titles`` maps a thread's post id to the titles its root is about, so that a
    comment inherits its thread's topic. ``labelled``: the page's languages and labels,
    when :func:`start_labels` started them earlier.
    """
    # the language and label of each post about a title; one in a language the model
    # does not read stays unscored
    labelled = labelled or start_labels(Labeller(), posts, titles)
    known = stored_ids(store, [p["id"] for p in posts])
    mentions: list[MentionRow] = []
    for post in posts:
        inherited = (thread_titles or {}).get(post.get("thread_id") or "", frozenset())
        mentions.extend(mentions_for(post, titles, inherited))
    about = {m["post_id"] for m in mentions}
    with store.transaction():
        fresh = [p for p in posts if p["id"] in about and p["id"] not in known]
        copies.assign(store.db, cast(list[dict[str, Any]], fresh))  # sets each copy_group
        langs, labels = labelled(about)
        posts = [{**p, "lang": langs[p["id"]]} if p["id"] in about else p for p in posts]
        store.upsert_posts(posts)
        store.upsert_mentions(mentions)
        store.upsert_sentiments(labels)
        if cursor is not None:
            store.set_cursor(cursor.source, cursor.title, cursor.query, cursor.value)
    return len({p["id"] for p in posts} - known)


def start_labels(labeller: Labeller, posts: Sequence[PostRow], titles: Sequence[Title]) -> Labelled:
    """Start working out the languages and labels of a page's posts (see
    :mod:`monitor.page_labels`)."""
    names = [name for t in titles for name in t.names]
    return labeller.submit([(p["id"], p.get("text") or "") for p in posts], names)


def _store(
    store: Store,
    page: Page,
    titles: Sequence[Title],
    cursor: Cursor | None,
    labelled: tuple[Labelled, Labelled] | None = None,
) -> int:
    """Write one page a source yielded (posts, then comments) in one transaction."""
    posts, comments = labelled or (None, None)
    with store.transaction():
        new = (
            store_page(store, page.posts, titles, cursor, labelled=posts)
            if page.posts or cursor
            else 0
        )
        if page.comments:
            new += store_page(
                store, page.comments, titles, thread_titles=dict(page.threads), labelled=comments
            )
    return new


# --- polling ----------------------------------------------------------------------------


def poll(
    store: Store,
    source: Source,
    titles: Sequence[Title],
    *,
    window: Window | None = None,
    sessions: SessionKeeper | None = None,
    scrub: Callable[[str], str] = str,
    judged: Sequence[Title] | None = None,
) -> list[PollResult]:
    """Fetch what is new for each title from ``source`` and store it; a result per title.

    Each page is judged against ``judged`` (default: ``titles``), so a post fetched for one
    title that names another tracked title is stored with that title's mention too.

    Raises AuthError when the platform refuses the credentials (the whole source stops);
    any other failure is recorded in that title's result and in ``poll_runs``, its text
    passed through ``scrub`` first (a platform's error may echo a credential).
    """
    results: list[PollResult] = []
    judge = titles if judged is None else judged
    keeper = sessions or SessionFile(store.path, source.name)
    try:
        with source.connect(keeper), Labeller.started() as labeller:
            for title in titles:
                results.append(
                    _poll_title(store, source, title, judge, window or Window(), scrub, labeller)
                )
    except AuthError:
        raise
    except SourceError as exc:  # no client: every title not polled fails, recorded as such
        log.error("%s: %s", source.name, exc)
        error = scrub(str(exc))
        for title in titles[len(results) :]:
            run = store.start_poll_run(source.name, title.name, source.describe(title))
            store.finish_poll_run(run, status="failed", error=error)
            results.append(PollResult(source.name, title.name, error=error))
    return results


def _forget_quiet_runs(store: Store, source: str, title: str, run_id: int) -> None:
    """Drop the earlier runs of this source and title that found nothing new and left no
    gap: what ``status`` and the gaps read (the latest run, the new posts, failures, caps,
    gaps) stays, and hourly runs over hundreds of titles stop adding a row each for nothing
    (16 MB a week at 333 titles). Only after a run that closes every earlier failure."""
    with store.transaction():
        store.db.execute(
            f"""delete from {POLL_RUNS} where source = ? and title = ? and id < ?
            and status = 'ok' and coalesce(cap_hit, 0) = 0 and coalesce(new, 0) = 0
            and coalesce(skipped, 0) = 0 and error is null
            and gap_start is null and gap_end is null""",
            [source, title, run_id],
        )


def _poll_title(
    store: Store,
    source: Source,
    title: Title,
    titles: Sequence[Title],
    window: Window,
    scrub: Callable[[str], str],
    labeller: Labeller,
) -> PollResult:
    run_id = store.start_poll_run(source.name, title.name, source.describe(title))
    result = PollResult(source.name, title.name)
    gaps: list[Gap] = []
    before = source.requests
    finished = False

    def about(post: PostRow) -> frozenset[str]:
        return frozenset(m["title"] for m in mentions_for(post, titles))

    # A page is stored once the next is fetched: its labels are worked out meanwhile (in
    # a second process, see monitor.page_labels). Whatever the source does next (read a
    # cursor, fail, end), the page fetched before is stored first.
    pending: tuple[Page, Cursor | None, tuple[Labelled, Labelled]] | None = None

    def flush() -> None:
        nonlocal pending
        if pending is not None:
            page, mark, labelled = pending
            pending = None
            result.new += _store(store, page, titles, mark, labelled)

    def cursor(query: str) -> str | None:
        flush()
        return store.get_cursor(source.name, title.name, query)

    try:
        events = iter(source.pages(title, cursor, about, Budget(source.budget), window))
        while True:
            try:
                event = next(events)
            except StopIteration:
                break
            except BaseException:
                flush()
                raise
            if isinstance(event, Gap):
                gaps.append(event)
                result.cap_hit |= event.cap_hit
                result.error = result.error or (scrub(event.error) if event.error else None)
                continue
            flush()
            mark = Cursor(source.name, title.name, *event.cursor) if event.cursor else None
            result.fetched += len(event.posts) + len(event.comments)
            started = (
                start_labels(labeller, event.posts, titles),
                start_labels(labeller, event.comments, titles),
            )
            pending = (event, mark, started)
            result.cap_hit |= event.cap_hit
            result.skipped += event.skipped
        flush()
        finished = True
    except AuthError as exc:
        result.error = scrub(str(exc))
        raise
    finally:
        result.requests = source.requests - before
        if not finished and result.error is None:
            result.error = "interrupted"
        fields: dict[str, Any] = {}
        starts = [g.start for g in gaps if g.start]
        ends = [g.end for g in gaps if g.end]
        if gaps:  # one column pair: the span from the first gap to the last
            fields.update(gap_start=min(starts, default=None), gap_end=max(ends, default=None))
        store.finish_poll_run(
            run_id,
            status="ok" if result.ok else "failed",
            requests=result.requests,
            fetched=result.fetched,
            new=result.new,
            cap_hit=int(result.cap_hit),
            skipped=result.skipped,
            error=result.error,
            **fields,
        )
        if result.ok and not result.cap_hit and not gaps:
            _forget_quiet_runs(store, source.name, title.name, run_id)
    log.info(
        "%s: %s: %d fetched, %d new, %d requests, %d unreadable%s",
        source.name,
        title.name,
        result.fetched,
        result.new,
        result.requests,
        result.skipped,
        " (the platform's result cap was reached)" if result.cap_hit else "",
    )
    return result


def _delete(store: Store, post_ids: Sequence[str]) -> int:
    if not post_ids:
        return 0
    with store.transaction():
        store.clear_misses(post_ids)
        return store.mark_deleted(post_ids)


def _left_out(store: Store, source: str, answer: Answer, now: datetime) -> int:
    """Posts an answer left out: deleted only on the second miss a day or more after the
    first, and never on an answer that left out most of what it was asked."""
    found = set(answer.found)
    missing = [p for p in answer.asked if p not in found]
    if len(found) < len(answer.asked) * TRUSTED_SHARE:
        log.warning(
            "%s: a re-check answered about %d of %d posts; not trusted, nothing deleted",
            source,
            len(found),
            len(answer.asked),
        )
        return 0
    store.clear_misses(list(found))
    if not missing:
        return 0
    earlier = store.note_misses(missing, iso(now))
    cutoff = iso(now - MISSING_FOR)
    return _delete(store, [pid for pid, since in earlier if since <= cutoff])


# --- the live stream --------------------------------------------------------------------


class StreamStore:
    """Where :class:`monitor.sources.jetstream.JetstreamFollower` puts what it keeps: each
    batch of posts and deletes with the stream cursor, in one transaction."""

    CURSOR_KEY = "jetstream.cursor"

    def __init__(self, store: Store, titles: Sequence[Title]) -> None:
        self.store, self.titles = store, titles

    def about(self, text: str) -> bool:
        return any(v.about for _, v in relevance.matcher_for(self.titles).judge(text))

    def cursor(self) -> int | None:
        saved = self.store.get_state(self.CURSOR_KEY)
        return int(saved) if saved and saved.isdigit() else None

    def write(self, posts: list[PostRow], deletes: list[str], cursor: int) -> tuple[int, int]:
        with self.store.transaction():
            new = store_page(self.store, posts, self.titles) if posts else 0
            deleted = self.store.mark_deleted(deletes) if deletes else 0
            self.store.set_state(self.CURSOR_KEY, str(cursor))
        return new, deleted


# --- re-checking stored posts -----------------------------------------------------------


#: A post an answer leaves out is deleted only when an answer a day or more before left it
#: out too; an answer with fewer than this share of the posts asked about is not trusted.
MISSING_FOR = timedelta(days=1)
TRUSTED_SHARE = 0.5


def recheck(
    store: Store,
    source: Source,
    post_ids: Sequence[str],
    titles: Sequence[Title],
    *,
    sessions: SessionKeeper | None = None,
    now: datetime | None = None,
) -> int:
    """Ask ``source`` about stored posts: drop the text of those the platform says are
    deleted, or that its answers left out on two runs a day apart while they held the
    posts around them; name authors; store the new comments of threads that grew.
    Returns how many posts were deleted."""
    deleted = 0
    keeper = sessions or SessionFile(store.path, source.name)
    with source.connect(keeper):
        for event in source.recheck(post_ids, lambda ids: threads_about(store, ids)):
            if isinstance(event, Deleted):
                deleted += _delete(store, event.post_ids)
            elif isinstance(event, Answer):
                deleted += _left_out(store, source.name, event, now or datetime.now(UTC))
            elif isinstance(event, Authors):
                named = store.name_authors(event.names)
                if named:
                    log.info("%s: %d posts now name their author's handle", source.name, named)
            else:
                _store(store, event, titles, None)
    return deleted

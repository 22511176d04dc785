"""What a source yields, and what it is handed: the contract between sources and the driver.

A source knows its platform: how to ask, how to page, how to read an answer and where it
stands (the cursor it writes). It never touches the store. The driver
(:func:`monitor.ingest.poll`) hands it a way to read its cursors, the relevance verdict and
a request budget, and stores each :class:`Page` it yields, with its cursor, in one
transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

from ..config import Config, Credentials, Title
from ..rows import PostRow


@dataclass(frozen=True)
class Window:
    """The stretch of time to fetch, as ISO timestamps; ``None`` is open-ended. A poll is
    a window from the stored cursor to now; a backfill is the same call with both ends."""

    since: str | None = None
    until: str | None = None


@dataclass
class Page:
    """One answer's worth of posts, stored with its cursor in one transaction.

    ``cursor`` is ``(query, value)`` for the title being polled. ``skipped`` counts the
    items of the answer that could not be read (each logged by the source). ``comments`` inherit the
    topic of their thread: ``threads`` maps a thread's post id to the titles its root is
    about. An empty page may still move the cursor, or say that the platform's result cap
    cut a search short (``cap_hit``).
    """

    posts: list[PostRow] = field(default_factory=list)
    cursor: tuple[str, str] | None = None
    comments: list[PostRow] = field(default_factory=list)
    threads: Mapping[str, frozenset[str]] = field(default_factory=dict)
    cap_hit: bool = False
    skipped: int = 0


@dataclass(frozen=True)
class Gap:
    """A stretch this poll could not reach. ``error`` says the platform failed (the poll
    counts as failed); without it the stretch waits for the next poll (a cap, a budget)."""

    start: str | None
    end: str | None
    cap_hit: bool = False
    error: str | None = None


@dataclass(frozen=True)
class Deleted:
    """Posts the platform says are gone: their text and author are dropped."""

    post_ids: Sequence[str]


@dataclass(frozen=True)
class Answer:
    """A re-check asked about ``asked`` and the platform answered with ``found``. A post
    left out is not deleted on that evidence alone (see :func:`monitor.ingest.recheck`)."""

    asked: Sequence[str]
    found: Sequence[str]


@dataclass(frozen=True)
class Authors:
    """``(post id, author id, handle)``: a post stored under its author's id gets the
    handle (a Bluesky post from the stream knows only the DID)."""

    names: Sequence[tuple[str, str, str]]


Event = Page | Gap
RecheckEvent = Page | Deleted | Answer | Authors


class OutOfBudget(Exception):
    """The request budget is spent; what is left waits for the next poll."""


class Budget:
    """How many more requests a poll may make (``None``: no limit)."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.spent = 0

    def take(self) -> None:
        """Count one request, or raise :class:`OutOfBudget` when none is left."""
        if self.limit is not None and self.spent >= self.limit:
            raise OutOfBudget("request budget for this poll spent")
        self.spent += 1


#: ``cursor(query)``: the stored cursor of the polled title and ``query``, or None.
CursorReader = Callable[[str], str | None]
#: ``about(post)``: the names of the tracked titles the post is about.
Judge = Callable[[PostRow], frozenset[str]]
#: ``threads(post_ids)``: of these posts, the stored ones about a title, with their stored
#: comment count and the titles they are about.
ThreadReader = Callable[[Sequence[str]], dict[str, tuple[int, frozenset[str]]]]


class SessionKeeper(Protocol):
    """Where a source keeps a login session between runs (logins are scarce)."""

    def load(self, owner: str) -> str | None:
        """The saved session of ``owner`` (an account on a service), if there is one."""
        ...

    def save(self, value: str, owner: str) -> None: ...


class Source(Protocol):
    """A platform. Built once by the caller; :meth:`connect` opens its client for a poll."""

    name: str
    #: requests one title's poll may make (None: no limit)
    budget: int | None

    @property
    def requests(self) -> int:
        """HTTP requests made so far (retries and logins included)."""
        ...

    def connect(self, sessions: SessionKeeper) -> AbstractContextManager[None]:
        """Open the client (log in, or reuse a saved session) for the calls inside."""
        ...

    def describe(self, title: Title) -> str:
        """What a poll of ``title`` asks, for ``poll_runs.query``."""
        ...

    def pages(
        self, title: Title, cursor: CursorReader, about: Judge, budget: Budget, window: Window
    ) -> Iterator[Event]:
        """Fetch what is new for ``title`` in ``window``, page by page.

        Raises AuthError when the platform refuses the credentials (the whole source
        stops); another failure ends the title's poll with a :class:`Gap` naming it.
        """
        ...

    def recheck(self, post_ids: Sequence[str], threads: ThreadReader) -> Iterator[RecheckEvent]:
        """Ask the platform about stored posts: which it says are gone (:class:`Deleted`),
        which it answered about (:class:`Answer`), what grew (:class:`Page`)."""
        ...


#: Builds a source from the config and the environment's credentials.
Factory = Callable[[Config, Credentials], Source]

"""The language and sentiment of a page's posts, worked out in a second process while the
driver fetches the next page, judges relevance, groups copies and writes (one core each).

The signal stage then costs a poll next to nothing on a machine with a second core: a
poll stores a page once the next is fetched (:func:`monitor.ingest.poll`), and the worker
labels it meanwhile. Without a second core (or off Linux, where a worker could not share
the models already read), and whenever the worker fails, a page is labelled in this
process as before; the labels are the same either way.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

from . import language, sentiment
from .rows import LabelRow, label_row

log = logging.getLogger("monitor.page_labels")

#: (post id, text) of each post of a page.
Work = list[tuple[str, str]]
#: Each post's language, and the labels of those the model reads.
Labels = tuple[dict[str, str | None], list[LabelRow]]
#: Seconds a page's labels may take in the worker before this process does them (a page
#: takes tens of milliseconds; a hung worker must not hang a cron job).
WAIT = 120.0
#: Waits for the labels of a page, given the ids of its posts about a title.
Labelled = Callable[[set[str]], Labels]


def label(posts: Work, names: Sequence[str]) -> Labels:
    """The languages of ``posts``, and the labels of those with text in a language the
    sentiment model reads (``names``: the tracked titles', which carry no sentiment)."""
    model = sentiment.analyzer()
    langs = {pid: language.detect(text) for pid, text in posts}
    labels = [
        label_row(pid, model.model, model.score(text, names))
        for pid, text in posts
        if text and language.reads(langs[pid])
    ]
    return langs, labels


class Labeller:
    """Labels pages in a worker process, or in this one (see the module docstring)."""

    def __init__(self, *, worker: bool = False) -> None:
        self._worker = worker
        self._pool: ProcessPoolExecutor | None = None

    @classmethod
    @contextmanager
    def started(cls, worker: bool | None = None) -> Iterator[Labeller]:
        """A labeller for one poll, with a worker (started with the first page) when the
        machine has a second core (``worker``: whatever the machine, on Linux)."""
        if worker is None:
            worker = sys.platform == "linux" and len(os.sched_getaffinity(0)) > 1
        labeller = cls(worker=worker and sys.platform == "linux")
        try:
            yield labeller
        finally:
            if labeller._pool is not None:
                labeller._pool.shutdown(cancel_futures=True)

    def _started(self) -> ProcessPoolExecutor | None:
        if self._worker and self._pool is None:
            self._worker = False
            # forked once the models are read: the worker has them without reading them
            sentiment.analyzer()
            language.load()
            self._pool = ProcessPoolExecutor(
                1,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_die_with,
                initargs=(os.getpid(),),
            )
        return self._pool

    def submit(self, posts: Work, names: Sequence[str]) -> Labelled:
        """Start labelling ``posts`` (before their relevance is known, so that the worker
        starts at once); the returned call takes the ids of those about a title, waits,
        and gives their languages and labels. Without a worker only those are labelled."""
        pool = self._started() if posts else None
        if pool is None:
            return lambda about: label([p for p in posts if p[0] in about], names)
        try:
            future = pool.submit(label, posts, list(names))
        except (BrokenProcessPool, RuntimeError) as exc:
            return self._alone(exc, posts, names)

        def wait(about: set[str]) -> Labels:
            try:
                langs, labels = future.result(timeout=WAIT)
            except (BrokenProcessPool, TimeoutError) as exc:
                return self._alone(exc, posts, names)(about)
            return (
                {pid: lang for pid, lang in langs.items() if pid in about},
                [row for row in labels if row["post_id"] in about],
            )

        return wait

    def _alone(self, exc: Exception, posts: Work, names: Sequence[str]) -> Labelled:
        """Label in this process from now on: the worker is gone."""
        why = f"no answer in {WAIT:g} s" if isinstance(exc, TimeoutError) else str(exc)
        log.warning("the labelling worker stopped (%s); labelling in this process", why)
        if self._pool is not None:
            for process in list(self._pool._processes.values()):  # a hung worker, ended
                process.kill()
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        return self.submit(posts, names)


def _die_with(parent: int) -> None:
    """In the worker: end when the polling process ends, even killed (a cron job killed
    with ``kill -9`` must not leave a worker behind)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux's C library: the parent's end closes it
        pass
    if os.getppid() != parent:  # it ended before the line above
        os._exit(0)


_PR_SET_PDEATHSIG = 1

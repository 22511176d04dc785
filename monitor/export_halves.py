"""The posts CSV of a large database written by two processes, each reading and writing half.

Reading rows out of SQLite and writing them as CSV each take about as long, and both need
the GIL, so one process does one after the other. Split by post ``rowid``, a forked child
reads the second half on a connection of its own and writes it to a temporary file while
this process writes the first half; the child's file is then copied on. The output is byte
for byte what one process writes (``tests/test_export.py`` compares them).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TextIO

from .errors import StoreError
from .export_queries import read_rows
from .schema import POSTS
from .store import Store

#: Below this many stored posts, one process writes the export (a fork is not worth it).
SPLIT_AT = 200_000

#: Writes rows as CSV lines (no header) and says how many.
WriteRows = Callable[[Iterable[Sequence[Any]], TextIO], int]


def split_point(store: Store) -> int | None:
    """The ``rowid`` to split the posts at, or None when one process should do it all."""
    if sys.platform != "linux" or (os.cpu_count() or 1) < 2:
        return None  # where a fork is safe, and with a second core to use
    row = next(store.query(f"select min(rowid) as low, max(rowid) as high from {POSTS}"))
    low, high = row["low"], row["high"]
    if low is None or high - low < SPLIT_AT:
        return None
    return int((low + high) // 2)


def write_in_halves(
    store: Store,
    query: Callable[[tuple[int, int]], tuple[str, dict[str, Any]]],
    cut: int,
    out: TextIO,
    write_rows: WriteRows,
) -> int:
    """Write the rows of ``query((first rowid, end rowid))`` before ``cut`` here and those
    from ``cut`` on in a child process, then copy the child's after ours; return how many."""
    fork = multiprocessing.get_context("fork")
    here, there = fork.Pipe(duplex=False)
    handle, name = tempfile.mkstemp(suffix=".csv", prefix="monitor-export-")
    os.close(handle)
    path = Path(name)
    sql, params = query((cut, 2**63 - 1))
    child = fork.Process(
        target=_second_half,
        args=(store.path, sql, params, store.read_only, path, write_rows, there),
        daemon=True,
    )
    try:
        child.start()
        there.close()
        sql, params = query((0, cut))
        count = write_rows(read_rows(store.path, sql, params, store.read_only), out)
        try:
            answer = here.recv()
        except EOFError:  # the child died without a word
            answer = None
        child.join()
        if not isinstance(answer, int):
            raise StoreError(f"the export's second half failed: {answer or 'it stopped'}")
        with path.open(encoding="utf-8", newline="") as rest:
            shutil.copyfileobj(rest, out, 1 << 20)
        return count + answer
    finally:
        if child.is_alive():  # stopped early (a closed pipe, an error): the child too
            child.terminate()
            child.join()
        here.close()
        path.unlink(missing_ok=True)


def _second_half(
    db: Path,
    sql: str,
    params: dict[str, Any],
    read_only: bool,
    path: Path,
    write_rows: WriteRows,
    pipe: Connection,
) -> None:
    """The child: its own connection (never the parent's), its rows to ``path``."""
    try:
        with path.open("w", encoding="utf-8", newline="") as out:
            pipe.send(write_rows(read_rows(db, sql, params, read_only), out))
    except Exception as exc:  # any failure goes to the parent, which raises it
        pipe.send(str(exc) or type(exc).__name__)
    finally:
        pipe.close()

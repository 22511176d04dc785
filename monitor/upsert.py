"""The SQL of the store's upserts: one ``INSERT … ON CONFLICT`` per table and column set,
and text made storable. The hot path of every poll and chart update."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from .tables import POSTS

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def clean(value: Any) -> Any:
    """Text as SQLite and every export can hold it: NUL bytes dropped, lone surrogates
    (which UTF-8 cannot encode) replaced by U+FFFD. Anything else passes unchanged."""
    if isinstance(value, str) and _UNSTORABLE.search(value):
        return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", value)
    return value


CHART_KEY = ("chart", "region", "category", "period_start", "rank")


#: On conflict, these columns take this expression instead of the new value.
POST_GUARDS = (
    ("text", f"case when {POSTS}.deleted = 1 then null else excluded.text end"),
    ("author", f"case when {POSTS}.deleted = 1 then null else excluded.author end"),
    ("deleted", f"max({POSTS}.deleted, excluded.deleted)"),
)


@lru_cache(maxsize=256)
def upsert_sql(
    table: str,
    key: tuple[str, ...],
    columns: tuple[str, ...],
    guards: tuple[tuple[str, str], ...],
) -> str:
    guard = dict(guards)
    names = ", ".join(f"[{c}]" for c in columns)
    marks = ", ".join("?" for _ in columns)
    updates = ", ".join(
        f"[{c}] = {guard.get(c, f'excluded.[{c}]')}" for c in columns if c not in key
    )
    conflict = f"do update set {updates}" if updates else "do nothing"
    keys = ", ".join(f"[{c}]" for c in key)
    return f"insert into [{table}] ({names}) values ({marks}) on conflict ({keys}) {conflict}"


def batches(rows: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    batch: list[Mapping[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch

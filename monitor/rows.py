"""The rows the store writes, typed; and the one builder of a sentiment label row.

Read queries hand back plain :data:`Row` dicts (a column per key, as SQLite names them).
"""

from __future__ import annotations

from typing import Any, NotRequired, Protocol, TypedDict

#: A row as a query returns it.
Row = dict[str, Any]


class PostRow(TypedDict):
    """One post or comment (``posts``); ``id`` is ``<platform>:<native id>``."""

    id: str
    platform: str
    native_id: str
    created_at: str
    url: NotRequired[str | None]
    author: NotRequired[str | None]
    community: NotRequired[str | None]
    parent_id: NotRequired[str | None]
    thread_id: NotRequired[str | None]
    text: NotRequired[str | None]
    langs: NotRequired[str | None]
    score: NotRequired[int | None]
    likes: NotRequired[int | None]
    replies: NotRequired[int | None]
    reposts: NotRequired[int | None]
    quotes: NotRequired[int | None]
    num_comments: NotRequired[int | None]
    deleted: NotRequired[int]
    fetched_at: NotRequired[str]
    copy_group: NotRequired[str | None]  # the id its copies share (monitor.copies)
    lang: NotRequired[str | None]  # the language monitor.language found


class MentionRow(TypedDict):
    """A post is about a title (``mentions``): the relevance score and its evidence."""

    post_id: str
    title: str
    relevance: float
    terms: str  # JSON list of the evidence terms


class LabelRow(TypedDict):
    """One model's sentiment label of one post (``sentiments``)."""

    post_id: str
    model: str
    compound: float
    pos: float
    neu: float
    neg: float
    label: str


class ChartEntryRow(TypedDict):
    """One rank of one chart, region, category and period (``chart_entries``)."""

    chart: str
    region: str
    category: str
    period_start: str
    rank: int
    chart_title: str
    period_end: NotRequired[str | None]
    title: NotRequired[str | None]
    season: NotRequired[str | None]
    weeks_on_chart: NotRequired[int | None]
    hours_viewed: NotRequired[int | None]
    views: NotRequired[int | None]
    platform: NotRequired[str | None]


class _Scores(Protocol):
    @property
    def compound(self) -> float: ...
    @property
    def pos(self) -> float: ...
    @property
    def neu(self) -> float: ...
    @property
    def neg(self) -> float: ...
    @property
    def label(self) -> str: ...


def label_row(post_id: str, model: str, scores: _Scores) -> LabelRow:
    """The ``sentiments`` row of one post's scores under ``model``."""
    return {
        "post_id": post_id,
        "model": model,
        "compound": scores.compound,
        "pos": scores.pos,
        "neu": scores.neu,
        "neg": scores.neg,
        "label": scores.label,
    }

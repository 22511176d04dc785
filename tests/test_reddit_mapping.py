"""The pure Reddit mappers, on raw API payloads: no client, no server, no database."""

from __future__ import annotations

from typing import Any

from monitor.config import Title
from monitor.sources.reddit_rows import (
    Mark,
    Progress,
    comment_to_row,
    is_deleted,
    search_query,
    submission_to_row,
)

T3: dict[str, Any] = {
    "id": "a1b2c3",
    "name": "t3_a1b2c3",
    "title": "Just watched Backtrace on Netflix, Stallone phoned it in",
    "selftext": "Dreary, but the amnesia twist was fun.",
    "author": "film_fan",
    "subreddit": "movies",
    "permalink": "/r/movies/comments/a1b2c3/just_watched_backtrace/",
    "created_utc": 1688169600.0,
    "score": 42,
    "num_comments": 7,
    "removed_by_category": None,
}

T1: dict[str, Any] = {
    "id": "k9",
    "name": "t1_k9",
    "body": "Backtrace is so bad it's good",
    "author": "commenter",
    "subreddit": "movies",
    "link_id": "t3_a1b2c3",
    "parent_id": "t1_k8",
    "permalink": "/r/movies/comments/a1b2c3/just_watched_backtrace/k9/",
    "created_utc": 1688173200,
    "score": 3,
}


def test_submission_row_keeps_title_text_author_and_thread() -> None:
    row = submission_to_row(T3, "2026-01-01T00:00:00Z")
    assert row == {
        "id": "reddit:t3_a1b2c3",
        "platform": "reddit",
        "native_id": "t3_a1b2c3",
        "url": "https://www.reddit.com/r/movies/comments/a1b2c3/",  # from the ids
        "author": "film_fan",
        "community": "movies",
        "text": "Just watched Backtrace on Netflix, Stallone phoned it in\n\n"
        "Dreary, but the amnesia twist was fun.",
        "created_at": "2023-07-01T00:00:00Z",
        "score": 42,
        "num_comments": 7,
        "deleted": 0,
        "thread_id": "reddit:t3_a1b2c3",
        "parent_id": None,
        "fetched_at": "2026-01-01T00:00:00Z",
    }


def test_link_post_without_selftext_is_just_its_title() -> None:
    assert submission_to_row({**T3, "selftext": ""})["text"] == T3["title"]


def test_comment_row_points_at_its_parent_and_thread() -> None:
    row = comment_to_row(T1)
    assert row["id"] == "reddit:t1_k9"
    assert row["parent_id"] == "reddit:t1_k8"
    assert row["thread_id"] == "reddit:t3_a1b2c3"
    assert row["text"] == "Backtrace is so bad it's good"
    assert row["created_at"] == "2023-07-01T01:00:00Z"
    assert row["num_comments"] is None


def test_deleted_and_removed_things_lose_text_and_author() -> None:
    cases = [
        {**T3, "author": "[deleted]", "selftext": "[deleted]"},
        {**T3, "selftext": "[removed]", "removed_by_category": "moderator"},
        {**T3, "removed_by_category": "reddit"},
        {**T3, "author": None},  # praw turns a "[deleted]" author into None
    ]
    for raw in cases:
        row = submission_to_row(raw)
        assert (row["deleted"], row["text"], row["author"]) == (1, None, None), raw
    for body in ("[deleted]", "[removed]"):
        row = comment_to_row({**T1, "body": body})
        assert (row["deleted"], row["text"], row["author"]) == (1, None, None)
    assert not is_deleted(T3) and not is_deleted(T1)


def test_praw_objects_map_through_their_names() -> None:
    class Named:
        def __init__(self, name: str) -> None:
            self.name = name

        def __str__(self) -> str:
            return self.name

    row = submission_to_row({**T3, "author": Named("film_fan"), "subreddit": Named("movies")})
    assert (row["author"], row["community"]) == ("film_fan", "movies")


def test_search_query_quotes_every_name() -> None:
    title = Title("Backtrace", aliases=("Backtrace 2018", 'The "Backtrace" movie'))
    assert search_query(title) == '"Backtrace" OR "Backtrace 2018" OR "The Backtrace movie"'


def test_progress_round_trips_and_survives_garbage() -> None:
    progress = Progress(Mark(1.0, "t3_a"), Mark(2.0, "t3_b"), "t3_c", 300)
    assert Progress.loads(progress.dumps()) == progress
    assert Progress.loads("not json") == Progress()
    assert Progress.loads(None) == Progress()


def test_marks_order_by_time_then_id() -> None:
    assert Mark(5.0, "t3_zz").key > Mark(5.0, "t3_a0").key > Mark(4.0, "t3_zzz").key

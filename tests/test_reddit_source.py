"""The Reddit source through the real praw client against a fake Reddit on 127.0.0.1."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fakes import ReplayServer, Request, Response, Sleeps

from monitor import ingest
from monitor.config import Config, Credentials, parse_config
from monitor.errors import AuthError
from monitor.replay.reddit import FakeReddit
from monitor.sources import reddit
from monitor.sources.reddit import RedditSource
from monitor.store import Store

CREDS = Credentials("app-id", "app-secret-value")
SEARCH = "/r/all/search"
WATCHED = "Just watched Backtrace on Netflix, Stallone phoned it in"
DEBUGGER = "gdb prints a backtrace after the segfault in my allocator"


@pytest.fixture
def fake() -> FakeReddit:
    return FakeReddit(client_id="app-id", client_secret="app-secret-value")


@pytest.fixture
def server(fake: FakeReddit) -> Iterator[ReplayServer]:
    with ReplayServer(fake.handle) as srv:
        yield srv


def make_config(server: ReplayServer, **reddit: Any) -> Config:
    return parse_config(
        {
            "titles": [
                {
                    "name": "Backtrace",
                    "aliases": ["Backtrace 2018"],
                    "exclude": ["gdb", "segfault", "stack trace"],
                    "released": "2018-12-14",
                },
                {"name": "The Man from Toronto"},
            ],
            "reddit": {"oauth_url": server.url, "reddit_url": server.url, **reddit},
        }
    )


def make_source(config: Config, sleeps: Sleeps | None = None, **kwargs: Any) -> RedditSource:
    kwargs = {"timeout": 1.0, "backoff": 0.5, **kwargs}
    return reddit.build(config, CREDS, sleep=sleeps if sleeps is not None else Sleeps(), **kwargs)


def poll(store: Store, config: Config, title: str = "Backtrace", **kwargs: Any) -> Any:
    store.sync_titles(config.titles)
    (result,) = ingest.poll(store, make_source(config, **kwargs), config.select(title))
    return result


def ids(store: Store, sql: str = "select id from posts") -> set[str]:
    return {row["id"] for row in store.query(sql)}


def mentioned(store: Store, title: str = "Backtrace") -> set[str]:
    return ids(store, f"select post_id as id from mentions where title = '{title}'")


def runs(store: Store) -> list[dict[str, Any]]:
    return list(store.query("select * from poll_runs order by id"))


def test_cold_poll_pages_to_the_listing_cap_and_says_so(
    fake: FakeReddit, server: ReplayServer, store: Store
) -> None:
    fake.synthesize(1200, "Backtrace")
    result = poll(store, make_config(server))
    assert (result.fetched, result.new, result.cap_hit, result.ok) == (1000, 1000, True, True)
    assert server.count(SEARCH) == 10
    assert result.requests == 11  # the token, then ten pages of 100
    (run,) = runs(store)
    assert (run["status"], run["cap_hit"], run["fetched"], run["requests"]) == ("ok", 1, 1000, 11)
    assert run["gap_end"] is not None  # older than this could not be reached
    newest = sorted(fake.submissions.values(), key=lambda s: s["created_utc"])[-1000:]
    assert mentioned(store) == {f"reddit:{s['name']}" for s in newest}


def test_a_listing_that_stops_short_of_the_stored_posts_is_a_gap(
    fake: FakeReddit, server: ReplayServer, store: Store
) -> None:
    """Reddit's search may serve fewer than 1,000 items: a re-poll whose listing ends before
    it reaches the newest stored post records the stretch between as unseen."""
    config = make_config(server)
    fake.synthesize(50, "Backtrace")
    poll(store, config)
    fake.listing_cap = 250
    fake.synthesize(400, "Backtrace")
    result = poll(store, config)
    assert (result.new, result.cap_hit, result.ok) == (250, True, True)
    run = runs(store)[-1]
    assert run["cap_hit"] == 1 and run["gap_start"] < run["gap_end"]
    # a later poll that reaches its mark is no gap
    fake.synthesize(5, "Backtrace")
    assert poll(store, config).cap_hit is False


def test_repoll_stops_at_what_it_already_has(
    fake: FakeReddit, server: ReplayServer, store: Store
) -> None:
    config = make_config(server)
    fake.synthesize(250, "Backtrace")
    assert poll(store, config).new == 250
    assert server.count(SEARCH) == 3

    fake.synthesize(5, "Backtrace")
    again = poll(store, config)
    assert (again.new, again.fetched, again.cap_hit) == (5, 5, False)
    assert server.count(SEARCH) == 4  # one page reached the known posts

    idle = poll(store, config)
    assert (idle.new, idle.requests) == (0, 2)  # the token and one search request
    assert server.count(SEARCH) == 5
    assert len(mentioned(store)) == 255


def test_subreddits_scope_the_search(fake: FakeReddit, server: ReplayServer, store: Store) -> None:
    for sub in ("movies", "netflix", "programming"):
        fake.submission(f"{WATCHED} (seen on r/{sub})", subreddit=sub)
    config = parse_config(
        {
            "titles": [{"name": "Backtrace", "subreddits": ["movies", "r/netflix"]}],
            "reddit": {"oauth_url": server.url, "reddit_url": server.url},
        }
    )
    poll(store, config)
    communities = {r["community"] for r in store.query("select community from posts")}
    assert communities == {"movies", "netflix"}
    (request,) = [r for r in server.requests if "search" in r.path]
    assert request.path == "/r/movies+netflix/search/"
    assert request.arg("restrict_sr") == "1"


def test_comments_of_matched_threads_follow_more_placeholders_within_bounds(
    server: ReplayServer, store: Store, fake: FakeReddit
) -> None:
    fake.comment_page = 2  # each /comments answer holds two comments, then a "more"
    post = fake.submission(WATCHED, "Dreary thriller, but I could not stop watching.")
    first = fake.comment(post, "Same, a lazy heist plot", score=10)
    fake.comment(post, "The amnesia twist was the best part", score=5)
    fake.comment(first, "Modine deserved better", score=4)
    fake.comment(post, "Worst film I saw this year", score=1)
    fake.comment(post, "Never heard of it", score=0)
    debugger = fake.submission(DEBUGGER)
    fake.comment(debugger, "run it under valgrind")

    poll(store, make_config(server, comments=4, replace_more=1))
    assert server.count("/api/morechildren", "POST") == 1
    assert not [r for r in server.requests if r.path.startswith(f"/comments/{debugger['id']}")]
    comments = list(store.query("select * from posts where parent_id is not null"))
    assert len(comments) == 4
    assert {c["thread_id"] for c in comments} == {f"reddit:{post['name']}"}
    # each comment inherits the thread's topic, even when it never names the film
    assert {f"reddit:{c['name']}" for c in fake.comments.values()} & mentioned(store) == {
        c["id"] for c in comments
    }
    # the best four, top-level first: the reply behind a second "more" was not followed
    assert {c["parent_id"] for c in comments} == {f"reddit:{post['name']}"}
    assert "Modine deserved better" not in {c["text"] for c in comments}


def test_replace_more_is_bounded(server: ReplayServer, store: Store, fake: FakeReddit) -> None:
    fake.comment_page = 1
    post = fake.submission(WATCHED)
    top = fake.comment(post, "top comment")
    for i in range(5):
        fake.comment(top, f"reply {i}")
    poll(store, make_config(server, comments=20, replace_more=2))
    assert server.count("/api/morechildren") + server.count(f"/comments/{post['id']}/_/") <= 2


def test_deleted_and_removed_posts_are_stored_without_text_or_author(
    fake: FakeReddit, server: ReplayServer, store: Store
) -> None:
    gone = fake.submission(f"{WATCHED}, and it got deleted")
    removed = fake.submission(f"{WATCHED}, and a mod removed it")
    kept = fake.submission(WATCHED)
    comment = fake.comment(kept, "I deleted this later")
    fake.delete(gone)
    fake.remove(removed)
    fake.delete(comment)
    poll(store, make_config(server))
    rows = {r["id"]: r for r in store.query("select * from posts")}
    for thing in (gone, removed, comment):
        row = rows[f"reddit:{thing['name']}"]
        assert (row["deleted"], row["text"], row["author"]) == (1, None, None)
    assert rows[f"reddit:{kept['name']}"]["author"] == "film_fan"


def test_two_titles_share_a_post(fake: FakeReddit, server: ReplayServer, store: Store) -> None:
    both = fake.submission(
        "Watched Backtrace and The Man from Toronto back to back on Netflix: both dreary"
    )
    fake.submission("The Man from Toronto on Netflix: Kevin Hart carried it")
    config = make_config(server)
    store.sync_titles(config.titles)
    results = ingest.poll(store, make_source(config), config.titles)
    assert [r.title for r in results] == ["Backtrace", "The Man from Toronto"]
    assert store.count("posts") == 2
    shared = f"reddit:{both['name']}"
    assert shared in mentioned(store, "Backtrace") and shared in mentioned(
        store, "The Man from Toronto"
    )
    assert len(mentioned(store, "The Man from Toronto")) == 2


def test_debugger_posts_are_stored_but_not_about_the_film(
    fake: FakeReddit, server: ReplayServer, store: Store
) -> None:
    film = fake.submission(WATCHED)
    fake.submission(DEBUGGER)
    poll(store, make_config(server))
    assert mentioned(store) == {f"reddit:{film['name']}"}


# --- faults -------------------------------------------------------------------------------


def test_429_waits_for_the_reset_capped_and_logged(
    fake: FakeReddit, server: ReplayServer, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    fake.synthesize(150, "Backtrace")
    server.fail("status", status=429, headers={"x-ratelimit-reset": "7"}, path=SEARCH)
    server.fail("status", status=429, headers={"x-ratelimit-reset": "5000"}, path=SEARCH)
    sleeps = Sleeps()
    with caplog.at_level(logging.WARNING, "monitor"):
        result = poll(store, make_config(server), sleeps=sleeps, max_wait=30.0)
    assert result.ok and result.new == 150
    assert sleeps == [7.0, 30.0]
    assert "rate limit" in caplog.text and "waiting 30s" in caplog.text


def test_429_that_never_ends_fails_the_title_not_the_run(
    fake: FakeReddit, server: ReplayServer, store: Store
) -> None:
    fake.synthesize(10, "Backtrace")
    server.fail("status", status=429, times=10, path=SEARCH)
    result = poll(store, make_config(server), rate_waits=2)
    assert not result.ok and "429" in (result.error or "")
    assert runs(store)[0]["status"] == "failed"


def test_server_errors_are_retried_with_backoff(
    fake: FakeReddit, server: ReplayServer, store: Store
) -> None:
    fake.synthesize(120, "Backtrace")
    server.fail("status", status=500, times=2, path=SEARCH)
    server.fail("reset", path="/comments")  # no comments here: never requested
    sleeps = Sleeps()
    result = poll(store, make_config(server), sleeps=sleeps)
    assert result.ok and result.new == 120
    assert sleeps == [0.5, 1.0]
    assert server.count(SEARCH) == 4


def fail_on_search(server: ReplayServer, fake: FakeReddit, page: int, kind: str) -> None:
    """Make the ``page``-th search request (1-based) answer the fault ``kind``."""
    seen = 0

    def handler(request: Request) -> Response:
        nonlocal seen
        if request.path.startswith(SEARCH):
            seen += 1
            if seen == page - 1:
                server.fail(kind, times=3, path=SEARCH, status=503)
        return fake.handle(request)

    server.handler = handler


@pytest.mark.parametrize("kind", ["status", "bad_json", "truncate", "reset"])
def test_a_failed_page_keeps_what_was_stored_and_the_next_run_resumes(
    fake: FakeReddit, server: ReplayServer, store: Store, kind: str
) -> None:
    config = make_config(server)
    fake.synthesize(450, "Backtrace")
    fail_on_search(server, fake, 3, kind)
    failed = poll(store, config)
    assert not failed.ok and failed.new == 200
    assert "Reddit" in (failed.error or "")
    run = runs(store)[0]
    assert (run["status"], run["new"], run["gap_end"] is not None) == ("failed", 200, True)

    server.handler = fake.handle
    server.clear_faults()
    fake.synthesize(30, "Backtrace")  # posted while we were away
    resumed = poll(store, config)
    assert resumed.ok and resumed.new == 280
    assert mentioned(store) == {f"reddit:{s['name']}" for s in fake.submissions.values()}
    assert poll(store, config).new == 0


def test_a_hang_ends_in_a_timeout_error(
    fake: FakeReddit, server: ReplayServer, store: Store
) -> None:
    fake.synthesize(10, "Backtrace")
    server.fail("hang", times=3, path=SEARCH, seconds=10)
    result = poll(store, make_config(server), timeout=0.3)
    assert not result.ok
    assert "did not answer within 0.3s" in (result.error or "")
    assert poll(store, make_config(server)).new == 10


def test_refused_credentials_stop_the_source_with_the_variables_to_check(
    fake: FakeReddit, server: ReplayServer, store: Store
) -> None:
    fake.client_secret = "another-secret"
    fake.synthesize(3, "Backtrace")
    config = make_config(server)
    store.sync_titles(config.titles)
    with pytest.raises(AuthError) as caught:
        ingest.poll(store, make_source(config), config.titles)
    assert "REDDIT_CLIENT_ID" in (caught.value.hint or "")
    assert "REDDIT_CLIENT_SECRET" in (caught.value.hint or "")
    assert "app-secret-value" not in str(caught.value) + (caught.value.hint or "")
    assert [r["status"] for r in runs(store)] == ["failed"]  # stopped at the first title
    assert store.count("posts") == 0


def test_token_answered_with_an_error_payload_is_an_auth_error(
    server: ReplayServer, store: Store
) -> None:
    server.fail("status", status=200, body=b'{"error": "invalid_grant"}', path="/api/v1")
    with pytest.raises(AuthError, match="invalid_grant"):
        poll(store, make_config(server))


def test_missing_credentials_are_refused_up_front(server: ReplayServer) -> None:
    with pytest.raises(AuthError, match="no Reddit credentials"):
        reddit.build(make_config(server), Credentials())


# --- recheck ------------------------------------------------------------------------------


def test_recheck_marks_deleted_posts_100_per_request(
    fake: FakeReddit, server: ReplayServer, store: Store
) -> None:
    fake.synthesize(150, "Backtrace")
    config = make_config(server)
    poll(store, config)
    posts = sorted(fake.submissions.values(), key=lambda s: s["created_utc"])
    fake.delete(posts[0])
    fake.remove(posts[120])
    stored = sorted(ids(store))
    assert ingest.recheck(store, make_source(config), stored, config.titles) == 2
    assert server.count("/api/info") == 2
    gone = ids(store, "select id from posts where deleted = 1 and text is null")
    assert gone == {f"reddit:{posts[0]['name']}", f"reddit:{posts[120]['name']}"}


def comment_ids(store: Store) -> set[str]:
    return ids(store, "select id from posts where parent_id is not null")


def test_recheck_fetches_the_newest_comments_of_threads_that_grew(
    fake: FakeReddit, server: ReplayServer, store: Store
) -> None:
    config = make_config(server, comments=3)
    busy = fake.submission(WATCHED)
    fake.submission("Backtrace on Netflix: a dreary heist")
    debugger = fake.submission(DEBUGGER)
    for i in range(3):
        fake.comment(busy, f"first wave {i}", score=10)
    poll(store, config)
    assert len(comment_ids(store)) == 3
    # the thread keeps talking after it was stored; the other two do not
    later = [fake.comment(busy, f"Rewatched it, still dreary ({i})", score=0) for i in range(2)]
    fake.comment(debugger, "try valgrind")
    stored = sorted(ids(store))
    requests = server.count("/comments/")
    ingest.recheck(store, make_source(config), stored, config.titles)
    assert server.count("/comments/") == requests + 1  # the busy thread only
    new = {f"reddit:{c['name']}" for c in later}
    assert new <= comment_ids(store)
    # the new comments count for the title, though they never name it
    assert new <= mentioned(store)
    (row,) = store.query("select num_comments from posts where id = ?", [f"reddit:{busy['name']}"])
    assert row["num_comments"] == 5
    # nothing grew since: a second re-check asks for no comments
    ingest.recheck(store, make_source(config), sorted(ids(store)), config.titles)
    assert server.count("/comments/") == requests + 1


def test_thread_refresh_takes_the_most_grown_first_and_can_be_turned_off(
    fake: FakeReddit, server: ReplayServer, store: Store
) -> None:
    small = fake.submission(WATCHED)
    big = fake.submission("Backtrace on Netflix: so bad it's good")
    poll(store, make_config(server))
    fake.comment(small, "one more")
    for i in range(4):
        fake.comment(big, f"talking about it ({i})")
    config = make_config(server, refresh_threads=0)
    ingest.recheck(store, make_source(config), sorted(ids(store)), config.titles)
    assert server.count("/comments/") == 0 and not comment_ids(store)
    config = make_config(server, refresh_threads=1)
    ingest.recheck(store, make_source(config), sorted(ids(store)), config.titles)
    assert [r.path for r in server.requests if r.path.startswith("/comments/")] == [
        f"/comments/{big['id']}/"
    ]
    assert {i.split("_")[-1] for i in comment_ids(store)} == {
        c["id"] for c in fake.comments.values() if c["link_id"] == big["name"]
    }


def test_a_run_killed_mid_way_resumes_without_duplicates_or_holes(
    fake: FakeReddit, server: ReplayServer, store: Store
) -> None:
    config = make_config(server)
    fake.synthesize(350, "Backtrace")
    fail_on_search(server, fake, 3, "status")

    def killed(seconds: float) -> None:
        raise KeyboardInterrupt  # Ctrl-C, or cron's kill, while waiting to retry

    with pytest.raises(KeyboardInterrupt):
        poll(store, config, sleeps=killed)
    assert len(mentioned(store)) == 200
    assert [(r["status"], r["error"]) for r in runs(store)] == [("failed", "interrupted")]

    server.handler = fake.handle
    server.clear_faults()
    resumed = poll(store, config)
    assert (resumed.new, resumed.fetched) == (150, 150)
    assert mentioned(store) == {f"reddit:{s['name']}" for s in fake.submissions.values()}


def test_an_expired_token_is_renewed(fake: FakeReddit, server: ReplayServer, store: Store) -> None:
    fake.synthesize(5, "Backtrace")
    invalid = {"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'}
    server.fail("status", status=401, headers=invalid, path=SEARCH)
    assert poll(store, make_config(server)).new == 5
    assert server.count("/api/v1/access_token") == 2


def test_a_401_that_persists_is_an_auth_error(server: ReplayServer, store: Store) -> None:
    server.fail("status", status=401, times=5, path=SEARCH)  # no WWW-Authenticate header
    with pytest.raises(AuthError, match="refused the access token"):
        poll(store, make_config(server))


def test_a_comment_praw_cannot_read_skips_its_thread_not_the_title(
    fake: FakeReddit, server: ReplayServer, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    broken = fake.submission(WATCHED, "Dreary, but fun")
    fake.comment(broken, "agreed")["author"] = None  # Reddit never sends this; praw chokes
    fine = fake.submission(f"{WATCHED} again")
    fake.comment(fine, "me too")
    assert poll(store, make_config(server)).ok
    ids = {r["id"] for r in store.query("select id from posts")}
    assert {f"reddit:{broken['name']}", f"reddit:{fine['name']}"} <= ids
    assert sum(i.startswith("reddit:t1_") for i in ids) == 1  # the readable comment
    assert "skipped the comments" in caplog.text

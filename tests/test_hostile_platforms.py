"""What a misbehaving platform sends must not stop a source, move a cursor past now, or lose
data: malformed items are skipped with a log line and counted; links are built from ids;
credentials echoed in an error are never stored. Real praw and atproto against the fakes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fakes import ReplayServer, Request, Response, Sleeps
from fakes.jetstream import JetstreamReplay

from monitor import ingest
from monitor.config import Config, Credentials, Title, parse_config
from monitor.ingest import StreamStore
from monitor.replay.bluesky import FakeBluesky
from monitor.replay.reddit import FakeReddit
from monitor.scrub import Scrubber
from monitor.sources import bluesky, reddit
from monitor.sources.bluesky import Settings
from monitor.sources.bluesky_rows import post_view_to_row
from monitor.sources.jetstream import JetstreamFollower, StreamSettings
from monitor.store import Store

BACKTRACE = Title(name="Backtrace", exclude=("gdb", "segfault"))
WATCHED = "Just watched Backtrace on Netflix, Stallone phoned it in"
SECRET = "app-secret-value-4711"
CREDS = Credentials("app-id", SECRET)
SEARCH = "/r/all/search"


@pytest.fixture
def tracked() -> tuple[Title, ...]:
    return (BACKTRACE,)


@pytest.fixture
def fake() -> FakeReddit:
    return FakeReddit(client_id="app-id", client_secret=SECRET)


@pytest.fixture
def server(fake: FakeReddit) -> Iterator[ReplayServer]:
    with ReplayServer(fake.handle) as srv:
        yield srv


def reddit_config(server: ReplayServer, **options: Any) -> Config:
    return parse_config(
        {
            "titles": [{"name": "Backtrace", "exclude": ["gdb", "segfault"]}],
            "reddit": {"oauth_url": server.url, "reddit_url": server.url, **options},
        }
    )


def poll_reddit(store: Store, config: Config, sleeps: Sleeps) -> ingest.PollResult:
    source = reddit.build(config, CREDS, sleep=sleeps, timeout=2.0, backoff=0.01)
    [result] = ingest.poll(store, source, config.titles, scrub=Scrubber([SECRET]))
    return result


def rewrite(server: ReplayServer, path: str, change: Any) -> None:
    """Let ``change`` edit the JSON of every answer on ``path`` before it goes out."""
    handler = server.handler

    def edited(request: Request) -> Response:
        answer = handler(request)
        if request.path.startswith(path) and answer.status == 200:
            data = json.loads(answer.body)
            change(data)
            return Response.json(data, headers=answer.headers)
        return answer

    server.handler = edited


@pytest.mark.parametrize("bad", [1e20, float("nan"), -1e13, "0000-00-00", None])
def test_a_reddit_item_with_no_usable_time_is_skipped_and_counted(
    fake: FakeReddit, server: ReplayServer, store: Store, sleeps: Sleeps, bad: object, caplog: Any
) -> None:
    things = [fake.submission(f"{WATCHED} ({i})") for i in range(5)]

    def spoil(data: dict[str, Any]) -> None:
        for child in data["data"]["children"]:
            if child["data"]["name"] == things[2]["name"]:
                child["data"]["created_utc"] = bad

    rewrite(server, SEARCH, spoil)
    config = reddit_config(server, comments=0)
    for _ in range(2):  # the next poll goes on too: the item never stops the title
        result = poll_reddit(store, config, sleeps)
        assert result.ok and result.skipped >= 1
    assert store.count("posts") == 4
    [run] = store.query("select status, skipped from poll_runs order by id limit 1")
    assert run == {"status": "ok", "skipped": 1}
    assert things[2]["name"] in caplog.text  # the log line names it


def test_a_comment_tree_deeper_than_the_parser_skips_that_threads_comments_only(
    fake: FakeReddit, server: ReplayServer, store: Store, sleeps: Sleeps, caplog: Any
) -> None:
    deep = fake.submission(WATCHED, num_comments=400)
    fake.submission("Backtrace on Netflix: so bad it's good")
    handler = server.handler

    def deep_tree(request: Request) -> Response:
        if not request.path.startswith(f"/comments/{deep['id']}"):
            return handler(request)
        head = json.dumps({"kind": "Listing", "data": {"children": [{"kind": "t3", "data": deep}]}})
        reply = '{"kind": "t1", "data": {"id": "c%d", "name": "t1_c%d", "body": "deeper", '
        reply += '"link_id": "%s", "parent_id": "%s", "created_utc": 1700000000, '
        reply += '"author": "a", "subreddit": "movies", "replies": {"kind": "Listing", '
        reply += '"data": {"children": ['
        body = "".join(reply % (i, i, deep["name"], deep["name"]) for i in range(400))
        body += "]}}}]}}" * 400
        tree = f'[{head}, {{"kind": "Listing", "data": {{"children": [{body}]}}}}]'
        return Response(200, tree.encode(), {}, "application/json; charset=UTF-8")

    server.handler = deep_tree
    result = poll_reddit(store, reddit_config(server), sleeps)
    assert result.ok and store.count("posts") == 2  # both threads, without the deep comments
    assert "skipped the comments of" in caplog.text


def test_reddit_links_are_built_from_ids_on_reddits_own_host(
    fake: FakeReddit, server: ReplayServer, store: Store, sleeps: Sleeps
) -> None:
    thing = fake.submission(WATCHED, num_comments=1)
    fake.comment(thing, "Backtrace was dreary")

    def hostile(data: Any) -> None:
        listings = data if isinstance(data, list) else [data]
        for listing in listings:
            for child in listing["data"]["children"]:
                if child["kind"] == "t3":
                    child["data"]["permalink"] = ".evil.example/x"
                elif child["kind"] == "t1":
                    child["data"].pop("permalink", None)  # no permalink at all

    rewrite(server, SEARCH, hostile)
    rewrite(server, "/comments/", hostile)
    poll_reddit(store, reddit_config(server), sleeps)
    urls = {r["id"]: r["url"] for r in store.query("select id, url from posts")}
    sid = thing["id"]
    assert urls[f"reddit:t3_{sid}"] == f"https://www.reddit.com/r/movies/comments/{sid}/"
    [comment] = [u for i, u in urls.items() if i.startswith("reddit:t1_")]
    assert comment.startswith(f"https://www.reddit.com/r/movies/comments/{sid}/_/")


def test_a_429_on_the_token_request_is_waited_out_and_named(
    fake: FakeReddit, server: ReplayServer, store: Store, sleeps: Sleeps, caplog: Any
) -> None:
    fake.submission(WATCHED)
    server.fail("status", status=429, path="/api/v1/access_token", headers={"retry-after": "7"})
    result = poll_reddit(store, reddit_config(server), sleeps)
    assert result.ok and store.count("posts") == 1
    assert sleeps == [7.0]
    assert "429 on the token request" in caplog.text


def test_an_error_that_echoes_a_secret_is_stored_scrubbed(
    fake: FakeReddit, server: ReplayServer, store: Store, sleeps: Sleeps
) -> None:
    fake.submission(WATCHED)
    server.fail("status", status=500, path=SEARCH, times=10)
    source = reddit.build(reddit_config(server), CREDS, sleep=sleeps, retries=0)
    source.client.timeout = 2.0

    class Echo(reddit.RedditSource):  # a platform whose error text repeats the credentials
        def pages(self, *args: Any) -> Any:
            for event in super().pages(*args):
                if isinstance(event, ingest.Gap) and event.error:
                    event = ingest.Gap(event.start, event.end, error=f"{event.error}: {SECRET}")
                yield event

    echo = Echo(source.client, source.config)
    [result] = ingest.poll(store, echo, [BACKTRACE], scrub=Scrubber([SECRET]))
    assert result.error and SECRET not in result.error and "***" in result.error
    assert SECRET not in json.dumps(list(store.query("select * from poll_runs")))


# --- Bluesky ------------------------------------------------------------------------------


@pytest.fixture
def sky() -> FakeBluesky:
    return FakeBluesky()


@pytest.fixture
def sky_server(sky: FakeBluesky) -> Iterator[ReplayServer]:
    with ReplayServer(sky) as srv:
        yield srv


def poll_bluesky(store: Store, server: ReplayServer, sky: FakeBluesky) -> ingest.PollResult:
    config = parse_config({"bluesky": {"service": server.url}})
    creds = Credentials(bluesky_handle=sky.handle, bluesky_app_password=sky.password)
    source = bluesky.build(config, creds, settings=Settings(timeout=2.0, backoff=0.01))
    [result] = ingest.poll(store, source, [BACKTRACE])
    return result


def test_bluesky_times_out_of_range_fall_back_or_skip_and_keep_their_precision(
    sky: FakeBluesky, sky_server: ReplayServer, store: Store
) -> None:
    base = datetime.now(UTC) - timedelta(hours=1)
    same_second = [
        sky.add_post(f"{WATCHED} {i}", base + timedelta(milliseconds=257 + i)) for i in range(4)
    ]
    future = sky.add_post(f"{WATCHED} future", "9999-12-31T23:59:59-05:00")
    future["indexedAt"] = "2026-11-29T10:00:00.000Z"  # the server's own clock: believed
    sky.add_post(f"{WATCHED} ancient", "0001-01-01T00:00:00+05:00")  # nothing usable
    results = [poll_bluesky(store, sky_server, sky) for _ in range(2)]
    assert all(r.ok for r in results) and results[0].skipped == 1
    stored = {r["text"]: r["created_at"] for r in store.query("select text, created_at from posts")}
    assert f"{WATCHED} ancient" not in stored
    assert stored[f"{WATCHED} future"] == "2026-11-29T10:00:00.000Z"
    order = [
        r["text"]
        for r in store.query(
            "select text from posts where text like '%Stallone phoned it in _' order by created_at"
        )
    ]
    assert order == [v["record"]["text"] for v in same_second]  # sub-second order kept


def test_a_jetstream_event_from_the_far_future_does_not_move_the_cursor(store: Store) -> None:
    with JetstreamReplay() as js:
        js.add_create(WATCHED)
        future = js.add_create(f"{WATCHED} from the future")
        future["time_us"] = 9_000_000_000_000_000_000
        sink = StreamStore(store, [BACKTRACE])
        settings = StreamSettings(flush_seconds=0.05, batch=3, recv_timeout=0.05, backoff=0.01)
        JetstreamFollower(sink, js.url, settings=settings).run(max_events=2)
        saved = sink.cursor()
        assert saved is not None and saved < 9_000_000_000_000_000_000
        later = js.add_create(f"{WATCHED} later")
        JetstreamFollower(sink, js.url, settings=settings).run(max_events=1)
    texts = {r["text"] for r in store.query("select text from posts")}
    assert later["commit"]["record"]["text"] in texts  # not skipped as already seen


def test_a_bluesky_link_never_carries_a_hostile_handle_or_uri() -> None:
    view = FakeBluesky().add_post(WATCHED)
    did, _, rkey = view["uri"].removeprefix("at://").partition("/app.bsky.feed.post/")
    view["author"]["handle"] = "bsky.app@evil.example/phish?"
    row = post_view_to_row(view, "2026-11-30T00:00:00Z")
    assert row["url"] == f"https://bsky.app/profile/{did}/post/{rkey}"
    view["uri"] = "at://did:plc:x/app.bsky.feed.post/../../evil.example"
    assert post_view_to_row(view, "2026-11-30T00:00:00Z")["url"] is None

"""The Bluesky poller, through the real atproto client against a local fake XRPC server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes import ReplayServer, Request, Response, Sleeps
from fakes.bluesky_faults import expired_token_fault, rate_limit_fault

from monitor import ingest, session_file
from monitor.config import Config, Credentials, Title, parse_config
from monitor.errors import AuthError
from monitor.queries import title_counts
from monitor.replay.bluesky import FakeBluesky
from monitor.sources import bluesky
from monitor.sources.bluesky import BlueskySource, Progress, Settings
from monitor.sources.bluesky_rows import post_id, post_view_to_row, search_phrases
from monitor.sources.jetstream import create_to_row
from monitor.store import Store

ABOUT = "Backtrace on Netflix is so bad it's good, Stallone sleepwalks through it"
DEBUGGER = "gdb prints a backtrace after the segfault, the stack trace points at malloc"

BACKTRACE = Title(
    name="Backtrace",
    aliases=("Backtrace 2018",),
    exclude=("gdb", "segfault", "stack trace"),
)


@pytest.fixture
def fake() -> FakeBluesky:
    return FakeBluesky()


@pytest.fixture
def server(fake: FakeBluesky) -> Iterator[ReplayServer]:
    with ReplayServer(fake) as srv:
        yield srv


@pytest.fixture
def tracked() -> tuple[Title, ...]:
    return (BACKTRACE,)


def make_source(
    server: ReplayServer, fake: FakeBluesky, sleeps: Sleeps, **settings: float
) -> BlueskySource:
    config = parse_config({"bluesky": {"service": server.url}})
    creds = Credentials(bluesky_handle=fake.handle, bluesky_app_password=fake.password)
    options = {"timeout": 2.0, "backoff": 0.01, "max_wait": 30.0, **settings}
    return bluesky.build(config, creds, settings=Settings(**options), sleep=sleeps)  # type: ignore[arg-type]


def posts(store: Store) -> list[dict[str, object]]:
    return list(store.query("select * from posts order by created_at"))


def last_run(store: Store) -> dict[str, object]:
    return next(store.query("select * from poll_runs order by id desc limit 1"))


T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


# --- mapping ----------------------------------------------------------------------------


def test_post_view_maps_to_a_posts_row() -> None:
    view = FakeBluesky().add_post(
        ABOUT,
        T0,
        author="cinephile.bsky.social",
        langs=("en", "fr"),
        likes=4,
        replies=2,
        reposts=1,
        quotes=3,
        reply_to="at://did:plc:abc/app.bsky.feed.post/3kroot",
    )
    row = post_view_to_row(json.loads(json.dumps(view)), "2026-11-23T00:00:00Z")
    rkey = view["uri"].rsplit("/", 1)[1]
    assert row["id"] == f"bluesky:{view['uri']}"
    assert row["platform"] == "bluesky" and row["native_id"] == view["uri"]
    assert row["url"] == f"https://bsky.app/profile/cinephile.bsky.social/post/{rkey}"
    assert row["author"] == "cinephile.bsky.social"
    assert row["text"] == ABOUT
    assert json.loads(row["langs"]) == ["en", "fr"]
    assert row["created_at"] == "2026-11-20T12:00:00.000Z"  # Bluesky's precision, kept
    assert (row["likes"], row["replies"], row["reposts"], row["quotes"]) == (4, 2, 1, 3)
    assert row["parent_id"] == "bluesky:at://did:plc:abc/app.bsky.feed.post/3kroot"


def test_post_view_without_date_falls_back_to_indexed_at() -> None:
    view = FakeBluesky().add_post(ABOUT, T0)
    del view["record"]["createdAt"]
    assert post_view_to_row(view, "x")["created_at"] == "2026-11-20T12:00:00.000Z"


def test_broken_post_view_is_a_source_error() -> None:
    from monitor.errors import SourceError

    with pytest.raises(SourceError, match="without uri"):
        post_view_to_row({"cid": "x"}, "x")


def test_aliases_that_contain_the_name_are_not_searched_twice() -> None:
    assert search_phrases(BACKTRACE) == ["Backtrace"]
    toronto = Title("The Man from Toronto", aliases=("Man from Toronto", "TMFT"))
    assert search_phrases(toronto) == ["Man from Toronto", "TMFT"]


# --- polling ----------------------------------------------------------------------------


def test_poll_pages_through_results_and_stores_mentions(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    for i in range(230):
        fake.add_post(f"{ABOUT} ({i})", T0 + timedelta(minutes=i))
    fake.add_post(DEBUGGER, T0)
    [result] = ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    assert result.ok and result.new == 231 and result.fetched == 231
    assert server.count("/xrpc/app.bsky.feed.searchPosts") == 3  # 100 + 100 + 31
    assert store.count("posts") == 231
    about = {r["post_id"] for r in store.query("select post_id from mentions")}
    assert len(about) == 230  # the debugger post is stored but not a mention
    run = last_run(store)
    assert (run["status"], run["new"], run["fetched"], run["cap_hit"]) == ("ok", 231, 231, 0)


def test_second_poll_fetches_only_whats_new_and_reuses_the_session(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    fake.generate(150, ABOUT, start=T0, step=timedelta(minutes=1))
    ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    assert fake.sessions_created == 1
    assert session_file.load(store.path, f"{fake.handle} {server.url}")
    searches = server.count("/xrpc/app.bsky.feed.searchPosts")

    fake.generate(5, ABOUT, start=T0 + timedelta(days=1))
    [result] = ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    assert result.new == 5
    assert server.count("/xrpc/app.bsky.feed.searchPosts") - searches == 1
    assert fake.sessions_created == 1  # no second login
    assert store.count("posts") == 155


def test_a_post_indexed_late_is_found_by_the_next_poll(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    """Search sorts by creation time: a post that reaches the index a minute late lands
    below the newest post already stored. The next poll searches the last two minutes
    again, so it is stored; what was stored already is not counted as new."""
    fake.generate(30, ABOUT, start=T0, step=timedelta(minutes=1))  # newest at T0 + 29 min
    ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    late = fake.add_post(f"{ABOUT}, posted from the train", T0 + timedelta(minutes=28))
    too_late = fake.add_post(f"{ABOUT}, posted an hour ago", T0)
    [result] = ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    assert result.ok and result.new == 1
    stored = {r["id"] for r in posts(store)}
    assert post_id(late["uri"]) in stored
    assert post_id(too_late["uri"]) not in stored  # beyond the overlap: still a known limit
    assert store.count("posts") == 31


def test_result_cap_splits_the_time_range_and_reaches_everything(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    fake.search_cap = 50
    fake.generate(180, ABOUT, start=T0)
    [result] = ingest.poll(store, make_source(server, fake, sleeps, result_cap=50), [BACKTRACE])
    assert result.ok and result.cap_hit
    assert store.count("posts") == 180
    run = last_run(store)
    assert run["cap_hit"] == 1 and run["gap_start"] is None


def test_posts_beyond_the_cap_in_one_instant_are_recorded_as_a_gap(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    fake.search_cap = 20
    fake.generate(5, ABOUT, start=T0 - timedelta(hours=1))
    for i in range(30):
        fake.add_post(f"{ABOUT} {i}", T0)
    [result] = ingest.poll(store, make_source(server, fake, sleeps, result_cap=20), [BACKTRACE])
    assert result.cap_hit and result.ok
    assert store.count("posts") == 25  # 20 of the 30 at T0, and the 5 older ones
    run = last_run(store)
    assert (run["gap_start"], run["gap_end"]) == (
        "2026-11-20T12:00:00.000Z",
        "2026-11-20T12:00:00.001Z",
    )
    fake.add_post(ABOUT, T0 + timedelta(hours=1))
    [result] = ingest.poll(store, make_source(server, fake, sleeps, result_cap=20), [BACKTRACE])
    assert result.new == 1  # the overlap searched the crowded instant again, still capped
    [result] = ingest.poll(store, make_source(server, fake, sleeps, result_cap=20), [BACKTRACE])
    assert result.new == 0 and last_run(store)["gap_start"] is None  # past it now


def test_request_budget_leaves_a_gap_that_the_next_poll_fills(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    fake.generate(350, ABOUT, start=T0)
    # two search requests per poll: 200 posts, then stop
    ingest.poll(store, make_source(server, fake, sleeps, max_requests=2), [BACKTRACE])
    assert store.count("posts") == 200
    run = last_run(store)
    assert run["gap_end"] and run["status"] == "ok"
    progress = Progress.load(store.get_cursor("bluesky", "Backtrace", "Backtrace"))
    assert progress.until is not None

    fake.generate(3, ABOUT, start=T0 + timedelta(days=2))
    ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    assert store.count("posts") == 353
    progress = Progress.load(store.get_cursor("bluesky", "Backtrace", "Backtrace"))
    # the newest post, less the two minutes searched again for posts indexed late
    assert progress.until is None and progress.since == "2026-11-22T11:58:02.001Z"


def test_rate_limit_waits_until_the_reset_then_goes_on(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    fake.generate(120, ABOUT, start=T0)
    rate_limit_fault(server, reset_in=10, path="/xrpc/app.bsky.feed.searchPosts")
    [result] = ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    assert result.ok and store.count("posts") == 120
    assert len(sleeps) == 1 and 5 < sleeps[0] <= 12


def test_rate_limit_beyond_the_wait_cap_fails_the_title_and_keeps_what_was_stored(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    fake.generate(150, ABOUT, start=T0)
    search = "/xrpc/app.bsky.feed.searchPosts"

    def limit_after_first_page(request: Request) -> Response:
        response = fake(request)
        if request.path == search and server.count(search) == 1:
            rate_limit_fault(server, reset_in=3600, times=5, path=search)
        return response

    server.handler = limit_after_first_page
    [result] = ingest.poll(store, make_source(server, fake, sleeps, max_wait=5), [BACKTRACE])
    assert not result.ok and "rate limit" in (result.error or "")
    assert sleeps == [] and store.count("posts") == 100
    run = last_run(store)
    assert run["status"] == "failed" and run["gap_start"] is None and run["gap_end"]

    server.clear_faults()
    server.handler = fake
    [result] = ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    assert result.ok and result.new == 50 and store.count("posts") == 150


def test_server_errors_are_retried_with_backoff(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    fake.generate(10, ABOUT, start=T0)
    server.fail("status", status=500, times=2, path="/xrpc/app.bsky.feed.searchPosts")
    [result] = ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    assert result.ok and result.new == 10
    assert sleeps == [0.01, 0.02]


def test_persistent_server_errors_fail_the_title_with_a_clear_error(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    fake.generate(10, ABOUT, start=T0)
    server.fail("status", status=503, times=10, path="/xrpc/app.bsky.feed.searchPosts")
    [result] = ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    assert result.error and "Bluesky request failed: HTTP 503" in result.error
    assert last_run(store)["status"] == "failed"


def test_malformed_json_is_retried(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    fake.generate(10, ABOUT, start=T0)
    server.fail("bad_json", path="/xrpc/app.bsky.feed.searchPosts")
    [result] = ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    assert result.ok and result.new == 10 and len(sleeps) == 1


def test_hanging_server_times_out_and_is_retried(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    fake.generate(10, ABOUT, start=T0)
    server.fail("hang", seconds=5, path="/xrpc/app.bsky.feed.searchPosts")
    [result] = ingest.poll(store, make_source(server, fake, sleeps, timeout=0.3), [BACKTRACE])
    assert result.ok and result.new == 10 and len(sleeps) == 1


def test_refused_access_token_logs_in_once_more(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    fake.generate(10, ABOUT, start=T0)
    expired_token_fault(server, path="/xrpc/app.bsky.feed.searchPosts")
    [result] = ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    assert result.ok and result.new == 10
    assert fake.sessions_created == 2


def test_revoked_saved_session_leads_to_one_new_login(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    saved = session_file.path_for(store.path)
    first = saved.read_text()
    fake.revoke_sessions()
    fake.generate(3, ABOUT, start=T0)
    [result] = ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    assert result.new == 3 and fake.sessions_created == 2
    assert saved.read_text() != first


def test_expired_access_token_is_refreshed_without_a_login(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    fake.access_ttl = 60  # the SDK refreshes 15 minutes before exp
    ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    fake.generate(2, ABOUT, start=T0)
    [result] = ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    assert result.new == 2
    assert fake.sessions_created == 1 and fake.sessions_refreshed >= 1


def test_refused_login_is_an_auth_error_without_the_password(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    config = parse_config({"bluesky": {"service": server.url}})
    creds = Credentials(bluesky_handle=fake.handle, bluesky_app_password="wrong-password")
    source = bluesky.build(config, creds, settings=Settings(backoff=0), sleep=sleeps)
    with pytest.raises(AuthError, match="refused the login") as info:
        ingest.poll(store, source, [BACKTRACE])
    assert "wrong-password" not in str(info.value) + (info.value.hint or "")
    assert fake.sessions_created == 1


def test_recheck_deletes_a_post_left_out_on_two_runs_a_day_apart(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    views = fake.generate(30, ABOUT, start=T0)
    ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    fake.delete(views[3]["uri"])
    fake.delete(views[27]["uri"])
    ids = [r["id"] for r in store.query("select id from posts")]
    before = server.count("/xrpc/app.bsky.feed.getPosts")

    def recheck(now: datetime) -> int:
        return ingest.recheck(store, make_source(server, fake, sleeps), ids, [BACKTRACE], now=now)

    assert recheck(T0 + timedelta(days=1)) == 0  # left out once: maybe a hiccup
    assert server.count("/xrpc/app.bsky.feed.getPosts") - before == 2  # 25 + 5
    assert recheck(T0 + timedelta(days=1, hours=12)) == 0  # again, but within a day
    assert recheck(T0 + timedelta(days=2, minutes=1)) == 2  # a day apart: deleted
    gone = list(store.query("select text, author from posts where deleted = 1"))
    assert gone == [{"text": None, "author": None}] * 2


def test_an_empty_or_thin_recheck_answer_deletes_nothing(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps, caplog: Any
) -> None:
    """One ``{"posts": []}`` from getPosts used to blank every recent post for good."""
    fake.generate(40, ABOUT, start=T0)
    ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    ids = [r["id"] for r in store.query("select id from posts")]
    lookup = "/xrpc/app.bsky.feed.getPosts"

    def empty(request: Request) -> Response:
        return Response.json({"posts": []}) if request.path == lookup else fake(request)

    def thin(request: Request) -> Response:
        answer = fake(request)
        if request.path == lookup:  # the first post of each batch only
            data = json.loads(answer.body)
            return Response.json({"posts": data["posts"][:1]})
        return answer

    for handler in (empty, thin):
        server.handler = handler
        for day in (1, 3, 5):
            now = T0 + timedelta(days=day)
            assert (
                ingest.recheck(store, make_source(server, fake, sleeps), ids, [BACKTRACE], now=now)
                == 0
            )
    assert store.count("posts") == 40
    assert not list(store.query("select id from posts where deleted = 1 or text is null"))
    assert "not trusted, nothing deleted" in caplog.text


def test_recheck_names_the_handle_of_posts_from_the_stream(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    """The stream knows an author only by DID; the re-check's answers carry the handle."""
    view = fake.add_post(ABOUT, T0, author="critic.bsky.social")
    did, _, rkey = view["uri"].removeprefix("at://").partition("/app.bsky.feed.post/")
    event = {
        "did": did,
        "time_us": int(T0.timestamp() * 1_000_000),
        "commit": {"operation": "create", "rkey": rkey, "record": view["record"]},
    }
    ingest.store_page(store, [create_to_row(event, "2026-11-20T12:00:00Z")], [BACKTRACE])
    (row,) = posts(store)
    assert row["author"] == did
    assert ingest.recheck(store, make_source(server, fake, sleeps), [row["id"]], [BACKTRACE]) == 0
    (row,) = posts(store)
    assert row["author"] == "critic.bsky.social"
    assert row["url"] == f"https://bsky.app/profile/{did}/post/{rkey}"  # a DID link never breaks


def test_credentials_are_required() -> None:
    with pytest.raises(AuthError):
        bluesky.build(Config(), Credentials())


# --- the command ------------------------------------------------------------------------


def _point_config_at(config_file: Path, server: ReplayServer) -> None:
    with config_file.open("a", encoding="utf-8") as fh:
        fh.write(f'\n[bluesky]\nservice = "{server.url}"\n')


def test_poll_command_end_to_end(
    server: ReplayServer, fake: FakeBluesky, config_file: Path, run_cli: Any
) -> None:
    _point_config_at(config_file, server)
    fake.generate(120, ABOUT, start=T0)
    fake.add_post(DEBUGGER, T0)
    fake.add_post("The Man from Toronto is a fun Netflix watch", T0)
    env = {"BLUESKY_HANDLE": fake.handle, "BLUESKY_APP_PASSWORD": fake.password}
    result = run_cli("poll", "--source", "bluesky", env=env)
    assert result.exit_code == 0, result.output
    assert "bluesky: 122 new" in result.output and "0 failed" in result.output
    assert fake.password not in result.output
    again = run_cli("poll", "--source", "bluesky", "--title", "Backtrace", env=env)
    assert "bluesky: 0 new" in again.output
    assert fake.sessions_created == 1
    with Store("monitor.db") as db:
        runs = list(db.query("select title, status from poll_runs order by id"))
        assert [r["status"] for r in runs] == ["ok"] * 3
        counts = {r["title"]: r["bluesky"] for r in title_counts(db)}
        assert counts == {"Backtrace": 120, "The Man from Toronto": 1}


def test_poll_command_with_a_wrong_password_fails_without_showing_it(
    server: ReplayServer, fake: FakeBluesky, config_file: Path, run_cli: Any
) -> None:
    _point_config_at(config_file, server)
    env = {"BLUESKY_HANDLE": fake.handle, "BLUESKY_APP_PASSWORD": "not-the-password"}
    result = run_cli("poll", "--source", "bluesky", env=env)
    assert result.exit_code == 1
    assert "refused the login" in result.output
    assert "not-the-password" not in result.output
    assert "Traceback" not in result.output


def test_unreachable_server_fails_every_title_and_records_it(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    server.fail("status", status=502, times=10, path="/xrpc/com.atproto.server.createSession")
    toronto = Title("The Man from Toronto")
    results = ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE, toronto])
    assert [r.ok for r in results] == [False, False]
    assert "502" in (results[0].error or "")
    runs = list(store.query("select title, status from poll_runs order by id"))
    assert runs == [
        {"title": "Backtrace", "status": "failed"},
        {"title": "The Man from Toronto", "status": "failed"},
    ]


def test_saved_session_of_another_account_or_damaged_is_not_used(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    saved = session_file.path_for(store.path)
    owner = json.loads(saved.read_text())["owner"]
    saved.write_text(json.dumps({"owner": owner, "session": "garbage:::not-a-session"}))
    ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    assert fake.sessions_created == 2
    session = json.loads(saved.read_text())["session"]
    saved.write_text(json.dumps({"owner": "someone.else https://bsky.social", "session": session}))
    ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    assert fake.sessions_created == 3
    ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    assert fake.sessions_created == 3  # the new session is reused again


def test_endless_rate_limits_give_up_after_a_few_waits(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    rate_limit_fault(server, reset_in=2, times=50, path="/xrpc/app.bsky.feed.searchPosts")
    [result] = ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    assert not result.ok and "rate limit" in (result.error or "")
    assert len(sleeps) == 3


def test_answer_without_posts_fails_the_title_clearly(
    server: ReplayServer, fake: FakeBluesky, store: Store, sleeps: Sleeps
) -> None:
    fake.generate(3, ABOUT, start=T0)
    server.fail("status", status=200, body=b'{"hits": []}', path="/xrpc/app.bsky.feed.searchPosts")
    [result] = ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    assert result.error == "Bluesky answered app.bsky.feed.searchPosts without a list of posts"
    [result] = ingest.poll(store, make_source(server, fake, sleeps), [BACKTRACE])
    assert result.ok and result.new == 3

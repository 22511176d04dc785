"""The Bluesky session lives in a 0600 file beside the database, never in the database."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor import ingest, session_file
from monitor.config import Credentials, Title, parse_config
from monitor.replay import ReplayServer
from monitor.replay.bluesky import FakeBluesky
from monitor.sources import bluesky
from monitor.sources.bluesky import BlueskySource, Settings
from monitor.store import Store

BACKTRACE = Title("Backtrace")
ABOUT = "Backtrace on Netflix is so bad it's good, Stallone sleepwalks through it"
T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


class RecordingBluesky(FakeBluesky):
    """The fake Bluesky, noting every token it hands out."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.issued: list[str] = []

    def _session(self) -> dict[str, Any]:
        answer = super()._session()
        self.issued += [answer["accessJwt"], answer["refreshJwt"]]
        return answer


@pytest.fixture
def fake() -> RecordingBluesky:
    return RecordingBluesky(password="app-pass-word-9876")


@pytest.fixture
def server(fake: FakeBluesky) -> Iterator[ReplayServer]:
    with ReplayServer(fake) as srv:
        yield srv


def source(server: ReplayServer, fake: FakeBluesky) -> BlueskySource:
    config = parse_config({"bluesky": {"service": server.url}})
    creds = Credentials(bluesky_handle=fake.handle, bluesky_app_password=fake.password)
    return bluesky.build(config, creds, settings=Settings(timeout=2.0, backoff=0.01))


def secrets_of(fake: RecordingBluesky) -> list[bytes]:
    """Every token the fake issued, each token's signature alone, and the password."""
    found = [fake.password.encode()]
    for token in fake.issued:
        found += [token.encode(), token.rsplit(".", 1)[1].encode()]
    return found


def leaked(db: Path, secrets: list[bytes]) -> list[bytes]:
    """The secrets found anywhere in the database file or its write-ahead log."""
    raw = b"".join(p.read_bytes() for p in (db, Path(f"{db}-wal")) if p.exists())
    return [s for s in secrets if s in raw]


def test_a_poll_keeps_no_token_or_password_in_the_database_or_its_wal(
    server: ReplayServer, fake: RecordingBluesky, tmp_path: Path
) -> None:
    fake.access_ttl = 60  # the SDK refreshes it at once: more tokens issued, and saved
    fake.generate(120, ABOUT, start=T0, step=timedelta(minutes=1))
    db = tmp_path / "monitor.db"
    with Store(db) as store:
        store.sync_titles([BACKTRACE])
        [first] = ingest.poll(store, source(server, fake), [BACKTRACE])
        fake.generate(5, ABOUT, start=T0 + timedelta(days=1))
        [second] = ingest.poll(store, source(server, fake), [BACKTRACE])
        assert (first.new, second.new) == (120, 5)
        assert fake.sessions_created == 1 and fake.sessions_refreshed >= 1
        assert len(fake.issued) >= 4
        assert Path(f"{db}-wal").stat().st_size > 0  # scanned while the log is full
        assert leaked(db, secrets_of(fake)) == []
    assert leaked(db, secrets_of(fake)) == []
    saved = session_file.path_for(db)
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert fake.issued[-1] in saved.read_text()  # the newest session is the one kept


def test_losing_the_session_file_costs_one_login(
    server: ReplayServer, fake: RecordingBluesky, tmp_path: Path
) -> None:
    with Store(tmp_path / "monitor.db") as store:
        store.sync_titles([BACKTRACE])
        ingest.poll(store, source(server, fake), [BACKTRACE])
        ingest.poll(store, source(server, fake), [BACKTRACE])
        assert fake.sessions_created == 1
        session_file.path_for(store.path).unlink()
        fake.generate(3, ABOUT, start=T0)
        [result] = ingest.poll(store, source(server, fake), [BACKTRACE])
        assert result.ok and result.new == 3
        assert fake.sessions_created == 2


def _old_monitor_saves(db: Path, sessions: list[str], owner: str) -> None:
    """What an older monitor did: the session in `state`, saved again at each refresh,
    without secure_delete (the default of many SQLite builds)."""
    conn = sqlite3.connect(db)
    conn.execute("pragma secure_delete = off")
    for n, session in enumerate(sessions):
        with conn:
            for key, value in (
                ("bluesky.session", session),
                ("bluesky.session.owner", owner),
                (f"netflix.etag.{n}", f'"{n:040d}"'),  # other state written between polls
            ):
                conn.execute(
                    "insert into state (key, value, updated_at) values (?, ?, 'x') "
                    "on conflict (key) do update set value = excluded.value",
                    (key, value),
                )
    conn.close()


def test_an_older_databases_session_moves_to_the_file_and_leaves_no_trace(
    server: ReplayServer, fake: RecordingBluesky, tmp_path: Path
) -> None:
    db = tmp_path / "monitor.db"
    with Store(db) as store:
        store.sync_titles([BACKTRACE])
        store.set_state("jetstream.cursor", "1732104000000000")
    # sessions from the fake, as the SDK exports them, one per refresh; each much shorter than
    # the one before, so that SQLite leaves the old ones in the page's free space
    owner = f"{fake.handle} {server.url}"
    sessions = []
    for n in range(4):
        s = fake._session()
        sessions.append(
            f"{fake.handle}:::{fake.did}:::{s['accessJwt']}:::{s['refreshJwt']}:::{server.url}"
            + "x" * 400 * (3 - n)
        )
    _old_monitor_saves(db, sessions, owner)
    secrets = secrets_of(fake)
    assert leaked(db, secrets), "the old layout left tokens in the file (the test can fail)"

    with Store(db) as store:
        assert store.get_state("bluesky.session") is None
        assert store.get_state("bluesky.session.owner") is None
        assert store.get_state("jetstream.cursor") == "1732104000000000"  # the rest stays
        assert leaked(db, secrets) == []
    assert leaked(db, secrets) == []
    assert session_file.load(db, owner) == sessions[-1]
    assert stat.S_IMODE(session_file.path_for(db).stat().st_mode) == 0o600


def test_the_moved_session_is_reused_without_a_login(
    server: ReplayServer, fake: RecordingBluesky, tmp_path: Path
) -> None:
    db = tmp_path / "monitor.db"
    with Store(db) as store:
        store.sync_titles([BACKTRACE])
        ingest.poll(store, source(server, fake), [BACKTRACE])
    saved = session_file.path_for(db)
    data = json.loads(saved.read_text())
    saved.unlink()
    _old_monitor_saves(db, [data["session"]], data["owner"])
    with Store(db) as store:
        ingest.poll(store, source(server, fake), [BACKTRACE])
    assert fake.sessions_created == 1


def test_the_file_is_never_readable_by_others_even_under_a_loose_umask(tmp_path: Path) -> None:
    db = tmp_path / "monitor.db"
    old = os.umask(0)
    try:
        assert session_file.save(db, "me https://pds", "first")
        assert session_file.save(db, "me https://pds", "second")
    finally:
        os.umask(old)
    assert stat.S_IMODE(session_file.path_for(db).stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["monitor.db.bluesky-session"]
    assert session_file.load(db, "me https://pds") == "second"


def test_another_owners_or_a_damaged_file_is_not_used(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "monitor.db"
    session_file.save(db, "me https://pds", "mine")
    assert session_file.load(db, "someone.else https://pds") is None
    session_file.path_for(db).write_text("{not json")
    assert session_file.load(db, "me https://pds") is None
    session_file.save(db, "me https://pds", "mine")
    session_file.path_for(db).chmod(0o644)
    assert session_file.load(db, "me https://pds") == "mine"
    assert "can be read by other users" in caplog.text


def test_a_folder_it_cannot_write_costs_the_saved_session_only(tmp_path: Path) -> None:
    missing = tmp_path / "gone" / "monitor.db"
    assert session_file.save(missing, "me https://pds", "mine") is False
    assert session_file.load(missing, "me https://pds") is None


def test_a_rebuild_cut_short_is_done_at_the_next_open(tmp_path: Path) -> None:
    db = tmp_path / "monitor.db"
    Store(db).close()
    conn = sqlite3.connect(db)
    with conn:  # what a move whose VACUUM failed (a full disk) leaves
        conn.execute(
            "insert into state (key, value, updated_at) values (?, 'x', '')",
            [session_file.REBUILD_KEY],
        )
    conn.close()
    with Store(db) as store:
        assert store.get_state(session_file.REBUILD_KEY) is None
    assert not session_file.path_for(db).exists()  # nothing to save: only the rebuild

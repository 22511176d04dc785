"""The fake platforms at once, with a config pointing at them: for the reliability tests,
the soak benchmark and trying ``monitor run`` by hand.

:class:`World` starts a fake Reddit, a fake Bluesky and Netflix's Top 10 files on 127.0.0.1
(four weeks, never changing), writes a config file
that points ``monitor`` at them, and grows their content deterministically, so that a run
can be compared with a fault-free reference run over the same content (:func:`snapshot`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.replay.bluesky import FakeBluesky
from monitor.replay.netflix import Top10Files, country_lines, global_lines
from monitor.replay.reddit import FakeReddit
from monitor.store import Store

from .server import ReplayServer, Request, Response

REDDIT_ID = "world-client-id"
REDDIT_SECRET = "world-client-secret-4711"

CONFIG = """\
[[titles]]
name = "Backtrace"
aliases = ["Backtrace 2018"]
context = ["Stallone", "Netflix"]
exclude = ["gdb", "segfault", "stack trace"]
released = 2018-12-14

[[titles]]
name = "The Man from Toronto"
released = 2022-06-24

[reddit]
oauth_url = "{reddit}"
reddit_url = "{reddit}"
comments = 5

[bluesky]
service = "{bluesky}"

[netflix]
source = "{netflix}"
countries = ["global", "US"]
"""

MOODS = (
    "loved it, a tense little thriller",
    "Stallone phoned it in, dreary",
    "so bad it's good, great fun",
    "the heist plot made no sense at all",
)


def _slow(handler: Callable[[Request], Response], latency: float) -> Callable[[Request], Response]:
    if latency <= 0:
        return handler

    def slow(request: Request) -> Response:
        time.sleep(latency)
        return handler(request)

    return slow


#: The paths whose answers carry posts, per platform, and the re-check's.
POSTS_PATHS = ("/r/", "/comments/", "/api/info", "/xrpc/app.bsky.feed.")
RECHECK_PATHS = ("/api/info", "/xrpc/app.bsky.feed.getPosts")
SPOILED_UTC = "0000-00-00"
SPOILED_TIME = "0001-01-01T00:00:00+05:00"


class World:
    """A fake Reddit, a fake Bluesky, the Top 10 files, their servers, and a config file.

    With ``hostile``: every 23rd post grown has a time no platform should send (in every
    answer, so a reference run skips it too), and ``empty_rechecks`` answers to the re-check
    say nothing at all (``{"posts": []}``, an empty listing)."""

    def __init__(self, folder: Path, *, latency: float = 0.0, hostile: bool = False) -> None:
        self.folder = folder
        self.reddit = FakeReddit(client_id=REDDIT_ID, client_secret=REDDIT_SECRET)
        self.bluesky = FakeBluesky()
        self.hostile = hostile
        self.spoiled: set[str] = set()
        self.empty_rechecks = 0
        self.reddit_server = ReplayServer(_slow(self._hostile(self.reddit.handle), latency))
        self.bluesky_server = ReplayServer(_slow(self._hostile(self.bluesky), latency))
        self.netflix = Top10Files(
            {
                "all-weeks-global.tsv": "".join(f"{x}\n" for x in global_lines(4)).encode(),
                "all-weeks-countries.tsv": "".join(f"{x}\n" for x in country_lines(4)).encode(),
            }
        )
        self.netflix_server = ReplayServer(self.netflix)
        self.config_path = folder / "monitor.toml"
        self.grown = 0
        self._start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)

    def __enter__(self) -> World:
        for server in self.servers.values():
            server.start()
        self.config_path.write_text(
            CONFIG.format(
                reddit=self.reddit_server.url,
                bluesky=self.bluesky_server.url,
                netflix=self.netflix_server.url,
            ),
            encoding="utf-8",
        )
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self.servers.values():
            server.stop()

    def _hostile(self, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def answer(request: Request) -> Response:
            if request.path.startswith(RECHECK_PATHS) and self.empty_rechecks > 0:
                self.empty_rechecks -= 1
                if "bsky" in request.path:
                    return Response.json({"posts": []})
                return Response.json({"kind": "Listing", "data": {"children": [], "after": None}})
            response = handler(request)
            if not self.spoiled or not request.path.startswith(POSTS_PATHS):
                return response
            body = response.body.decode("utf-8", "replace")
            if not any(name in body for name in self.spoiled):
                return response
            return Response.json(self._spoil(json.loads(body)), response.status, response.headers)

        return answer

    def _spoil(self, data: Any) -> Any:
        """The answer with the spoiled posts' times made unreadable, wherever they stand."""
        if isinstance(data, list):
            return [self._spoil(item) for item in data]
        if not isinstance(data, dict):
            return data
        if data.get("name") in self.spoiled:
            return {**data, "created_utc": SPOILED_UTC}
        if data.get("uri") in self.spoiled and "record" in data:
            record = {**data["record"], "createdAt": SPOILED_TIME}
            return {**data, "record": record, "indexedAt": SPOILED_TIME}
        return {key: self._spoil(value) for key, value in data.items()}

    @property
    def servers(self) -> dict[str, ReplayServer]:
        return {
            "reddit": self.reddit_server,
            "bluesky": self.bluesky_server,
            "netflix": self.netflix_server,
        }

    def env(self) -> dict[str, str]:
        """The credentials both fakes accept, as environment variables."""
        return {
            "REDDIT_CLIENT_ID": REDDIT_ID,
            "REDDIT_CLIENT_SECRET": REDDIT_SECRET,
            "BLUESKY_HANDLE": self.bluesky.handle,
            "BLUESKY_APP_PASSWORD": self.bluesky.password,
        }

    def moment(self) -> datetime:
        """The world's present, as a slot of its own: just after every post grown so far."""
        self.grown += 1
        return self._start + timedelta(seconds=30 * (self.grown - 1))

    def grow(self, n: int) -> None:
        """Add ``n`` posts to each platform: mostly about the titles, some about debuggers,
        a comment under every fourth Reddit thread. The same calls give the same content."""
        for _ in range(n):
            i = self.grown
            self.grown += 1
            mood = MOODS[i % len(MOODS)]
            title = "The Man from Toronto" if i % 5 == 4 else "Backtrace"
            text = f"Just watched {title} on Netflix: {mood} (#{i})"
            if i % 7 == 6:
                text = f"gdb prints a backtrace after the segfault, stack trace #{i}"
            when = self._start + timedelta(seconds=30 * i)
            thing = self.reddit.submission(
                text, "", author=f"viewer{i % 97}", created_utc=when.timestamp(), score=i % 13
            )
            if i % 4 == 0 and "gdb" not in text:
                self.reddit.comment(
                    thing, f"agreed, {MOODS[(i + 1) % 4]}", created_utc=when.timestamp() + 5
                )
            view = self.bluesky.add_post(text, when, author=f"fan{i % 89}.bsky.social")
            if self.hostile and i % 23 == 22:
                self.spoiled |= {thing["name"], view["uri"]}


def snapshot(path: Path) -> dict[str, Any]:
    """What a database holds that a run must get right: posts, mentions, labels."""
    with Store(path, create=False) as store:
        posts = {
            r["id"]: (r["text"], r["author"], r["created_at"], r["deleted"])
            for r in store.query("select id, text, author, created_at, deleted from posts")
        }
        return {
            "posts": posts,
            "mentions": sorted(
                (r["post_id"], r["title"])
                for r in store.query("select post_id, title from mentions")
            ),
            "sentiments": sorted(
                (r["post_id"], r["model"], r["label"])
                for r in store.query("select post_id, model, label from sentiments")
            ),
        }

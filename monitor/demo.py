"""`monitor demo`: the whole pipeline on the bundled *Backtrace* scenario, offline.

Local replay servers answer like Reddit, Bluesky and Netflix's Top 10 files, loaded with
:mod:`monitor.replay.scenario`; the real pollers (praw, atproto), the relevance and
sentiment labelling and the chart update run against them into ``DIR/monitor.db``; then
the report is written. No account and no network: the credentials are dummies that exist
only inside this process, in a :class:`~monitor.config.Credentials` object (never in the
environment).
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import html, session_file
from .charts import netflix
from .config import (
    BlueskyConfig,
    Config,
    Credentials,
    NetflixConfig,
    RedditConfig,
    example_config,
    parse_config,
)
from .errors import MonitorError
from .ingest import PollResult, poll
from .replay import ReplayServer, scenario
from .replay.bluesky import FakeBluesky
from .replay.netflix import Top10Files
from .replay.reddit import FakeReddit
from .report import Report, build_report
from .sources import SOURCES, build
from .store import Store

log = logging.getLogger("monitor.demo")

DEMO_STATE = "demo.scenario"
REDDIT_ID, REDDIT_SECRET = "demo-client-id", "demo-client-secret"
BLUESKY_HANDLE, BLUESKY_PASSWORD = "demo.bsky.social", "demo-app-password"


@dataclass
class DemoResult:
    """What the demo did and where it put things."""

    database: Path
    config: Path
    html: Path
    png: Path
    report: Report
    polls: list[PollResult] = field(default_factory=list)
    chart_rows: int = 0
    scenario_posts: int = 0
    debugger_posts: int = 0


def load(reddit: FakeReddit, bluesky: FakeBluesky) -> tuple[int, int]:
    """Put the scenario's posts on the fake platforms; return (film posts, debugger posts)."""
    film = debugger = 0
    for post in scenario.posts():
        if post.platform == "reddit":
            thing = reddit.submission(
                post.title,
                post.text,
                subreddit=post.subreddit,
                author=post.author,
                created_utc=post.created.timestamp(),
                score=post.likes,
            )
            for n, body in enumerate(post.comments):
                reddit.comment(
                    thing,
                    body,
                    author=f"{post.author}_reply{n}",
                    created_utc=post.created.timestamp() + 600 * (n + 1),
                )
        else:
            bluesky.add_post(post.text, post.created, author=post.author, likes=post.likes)
        film += post.about_film
        debugger += not post.about_film
    return film, debugger


def starter_title_config() -> Config:
    """The starter config (Backtrace, with its aliases and exclusions)."""
    return parse_config(tomllib.loads(example_config()), "monitor.example.toml")


def _fresh(db: Path) -> None:
    """Remove a database left by an earlier demo; refuse to touch any other."""
    if not db.exists():
        return
    with Store(db) as store:
        earlier = store.get_state(DEMO_STATE)
    if earlier is None:
        raise MonitorError(
            f"{db} exists and is not a demo database; the demo leaves it alone",
            hint="choose another folder",
            param="out",
        )
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), session_file.path_for(db)):
        path.unlink(missing_ok=True)


def run(out: Path, progress: Callable[[str], None] = log.info) -> DemoResult:
    """Run the demo into ``out``; ``progress`` hears one line per step."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MonitorError(f"{out}: cannot create the folder ({exc.strerror})") from None
    db = out / "monitor.db"
    _fresh(db)
    reddit = FakeReddit(client_id=REDDIT_ID, client_secret=REDDIT_SECRET)
    bluesky = FakeBluesky(BLUESKY_HANDLE, BLUESKY_PASSWORD)
    film, debugger = load(reddit, bluesky)
    top10 = Top10Files({netflix.COUNTRIES: scenario.top10_countries()})
    creds = Credentials(REDDIT_ID, REDDIT_SECRET, BLUESKY_HANDLE, BLUESKY_PASSWORD)
    progress(
        f"Scenario: {film} posts about Backtrace and {debugger} about debugger backtraces, "
        f"on a local Reddit and Bluesky; a local Netflix Top 10 (US)"
    )
    with (
        ReplayServer(reddit.handle) as reddit_server,
        ReplayServer(bluesky) as bluesky_server,
        ReplayServer(top10) as netflix_server,
    ):
        config = replace(
            starter_title_config(),
            reddit=RedditConfig(
                oauth_url=reddit_server.url, reddit_url=reddit_server.url, comments=5
            ),
            bluesky=BlueskyConfig(service=bluesky_server.url),
            netflix=NetflixConfig(source=netflix_server.url, countries=("US",)),
        )
        title = config.titles[0]
        with Store(db) as store:
            store.sync_titles(config.titles)
            store.set_state(DEMO_STATE, "backtrace")
            polls: list[PollResult] = []
            for name in SOURCES:
                results = poll(store, build(name, config, creds), config.titles)
                polls.extend(results)
                progress(
                    f"Polled {name}: {sum(r.fetched for r in results)} fetched, "
                    f"{sum(r.new for r in results)} new"
                    + ("" if all(r.ok for r in results) else " (with errors, see above)")
                )
            charts = netflix.update(store, config)
            rows = sum(r.rows for r in charts)
            progress(f"Loaded the Netflix Top 10: {rows} chart rows for the US")
            report = build_report(store, title)
    png, page = html.write([report], out)
    config_path = out / "monitor.toml"
    config_path.write_text(
        example_config().replace('path = "monitor.db"', f'path = "{db.resolve()}"'),
        encoding="utf-8",
    )
    return DemoResult(
        database=db,
        config=config_path,
        html=page,
        png=png,
        report=report,
        polls=polls,
        chart_rows=rows,
        scenario_posts=film,
        debugger_posts=debugger,
    )

"""`monitor demo`: the whole pipeline on the bundled *Backtrace* scenario, offline.

Local replay servers answer like Reddit, Bluesky and Netflix's Top 10 files, loaded with
:mod:`monitor.replay.scenario`; the real pollers (praw, atproto), the relevance and
sentiment labelling and the chart update run against them into ``DIR/monitor.db``; then
the report is written. No account and no network: the credentials are dummies that exist
only inside this process, in a :class:`~monitor.config.Credentials` object (never in the
environment).
"""

from __future__ import annotations

import hashlib
import json
import logging
import tomllib
from collections.abc import Callable, Iterable, Sequence
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
from .files import inputs_of, refuse_inputs, write_text
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
CONFIG_FILE = "monitor.toml"
#: The files the demo wrote, with their digests: only these may be written over.
MANIFEST = ".monitor-demo.json"
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


def scenario_config(reddit: str, bluesky: str, netflix: str) -> Config:
    """The starter config pointed at the scenario's local Reddit, Bluesky and Top 10."""
    return replace(
        starter_title_config(),
        reddit=RedditConfig(oauth_url=reddit, reddit_url=reddit, comments=5),
        bluesky=BlueskyConfig(service=bluesky),
        netflix=NetflixConfig(source=netflix, countries=("US",)),
    )


def _fresh(db: Path) -> None:
    """Remove a database left by an earlier demo; refuse to touch any other."""
    if not db.exists():
        return
    with Store(db, read=True) as store:
        earlier = store.get_state(DEMO_STATE)
    if earlier is None:
        raise MonitorError(
            f"{db} exists and is not a demo database; the demo leaves it alone",
            hint="choose another folder",
            param="out",
        )
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), session_file.path_for(db)):
        path.unlink(missing_ok=True)


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _written_before(out: Path) -> dict[str, str]:
    """The files an earlier demo wrote into ``out``, with the digest each had then."""
    try:
        found = json.loads((out / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def _claim(out: Path, names: Sequence[str], inputs: Iterable[Path]) -> None:
    """Refuse, before any work, to write over a file the demo did not write: one that an
    earlier demo's manifest does not list as it is now, or one the command reads."""
    earlier = _written_before(out)
    if not earlier and (out / MANIFEST).exists():
        names = [MANIFEST, *names]  # a file of that name that is no manifest of ours
    for name in names:
        path = out / name
        refuse_inputs(path, inputs)
        if (path.exists() or path.is_symlink()) and earlier.get(name) != _digest(path):
            raise MonitorError(
                f"{path} exists and was not written by the demo; the demo leaves it alone",
                hint="pass --out with another folder",
            )


def run(
    out: Path, progress: Callable[[str], None] = log.info, inputs: Iterable[Path] = ()
) -> DemoResult:
    """Run the demo into ``out``; ``progress`` hears one line per step. No file the demo
    did not write itself is overwritten, nor any of ``inputs`` (the user's config)."""
    inputs = tuple(inputs)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MonitorError(f"{out}: cannot create the folder ({exc.strerror})") from None
    db = out / "monitor.db"
    stem = html.file_stem([starter_title_config().titles[0].slug])
    files = [CONFIG_FILE, f"{stem}.png", f"{stem}.html"]
    _claim(out, files, inputs)
    for path in inputs_of(db, None):
        refuse_inputs(path, inputs)
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
        config = scenario_config(reddit_server.url, bluesky_server.url, netflix_server.url)
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
    png, page = html.write([report], out, inputs)
    config_path = out / CONFIG_FILE
    write_text(
        config_path,
        example_config().replace('path = "monitor.db"', f'path = "{db.resolve()}"'),
        inputs,
    )
    manifest = {name: _digest(out / name) for name in files}
    write_text(out / MANIFEST, json.dumps(manifest, indent=1) + "\n", inputs)
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

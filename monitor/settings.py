"""What a validated configuration holds: frozen dataclasses, one per section, and the
defaults (:mod:`monitor.config` reads and checks the file into them)."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .errors import ConfigError

DEFAULT_CONFIG = Path("config") / "monitor.toml"
DEFAULT_DB = "monitor.db"
NETFLIX_SOURCE = "https://www.netflix.com/tudum/top10/data"
COMMENT_SORTS = ("confidence", "top", "new", "controversial", "old", "qa")


#: A slug longer than this is cut and ended with a hash (a file name holds 255 bytes).
SLUG_BYTES = 80

TMDB_URL = "https://api.themoviedb.org/3"


def slugify(name: str) -> str:
    """A name as a file name, readable in any script and the same only for the same name
    (case, accents on Latin letters and punctuation aside).

    ``"The Man from Toronto"`` -> ``"the-man-from-toronto"``, ``"Amélie"`` -> ``"amelie"``,
    ``"千と千尋の神隠し"`` -> itself, ``"🎬"`` (no letter or digit) -> ``"title-"`` and a hash.
    """
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", name):
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue  # the accent of a Latin letter: é -> e
        kept.append(char)
    text = unicodedata.normalize("NFKC", "".join(kept)).casefold()
    # letters, digits and the marks that belong to them (Devanagari vowel signs) stay
    word = ""
    for c in text:
        mark = unicodedata.category(c)[0] == "M" and word[-1:].strip() != ""
        word += c if c.isalnum() or mark else " "
    slug = "-".join(word.split())
    digest = hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    if not slug:
        return f"title-{digest}"
    if len(slug.encode()) > SLUG_BYTES:
        cut = slug.encode()[: SLUG_BYTES - 9].decode("utf-8", "ignore").rstrip("-")
        return f"{cut}-{digest}"
    return slug


@dataclass(frozen=True)
class Title:
    """One tracked film or show."""

    name: str
    aliases: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    subreddits: tuple[str, ...] = ()
    released: date | None = None
    chart_title: str = ""
    kind: str = ""  # "film" or "tv" when known (a chart says): the rule weighs its words
    season: str = ""  # the season charting, as the chart names it ("Wednesday: Season 2")

    @property
    def slug(self) -> str:
        return slugify(self.name)

    @property
    def names(self) -> tuple[str, ...]:
        """The name followed by its aliases: every phrase a post may use."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class StoreConfig:
    path: str | None = None
    recheck_days: int = 7


@dataclass(frozen=True)
class RedditConfig:
    user_agent: str = "monitor/0.1 (film chart reactions; read-only)"
    oauth_url: str | None = None
    reddit_url: str | None = None
    comments: int = 20
    comment_sort: str = "top"
    replace_more: int = 2
    refresh_threads: int = 20


@dataclass(frozen=True)
class BlueskyConfig:
    service: str = "https://bsky.social"


@dataclass(frozen=True)
class NetflixConfig:
    source: str = NETFLIX_SOURCE
    countries: tuple[str, ...] = ("global", "US")


@dataclass(frozen=True)
class AlertsConfig:
    """Where alerts go besides the ``MONITOR_NOTIFY`` URLs (see :mod:`monitor.notify`)."""

    command: tuple[str, ...] = ()  # run with each alert as JSON on stdin
    digest_over: int = 5  # more new alerts than this in one run: one digest instead
    timeout: int = 30  # seconds the command may take


@dataclass(frozen=True)
class Follow:
    """One ``[[follow]]`` entry: the chart titles to track on their own."""

    chart: str = "netflix"
    regions: tuple[str, ...] = ("global",)
    categories: tuple[str, ...] = ()  # empty: every category the chart has
    top: int = 10
    backfill_days: int = 28
    keep_days: int = 28
    max_titles: int = 200  # a global follow keeps ~100 active (benchmarks/follow.py)


@dataclass(frozen=True)
class TmdbConfig:
    """Where chart titles are looked up when ``TMDB_API_KEY`` is set."""

    url: str = TMDB_URL


@dataclass(frozen=True)
class BackfillConfig:
    #: requests one run may spend fetching chart titles' earlier talk, across all titles
    requests: int = 200


@dataclass(frozen=True)
class Config:
    """The whole validated configuration."""

    path: Path | None = None
    store: StoreConfig = field(default_factory=StoreConfig)
    titles: tuple[Title, ...] = ()
    reddit: RedditConfig = field(default_factory=RedditConfig)
    bluesky: BlueskyConfig = field(default_factory=BlueskyConfig)
    netflix: NetflixConfig = field(default_factory=NetflixConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    follows: tuple[Follow, ...] = ()
    backfill: BackfillConfig = field(default_factory=BackfillConfig)
    tmdb: TmdbConfig = field(default_factory=TmdbConfig)
    #: chart titles no longer polled (see :mod:`monitor.follow`): found by name, not polled
    retired: tuple[Title, ...] = ()
    #: the names among ``titles`` that a followed chart brought in, not the config file
    charted: frozenset[str] = frozenset()

    @property
    def own_titles(self) -> tuple[Title, ...]:
        """The titles written in the config file."""
        return tuple(t for t in self.titles if t.name not in self.charted)

    def title(self, name: str) -> Title:
        """The tracked title called ``name`` (case-insensitive), or a ConfigError."""
        for title in (*self.titles, *self.retired):
            if name.casefold() in (title.name.casefold(), title.slug):
                return title
        known = ", ".join(t.name for t in self.titles) or "none"
        raise ConfigError(
            f"{name!r} is not a tracked title (tracked: {known})",
            hint="add it as a [[titles]] entry in the config file, or follow a chart "
            "that lists it ([[follow]])",
        )

    def select(self, name: str | None) -> tuple[Title, ...]:
        """All titles, or just the one named."""
        return self.titles if name is None else (self.title(name),)

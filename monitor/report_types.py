"""What a report holds: the dataclasses :func:`monitor.report.build_report` returns and
:mod:`monitor.plot`, :mod:`monitor.html` and the exports read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from . import themes, voices
from .config import Title
from .leadlag import LeadLag


@dataclass(frozen=True)
class DayRow:
    """One day on one platform: the series the figure draws and ``export daily`` writes."""

    day: date
    platform: str
    posts: int
    scored: int
    mean_sentiment: float | None
    positive: int
    negative: int
    rank: int | None
    texts: int = 0  # distinct texts: each group of copies once
    authors: int = 0  # unique authors

    @property
    def unscored(self) -> int:
        """Posts without a score: in a language the model does not read, or no text."""
        return self.posts - self.scored


@dataclass(frozen=True)
class DayTotal:
    """One day over every platform, with the rolling mean and its 95 % band."""

    day: date
    posts: int
    scored: int
    mean_sentiment: float | None
    rolling: float | None
    low: float | None
    high: float | None
    rank: int | None
    texts: int = 0
    authors: int = 0

    @property
    def unscored(self) -> int:
        """Posts without a score: in a language the model does not read, or no text."""
        return self.posts - self.scored


@dataclass(frozen=True)
class RankStep:
    """One chart period: the rank held from ``start`` to ``end`` (inclusive)."""

    start: date
    end: date
    rank: int


@dataclass(frozen=True)
class ChartRun:
    """The title's run on one chart in one region."""

    chart: str
    region: str
    daily: bool
    steps: tuple[RankStep, ...]

    @property
    def entry(self) -> RankStep:
        return self.steps[0]

    @property
    def peak(self) -> RankStep:
        """The first period at the best rank."""
        return min(self.steps, key=lambda s: (s.rank, s.start))

    @property
    def exit(self) -> RankStep:
        """The last period on the chart."""
        return self.steps[-1]

    @property
    def best_until(self) -> date:
        """The end of the last period at the best rank."""
        return max(s.end for s in self.steps if s.rank == self.peak.rank)

    def rank_on(self, day: date) -> int | None:
        for step in self.steps:
            if step.start <= day <= step.end:
                return step.rank
        return None


@dataclass(frozen=True)
class PostRef(themes.Doc):
    """A post worth quoting, with its sentiment score (the text is a stranger's)."""

    score: float


@dataclass(frozen=True)
class Phase:
    """One stretch of the chart run, with what people said during it."""

    name: str
    start: date
    end: date
    days: int
    posts: int
    mean_sentiment: float | None
    share_positive: float | None
    share_negative: float | None
    most_positive: tuple[PostRef, ...] = ()
    most_negative: tuple[PostRef, ...] = ()
    texts: int = 0  # distinct texts, a group of copies once a day
    themes: tuple[themes.Theme, ...] = ()

    @property
    def posts_per_day(self) -> float | None:
        return self.posts / self.days if self.days else None


@dataclass(frozen=True)
class Gap:
    """A stretch the collection could not see fully (see :func:`monitor.store.open_gaps`):
    a failed poll no later run made up for, a result cap, an interrupted run."""

    source: str
    start: datetime
    end: datetime
    reason: str


@dataclass(frozen=True)
class Report:
    title: Title
    start: date
    end: date
    platform: str | None
    rows: tuple[DayRow, ...]
    days: tuple[DayTotal, ...]
    chart: ChartRun | None
    phases: tuple[Phase, ...]
    lead_lag: LeadLag
    gaps: tuple[Gap, ...]
    platforms: tuple[str, ...] = ()
    model: str = ""  # the sentiment model whose labels the report reads
    floods: tuple[voices.Flood, ...] = ()  # authors posting copies many times, fast
    #: with --since/--until: the window's themes against the title's other posts
    window_themes: tuple[themes.Theme, ...] = ()

    @property
    def posts(self) -> int:
        return sum(d.posts for d in self.days)

    @property
    def texts(self) -> int:
        """Distinct texts: each group of copies once a day."""
        return sum(d.texts for d in self.days)

    @property
    def unscored(self) -> int:
        """Posts of the window without a score (see :attr:`DayTotal.unscored`)."""
        return sum(d.unscored for d in self.days)


@dataclass(frozen=True)
class ShareOfVoice:
    """Several titles on one span of days: posts per day and each title's share of them."""

    days: tuple[date, ...]
    posts: tuple[tuple[int, ...], ...]  # per title, per day
    shares: tuple[tuple[float, ...], ...]  # per title, per day; 0 on a day without posts

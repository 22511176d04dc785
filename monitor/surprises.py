"""Surprises on the followed charts: the *Backtrace* kind of story.

An entry of a followed chart (``[[follow]]``) in its last ``weeks`` weeks is a surprise when
the title is on the chart a year or more after its release (the release from the config or
TMDB; unknown is shown as unknown), climbed three or more places in a week, or entered a
country's chart while absent from the global list that week.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .charts.match import title_key
from .config import Config
from .schema import CHART_ENTRIES, TITLES
from .store import Store

LATE = timedelta(days=365)
CLIMB = 3


@dataclass(frozen=True)
class Surprise:
    title: str
    chart: str
    region: str
    category: str
    week: str  # the period's first day
    rank: int
    released: str | None
    why: str

    def sentence(self) -> str:
        where = f"{self.chart} {self.region} {self.category}"
        return f"A surprise: {self.why} (#{self.rank} on {where}, week of {self.week})."


def _entries(store: Store, config: Config, weeks: int) -> list[dict[str, Any]]:
    """The followed charts' entries of the last ``weeks`` weeks, plus the week before
    (for climbs), with the tracked title's release when known."""
    out: list[dict[str, Any]] = []
    for chart in dict.fromkeys(f.chart for f in config.follows):
        scopes = [f for f in config.follows if f.chart == chart]
        regions = sorted({r for f in scopes for r in f.regions} | {"global"})
        latest = next(
            store.query(
                f"select max(period_start) as s from {CHART_ENTRIES} where chart = ?", [chart]
            )
        )["s"]
        if latest is None:
            continue
        start = (date.fromisoformat(latest) - timedelta(weeks=weeks)).isoformat()
        rows = store.query(
            f"""select c.chart, c.region, c.category, c.period_start, c.rank, c.chart_title,
                  c.title, t.released, t.facts
                from {CHART_ENTRIES} c left join {TITLES} t on t.name = c.title
                where c.chart = ? and c.period_start >= ?
                  and c.region in (select value from json_each(?))""",
            [chart, start, json.dumps(regions)],
        )
        top = max(f.top for f in scopes)
        out += [dict(r, first=start, top=top) for r in rows]
    return out


def find(store: Store, config: Config, weeks: int = 4) -> list[Surprise]:
    """The surprising entries of the followed charts' last ``weeks`` weeks, newest first."""
    rows = _entries(store, config, weeks)
    for r in rows:
        r["key"] = title_key(r["chart_title"])
    by_place = {
        (r["chart"], r["region"], r["category"], r["period_start"], r["key"]): r for r in rows
    }
    on_global = {(r["chart"], r["period_start"], r["key"]) for r in rows if r["region"] == "global"}
    weeks_with_global = {(r["chart"], r["period_start"]) for r in rows if r["region"] == "global"}
    followed = {(f.chart, r) for f in config.follows for r in f.regions}
    known = {
        t.name: t.released.isoformat() for t in (*config.titles, *config.retired) if t.released
    }
    out: list[Surprise] = []
    for r in rows:
        first_week = date.fromisoformat(r["first"]) + timedelta(weeks=1)
        week = date.fromisoformat(r["period_start"])
        if week < first_week or (r["chart"], r["region"]) not in followed or r["rank"] > r["top"]:
            continue
        key = r["key"]
        released = known.get(r["title"] or "") or r["released"]
        reasons = []
        if released and week - date.fromisoformat(released) >= LATE:
            years = (week - date.fromisoformat(released)).days / 365.25
            reasons.append(f"on the chart {years:.1f} years after its release ({released})")
        before = (week - timedelta(weeks=1)).isoformat()
        prev = by_place.get((r["chart"], r["region"], r["category"], before, key))
        if prev is not None and prev["rank"] - r["rank"] >= CLIMB:
            up = prev["rank"] - r["rank"]
            reasons.append(f"up {up} places in a week (#{prev['rank']} to #{r['rank']})")
        if (
            r["region"] != "global"
            and prev is None
            and (r["chart"], r["period_start"]) in weeks_with_global
            and (r["chart"], r["period_start"], key) not in on_global
        ):
            reasons.append(f"entered in {r['region']} while absent from the global list")
        if not reasons:
            continue
        out.append(
            Surprise(
                title=r["title"] or r["chart_title"],
                chart=r["chart"],
                region=r["region"],
                category=r["category"],
                week=r["period_start"],
                rank=r["rank"],
                released=released,
                why="; ".join(reasons),
            )
        )
    return sorted(out, key=lambda s: (s.week, -s.rank), reverse=True)


def headline(store: Store, config: Config, title: str) -> str | None:
    """The first line of ``title``'s report when it is a surprise, else None."""
    if not config.follows:
        return None
    mine = [s for s in find(store, config, weeks=52) if s.title == title]
    return mine[0].sentence() if mine else None

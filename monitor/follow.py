"""Titles a followed chart brings in (``[[follow]]``): found, kept and retired in chart time.

After each chart update, :func:`update` reads the followed charts: every title that newly
appears in a followed region, category and top N becomes a tracked title of its own, stored
in ``titles`` with where it came from. "New", "left" and ``keep_days`` are counted in the
chart's own weeks (its latest week is its "now"), so a replayed or historical chart
behaves as a live one; on the first update only the latest week's entries are followed.
A title written in the config always wins over the same title from a chart.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from .charts.match import _YEAR, TitleMatcher, title_key
from .clock import utcnow
from .config import Config, Follow, Title, slugify
from .schema import CHART_ENTRIES, TITLES
from .store import Store

log = logging.getLogger("monitor.follow")

ACTIVE, BACKFILLING, RETIRED = "active", "backfilling", "retired"
CHART = "chart"


@dataclass(frozen=True)
class ChartTitle:
    """A tracked title from a chart, as stored."""

    name: str
    state: str
    chart: str
    region: str
    category: str
    season: str | None
    kind: str  # film or tv
    first_week: str
    last_week: str
    added_at: str
    backfill_since: str | None
    backfill_until: str | None
    facts: dict[str, Any] = field(default_factory=dict)

    def title(self) -> Title:
        """The title to poll and judge posts by: its name, and what TMDB told (if asked)."""
        facts = self.facts
        released = _day(facts.get("released"))
        context = list(facts.get("context") or ())
        if released is None and facts.get("year"):  # only the chart's "(2018)": a year
            context.append(str(facts["year"]))
        return Title(
            name=self.name,
            aliases=tuple(facts.get("aliases") or ()),
            context=tuple(context),
            released=released,
            chart_title=self.facts.get("chart_title") or self.name,
            kind=self.kind,
            season=self.season or "",
        )


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def display_name(chart_title: str) -> tuple[str, int | None]:
    """``"Backtrace (2018)"`` -> ``("Backtrace", 2018)``: the name a post would use."""
    match = _YEAR.search(chart_title)
    name = chart_title[: match.start()].strip() if match else chart_title.strip()
    year = int("".join(c for c in match.group() if c.isdigit())) if match else None
    return (name or chart_title.strip()), year


# --- reading ----------------------------------------------------------------------------


def chart_titles(store: Store, states: Sequence[str] | None = None) -> list[ChartTitle]:
    """The titles charts brought in, oldest first (``states``: only those)."""
    rows = store.query(f"select * from {TITLES} where origin = ? order by added_at, name", [CHART])
    out = []
    for r in rows:
        if states is not None and r["state"] not in states:
            continue
        out.append(
            ChartTitle(
                name=r["name"],
                state=r["state"],
                chart=r["chart"],
                region=r["region"],
                category=r["category"],
                season=r["season"],
                kind=r["kind"],
                first_week=r["first_week"],
                last_week=r["last_week"],
                added_at=r["added_at"],
                backfill_since=r["backfill_since"],
                backfill_until=r["backfill_until"],
                facts=json.loads(r["facts"] or "{}"),
            )
        )
    return out


def with_chart_titles(config: Config, store: Store) -> Config:
    """The config with the chart titles a run polls (active and backfilling) added to its
    titles, and the retired ones known by name (``--title`` finds them). A config title
    wins over the same chart title."""
    if not store.db[TITLES].exists() or "origin" not in store.db[TITLES].columns_dict:
        return config
    own = config.own_titles
    mine = TitleMatcher(own)
    polled: list[Title] = []
    retired: list[Title] = []
    for chart_title in chart_titles(store):
        if mine.match(chart_title.name) is not None:
            continue
        (retired if chart_title.state == RETIRED else polled).append(chart_title.title())
    if not polled and not retired:
        return config
    return replace(
        config,
        titles=(*own, *polled),
        retired=tuple(retired),
        charted=frozenset(t.name for t in (*polled, *retired)),
    )


# --- updating ---------------------------------------------------------------------------


@dataclass
class FollowResult:
    """What one update of the followed charts did."""

    added: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    returned: list[str] = field(default_factory=list)
    capped: list[str] = field(default_factory=list)

    def note(self) -> str:
        parts = [f"follow: {len(self.added)} new chart titles"]
        if self.returned:
            parts.append(f"{len(self.returned)} back on the chart")
        if self.retired:
            parts.append(f"{len(self.retired)} retired")
        if self.capped:
            parts.append(f"{len(self.capped)} not followed (max_titles)")
        return ", ".join(parts)


def _key(follow: Follow) -> str:
    return "follow.week:" + json.dumps(
        [follow.chart, list(follow.regions), list(follow.categories), follow.top]
    )


def _chart_now(store: Store, chart: str) -> tuple[str, str] | None:
    """The chart's latest week: (period_start, period_end)."""
    row = next(
        store.query(
            f"select max(period_start) as s, max(period_end) as e from {CHART_ENTRIES} "
            "where chart = ?",
            [chart],
        )
    )
    return (row["s"], row["e"] or row["s"]) if row["s"] else None


def _followed(store: Store, follow: Follow) -> list[dict[str, Any]]:
    """Every entry of the followed chart within the follow's scope, oldest first."""
    return list(
        store.query(
            f"""select chart_title, region, category, period_start, period_end, rank, season
            from {CHART_ENTRIES}
            where chart = :chart and rank <= :top
              and region in (select value from json_each(:regions))
              and (json_array_length(:categories) = 0
                   or category in (select value from json_each(:categories)))
            order by period_start, rank""",
            {
                "chart": follow.chart,
                "top": follow.top,
                "regions": json.dumps(list(follow.regions)),
                "categories": json.dumps(list(follow.categories)),
            },
        )
    )


def update(store: Store, config: Config) -> FollowResult:
    """Bring the chart titles up to date with the followed charts (see the module)."""
    result = FollowResult()
    mine = TitleMatcher(config.own_titles)
    known = {title_key(t.name): t for t in chart_titles(store)}
    for key, chart_title in list(known.items()):  # a config title now wins over it
        mine_name = mine.match(chart_title.name)
        if mine_name is None:
            continue
        with store.transaction():
            if mine_name == chart_title.name:  # the same row: now a config title
                store.db.table(TITLES).update(mine_name, {"origin": None, "state": None})
            else:
                store.db.table(TITLES).update(chart_title.name, {"state": RETIRED})
        del known[key]
    for follow in config.follows:
        now = _chart_now(store, follow.chart)
        if now is None:
            log.info("follow: chart %r holds no entries yet", follow.chart)
            continue
        seen_key = _key(follow)
        done = store.get_state(seen_key)
        # the first update follows only the latest week, not the file's whole history
        after = (
            done if done is not None else (date.fromisoformat(now[0]) - timedelta(1)).isoformat()
        )
        entries: dict[str, list[dict[str, Any]]] = {}
        for row in _followed(store, follow):
            entries.setdefault(title_key(row["chart_title"]), []).append(row)
        active = sum(
            1
            for t in known.values()
            if t.state != RETIRED and t.chart == follow.chart and t.region in follow.regions
        )
        rows: list[dict[str, Any]] = []
        for key, seen in entries.items():
            fresh = [r for r in seen if r["period_start"] > after]
            last = seen[-1]
            name, year = display_name(last["chart_title"])
            if mine.match(last["chart_title"]) is not None:
                continue  # a config title wins
            existing = known.get(key)
            if existing is not None:
                row = {
                    "name": existing.name,
                    "last_week": max(existing.last_week, last["period_start"]),
                }
                if existing.state == RETIRED and fresh:
                    row["state"] = ACTIVE
                    result.returned.append(existing.name)
                rows.append(row)
                continue
            if not fresh:
                continue
            if active >= follow.max_titles:
                result.capped.append(name)
                continue
            active += 1
            first = seen[0]["period_start"]
            origin = fresh[0]
            since = date.fromisoformat(first) - timedelta(days=follow.backfill_days)
            facts: dict[str, Any] = {"chart_title": last["chart_title"]}
            if year:
                facts["year"] = year
            title = {
                "name": name,
                "slug": slugify(name),
                "aliases": "[]",
                "chart_title": last["chart_title"],
                "origin": CHART,
                "state": BACKFILLING if follow.backfill_days else ACTIVE,
                "chart": follow.chart,
                "region": origin["region"],
                "category": origin["category"],
                "season": origin["season"],
                "kind": "tv" if "tv" in (origin["category"] or "").casefold().split() else "film",
                "first_week": first,
                "last_week": last["period_start"],
                "added_at": utcnow(),
                "backfill_since": since.isoformat() + "T00:00:00Z",
                "backfill_until": utcnow(),
                "facts": json.dumps(facts),
            }
            rows.append(title)
            known[key] = _as_chart_title(title)
            result.added.append(name)
        if result.capped:
            log.warning(
                "follow: %s %s: max_titles (%d) reached; not followed: %s",
                follow.chart,
                "/".join(follow.regions),
                follow.max_titles,
                ", ".join(result.capped),
            )
        with store.transaction():
            for row in rows:
                store.db.table(TITLES).upsert(row, pk="name")
            # its chart rows name it, as a config title's do: one pass over the unnamed rows
            spellings = {
                r["chart_title"]: known[key].name
                for key, seen in entries.items()
                if key in known and known[key].state != RETIRED
                for r in seen
            }
            store.db.execute(
                f"update {CHART_ENTRIES} set title = m.value from json_each(?) m "
                f"where {CHART_ENTRIES}.chart = ? and {CHART_ENTRIES}.title is null "
                f"and {CHART_ENTRIES}.chart_title = m.key",
                [json.dumps(spellings), follow.chart],
            )
            store.set_state(seen_key, now[0])
        result.retired += _retire(store, config, follow, now[1])
    for name in result.added:
        log.info("follow: now tracking %s (new on the chart)", name)
    return result


def _as_chart_title(row: dict[str, Any]) -> ChartTitle:
    return ChartTitle(
        **{k: row[k] for k in ChartTitle.__dataclass_fields__ if k != "facts"},
        facts=json.loads(row["facts"]),
    )


def _retire(store: Store, config: Config, follow: Follow, now_end: str) -> list[str]:
    """Retire the titles of this chart whose last followed week ended more than
    ``keep_days`` before the chart's latest week ended: no longer polled, data kept."""
    today = date.fromisoformat(now_end)
    gone = [
        t.name
        for t in chart_titles(store, (ACTIVE, BACKFILLING))
        if t.chart == follow.chart
        and t.region in follow.regions
        and (today - date.fromisoformat(t.last_week) - timedelta(days=6)).days > follow.keep_days
    ]
    if gone:
        with store.transaction():
            for name in gone:
                store.db.table(TITLES).update(name, {"state": RETIRED})
        log.info(
            "follow: retired %s (off the chart for over %d days)", ", ".join(gone), follow.keep_days
        )
    return gone


def chart_title_rows(store: Store) -> list[dict[str, Any]]:
    """The chart titles as ``monitor titles`` shows them; ``known`` says what TMDB told."""
    if "origin" not in store.db[TITLES].columns_dict:
        return []
    out = []
    for t in chart_titles(store):
        facts = t.facts
        known = [str(facts[k]) for k in ("released", "director") if facts.get(k)]
        if facts.get("year") and not facts.get("released"):
            known.insert(0, f"({facts['year']})")  # the chart's own year
        if facts.get("cast"):
            known.append(", ".join(facts["cast"][:3]))
        out.append(
            {
                "title": t.name,
                "state": t.state,
                "origin": f"{t.chart} {t.region} {t.category}",
                "first_week": t.first_week,
                "season": t.season or "",
                "known": "; ".join(known) or facts.get("tmdb", "") or "",
            }
        )
    return out


def store_facts(store: Store, name: str, facts: dict[str, Any]) -> None:
    """Add what TMDB told about a chart title to its ``facts`` (and its release date)."""
    row = next(store.query(f"select facts from {TITLES} where name = ?", [name]), None)
    if row is None:
        return
    merged = {**json.loads(row["facts"] or "{}"), **{k: v for k, v in facts.items() if v}}
    update: dict[str, Any] = {"facts": json.dumps(merged)}
    if merged.get("released"):
        update["released"] = merged["released"]
    if merged.get("aliases"):
        update["aliases"] = json.dumps(merged["aliases"])
    with store.transaction():
        store.db.table(TITLES).update(name, update)

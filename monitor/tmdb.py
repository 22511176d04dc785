"""TMDB facts for chart titles, when ``TMDB_API_KEY`` is set: release date, original and
alternative titles, top-billed cast, director or creators.

Plain HTTP on TMDB's v3 API (``requests``, already a dependency): ``search/movie`` with
``year`` or ``search/tv`` with ``first_air_date_year``, then the details with
``append_to_response=credits,alternative_titles``. A v4 read-access token (a JWT) goes in
an ``Authorization: Bearer`` header, a v3 key as ``api_key``. Nothing here stops a run:
a refused key (401) or a rate limit (429) ends this run's look-ups with a log line (the
rest waits for the next run), a title TMDB does not know (404, no match) is noted once and
not asked again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .follow import ChartTitle, chart_titles, store_facts
from .relevance_words import zipf
from .store import Store

if TYPE_CHECKING:
    import requests

log = logging.getLogger("monitor.tmdb")

TIMEOUT = 10.0
CAST = 5  # top-billed names kept as context
ALIASES = 2  # alternative titles kept (each one is searched on every poll)
ENGLISH = ("US", "GB", "CA", "AU", "IE", "NZ")


class Stop(Exception):
    """TMDB cannot answer this run (refused key, rate limit, unreachable)."""


@dataclass
class Tmdb:
    """A TMDB v3 client: ``key`` from the environment, ``url`` from ``[tmdb] url``."""

    key: str
    url: str
    timeout: float = TIMEOUT
    requests: int = 0

    def __post_init__(self) -> None:
        import requests  # only when TMDB is asked: start-up of every command stays light

        self.session: requests.Session = requests.Session()
        self.session.headers["Accept"] = "application/json"
        if self.key.startswith("eyJ"):  # a v4 read-access token
            self.session.headers["Authorization"] = f"Bearer {self.key}"

    def get(self, path: str, **params: Any) -> dict[str, Any] | None:
        """The JSON answer, None for a 404; :class:`Stop` when TMDB cannot answer."""
        if not self.key.startswith("eyJ"):
            params["api_key"] = self.key
        import requests

        self.requests += 1
        try:
            response = self.session.get(
                self.url.rstrip("/") + path, params=params, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise Stop(f"TMDB is unreachable ({type(exc).__name__})") from None
        if response.status_code == 404:
            return None
        if response.status_code == 401:
            raise Stop("TMDB refused the API key (401); check TMDB_API_KEY")
        if response.status_code == 429:
            raise Stop("TMDB's rate limit was reached (429)")
        if response.status_code >= 400:
            raise Stop(f"TMDB answered {response.status_code}")
        try:
            data = response.json()
        except ValueError:
            raise Stop("TMDB sent an answer that is not JSON") from None
        if not isinstance(data, dict):
            raise Stop("TMDB sent an answer that is not a JSON object")
        return data

    def lookup(self, name: str, kind: str, year: int | None) -> dict[str, Any] | None:
        """The facts of the best match for ``name``, or None when TMDB has no match."""
        tv = kind == "tv"
        params: dict[str, Any] = {"query": name, "include_adult": "false"}
        if year:
            params["first_air_date_year" if tv else "year"] = year
        found = self.get("/search/tv" if tv else "/search/movie", **params) or {}
        results = [r for r in found.get("results") or [] if isinstance(r, dict) and r.get("id")]
        if not results:
            return None
        best = _best(results, name, tv)
        details = self.get(
            f"/{'tv' if tv else 'movie'}/{best['id']}",
            append_to_response="credits,alternative_titles",
        )
        return facts_of(details or best, name, tv)


def _best(results: list[dict[str, Any]], name: str, tv: bool) -> dict[str, Any]:
    """An exact (case-folded) title first, else TMDB's own order."""
    field = "name" if tv else "title"
    exact = [r for r in results if str(r.get(field, "")).casefold() == name.casefold()]
    return (exact or results)[0]


def facts_of(data: dict[str, Any], name: str, tv: bool) -> dict[str, Any]:
    """What a TMDB details answer tells relevance and the report (a pure mapper)."""
    credits = data.get("credits") or {}
    cast = [
        str(c["name"])
        for c in sorted(
            (c for c in credits.get("cast") or [] if isinstance(c, dict) and c.get("name")),
            key=lambda c: c.get("order", 999),
        )[:CAST]
    ]
    if tv:
        makers = [str(c["name"]) for c in data.get("created_by") or [] if c.get("name")]
    else:
        makers = [
            str(c["name"])
            for c in credits.get("crew") or []
            if isinstance(c, dict) and c.get("job") == "Director" and c.get("name")
        ]
    original = data.get("original_name" if tv else "original_title")
    alternative = data.get("alternative_titles") or {}
    others = [
        str(a["title"])
        for a in alternative.get("results" if tv else "titles") or []
        if isinstance(a, dict) and a.get("title") and a.get("iso_3166_1") in ENGLISH
    ]
    aliases = [
        a
        for a in dict.fromkeys([*([original] if original else []), *others])
        if a and a.casefold() != name.casefold()
    ][:ALIASES]
    # a surname alone is context when it is no ordinary word ("Stallone", not "Smith")
    surnames = [n.split()[-1] for n in cast[:3] if len(n.split()) > 1]
    context = [*cast, *makers, *(s for s in surnames if len(s) >= 5 and zipf((s.lower(),)) < 3)]
    released = data.get("first_air_date" if tv else "release_date") or None
    return {
        "tmdb": data.get("id"),
        "released": released,
        "original": original,
        "aliases": aliases,
        "cast": cast,
        "director": ", ".join(makers) or None,
        "context": list(dict.fromkeys(context)),
    }


def enrich(store: Store, key: str | None, url: str, *, limit: int = 50) -> int:
    """Look up the chart titles TMDB was not asked about yet; how many got facts."""
    if not key:
        return 0
    todo: list[ChartTitle] = [t for t in chart_titles(store) if "tmdb" not in t.facts][:limit]
    if not todo:
        return 0
    client = Tmdb(key, url)
    found = 0
    for title in todo:
        try:
            facts = client.lookup(title.name, title.kind, title.facts.get("year"))
        except Stop as exc:
            log.warning("tmdb: %s; the other chart titles wait for the next run", exc)
            break
        except (AttributeError, TypeError, ValueError, KeyError) as exc:
            log.warning(
                "tmdb: unreadable answer about %s (%s); its name alone decides",
                title.name,
                type(exc).__name__,
            )
            store_facts(store, title.name, {"tmdb": "unreadable"})
            continue
        if facts is None:
            log.info("tmdb: no match for %s (%s); its name alone decides", title.name, title.kind)
            store_facts(store, title.name, {"tmdb": "no match"})
            continue
        store_facts(store, title.name, facts)
        found += 1
        log.info("tmdb: %s: released %s", title.name, facts.get("released") or "unknown")
    return found

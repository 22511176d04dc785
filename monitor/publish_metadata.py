"""Datasette's ``metadata.json`` for a published copy: what it is, where it comes from, what
every table and column means, facets, sorting and the canned queries.

The table and column descriptions are data (``monitor/data/publish_tables.json``); the
notes that depend on the copy (titles, window, authors, model) are filled in here. The
format is Datasette's (0.6x): ``title``, ``description_html``, ``source``, ``license``,
``databases.<name>.tables.<table>`` with ``description``, ``columns``, ``facets`` and
``sort_desc``, and ``databases.<name>.queries``.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from .publish_queries import canned_queries

#: Marks a metadata file this command wrote (Datasette ignores keys it does not know).
MARK = "monitor_publish"

AUTHORS = {
    "hash": "Authors are replaced by pseudonyms (author-…) made with a key kept for this copy "
    "only: one author's posts can be told apart within this copy, not matched across copies. "
    "Links to the posts are left out, since a link names its author.",
    "drop": "Authors and links to the posts are left out.",
    "keep": "Authors' handles and links to the posts are kept as they were posted.",
}

SOURCES = (
    "Posts: Reddit (through its Data API, under Reddit's Data API terms and User Agreement) "
    "and Bluesky (public posts, through the AT Protocol). Posts remain their authors'; "
    "quote them as the platforms' terms allow. A post deleted on its platform before this "
    "copy was made has no text here; one deleted later still does: publish again to drop it. "
    "Chart ranks: Netflix's Top 10 lists (top10.netflix.com), published by Netflix for anyone "
    "to read; Netflix names no open licence for them: credit Netflix and check its terms "
    "before republishing the lists themselves. Charts imported from CSV come from whoever "
    "made those files. Sentiment labels and relevance: computed by monitor."
)


@dataclass(frozen=True)
class Notes:
    """What a copy holds, for its description."""

    site_title: str
    titles: tuple[str, ...]
    since: str | None
    until: str | None
    authors: str
    model: str
    database: str


def tables() -> dict[str, Any]:
    """Every published table's description, columns, facets and sorting."""
    text = files("monitor").joinpath("data/publish_tables.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def metadata(notes: Notes) -> dict[str, Any]:
    """The whole metadata document for one copy."""
    window = (
        f"from {notes.since or 'the first post'} to {notes.until or 'the last'}"
        if notes.since or notes.until
        else "everything collected"
    )
    description = (
        f"What people said on Reddit and Bluesky about {', '.join(notes.titles) or 'no title'} "
        f"({window}), with its sentiment and the title's rank on the streaming charts. "
        f"Sentiment model: {notes.model}. {AUTHORS[notes.authors]} "
        "Made with monitor publish; the canned queries give the figures of monitor's report."
    )
    return {
        MARK: 1,
        "title": notes.site_title,
        "description_html": f"<p>{html.escape(description)}</p>",
        "source": "Reddit, Bluesky and Netflix's Top 10, collected with monitor",
        "license": "See the source notes: posts remain their authors'",
        "databases": {
            notes.database: {
                "description_html": (
                    f'<p>{html.escape(description)}</p><p id="sources">{html.escape(SOURCES)}</p>'
                ),
                "tables": tables(),
                "queries": canned_queries(),
            }
        },
    }


def is_ours(path: Path) -> bool:
    """Whether the file at ``path`` is a metadata file this command wrote."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get(MARK) == 1

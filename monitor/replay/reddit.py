"""A fake Reddit for the tests, the benchmark and the demo, served by :class:`ReplayServer`.

:class:`FakeReddit` holds submissions and comments as the plain ``data`` dicts Reddit's API
returns for ``t3`` and ``t1`` things, and answers what praw asks of an application-only
client, with the shapes Reddit really sends:

* ``POST /api/v1/access_token`` (client credentials; wrong ones get a 401),
* ``GET /search/`` and ``GET /r/{sub}/search/`` (``all``, ``a+b``): a ``Listing`` of ``t3``,
  sorted by ``new``, ``limit``/``after`` paging, cut off after ``listing_cap`` items,
* ``GET /comments/{id}/`` (and ``/comments/{id}/_/{comment}``): ``[t3 Listing, t1 Listing]``,
  cut to ``limit`` (at most ``comment_page``) comments, ``more`` placeholders for the rest,
* ``POST /api/morechildren/``: ``{"json": {"errors": [], "data": {"things": [...]}}}``,
* ``GET /api/info/?id=t3_…,t1_…``: a ``Listing`` of the things that exist,

each API answer carrying ``x-ratelimit-remaining/used/reset`` headers.
"""

from __future__ import annotations

import base64
import re
import threading
import time
import zlib
from collections.abc import Iterable
from typing import Any

from .server import Request, Response

Thing = dict[str, Any]

LISTING_CAP = 1000
_FIRST_ID = 36**5  # "100000": ids look like Reddit's six-character base36 ids
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def base36(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = _ALPHABET[rest] + digits
        if not number:
            return digits


def listing(children: list[Thing], after: str | None = None) -> Thing:
    """A ``Listing`` thing as Reddit sends it."""
    return {
        "kind": "Listing",
        "data": {
            "after": after,
            "dist": len(children),
            "modhash": None,
            "geo_filter": "",
            "children": children,
            "before": None,
        },
    }


class FakeReddit:
    """Submissions and comments, and the handler that serves them like Reddit's API."""

    def __init__(
        self,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        listing_cap: int = LISTING_CAP,
        ratelimit: int = 1_000_000,
        reset_seconds: int = 300,
        comment_page: int = 200,
    ) -> None:
        self.comment_page = comment_page
        self.client_id = client_id
        self.client_secret = client_secret
        self.listing_cap = listing_cap
        self.ratelimit = ratelimit
        self.reset_seconds = reset_seconds
        self.submissions: dict[str, Thing] = {}  # id -> t3 data
        self.comments: dict[str, Thing] = {}  # id -> t1 data
        self.api_calls = 0
        self._next_id = _FIRST_ID
        self._clock = 1_700_000_000.0
        self._lock = threading.Lock()
        self._searches: dict[tuple[str, str], list[Thing]] = {}

    # --- building the content -------------------------------------------------------

    def _new_id(self) -> str:
        self._next_id += 1
        return base36(self._next_id)

    def _tick(self, created_utc: float | None) -> float:
        if created_utc is None:
            self._clock += 60
            return self._clock
        self._clock = max(self._clock, created_utc)
        return float(created_utc)

    def submission(
        self,
        title: str,
        selftext: str = "",
        *,
        subreddit: str = "movies",
        author: str | None = "film_fan",
        created_utc: float | None = None,
        score: int = 1,
        **extra: Any,
    ) -> Thing:
        """Add a self post; returns its ``t3`` data (change it to edit the post)."""
        sid = self._new_id()
        permalink = f"/r/{subreddit}/comments/{sid}/{_slug(title)}/"
        data: Thing = {
            "id": sid,
            "name": f"t3_{sid}",
            "title": title,
            "selftext": selftext,
            "author": author if author is not None else "[deleted]",
            "author_fullname": f"t2_{base36(zlib.crc32(author.encode()))}" if author else None,
            "subreddit": subreddit,
            "subreddit_name_prefixed": f"r/{subreddit}",
            "subreddit_id": f"t5_{base36(zlib.crc32(subreddit.lower().encode()))}",
            "permalink": permalink,
            "url": f"https://www.reddit.com{permalink}",
            "domain": f"self.{subreddit}",
            "is_self": True,
            "created_utc": self._tick(created_utc),
            "score": score,
            "ups": score,
            "downs": 0,
            "upvote_ratio": 1.0,
            "num_comments": 0,
            "over_18": False,
            "spoiler": False,
            "locked": False,
            "stickied": False,
            "archived": False,
            "link_flair_text": None,
            "removed_by_category": None,
            **extra,
        }
        with self._lock:
            self.submissions[sid] = data
            self._searches.clear()
        return data

    def comment(
        self,
        parent: Thing,
        body: str,
        *,
        author: str | None = "commenter",
        created_utc: float | None = None,
        score: int = 1,
        **extra: Any,
    ) -> Thing:
        """Add a comment replying to ``parent`` (a submission's or a comment's data)."""
        cid = self._new_id()
        link_id = parent["name"] if parent["name"].startswith("t3_") else parent["link_id"]
        post = self.submissions[link_id[3:]]
        data: Thing = {
            "id": cid,
            "name": f"t1_{cid}",
            "body": body,
            "author": author if author is not None else "[deleted]",
            "link_id": link_id,
            "parent_id": parent["name"],
            "subreddit": post["subreddit"],
            "subreddit_id": post["subreddit_id"],
            "permalink": f"{post['permalink']}{cid}/",
            "created_utc": self._tick(created_utc),
            "score": score,
            "ups": score,
            "downs": 0,
            "depth": 0 if parent is post else parent["depth"] + 1,
            "is_submitter": False,
            "stickied": False,
            "controversiality": 0,
            **extra,
        }
        with self._lock:
            self.comments[cid] = data
            post["num_comments"] += 1
        return data

    def delete(self, thing: Thing) -> None:
        """The author deleted it: Reddit keeps the thing, blanks author and text."""
        thing["author"] = "[deleted]"
        thing["author_fullname"] = None
        if "body" in thing:
            thing["body"] = "[deleted]"
        else:
            thing["selftext"] = "[deleted]"
            thing["removed_by_category"] = "deleted"

    def remove(self, thing: Thing) -> None:
        """A moderator removed it."""
        if "body" in thing:
            thing["body"] = "[removed]"
        else:
            thing["selftext"] = "[removed]"
            thing["removed_by_category"] = "moderator"

    def synthesize(
        self, count: int, phrase: str, *, subreddit: str = "movies", start_utc: float | None = None
    ) -> None:
        """Add ``count`` submissions clearly about ``phrase``, one a minute, quickly."""
        moods = (
            "loved it, a tense little thriller",
            "Stallone phoned it in, dreary",
            "so bad it's good, great fun",
            "the heist plot made no sense at all",
        )
        start = self._clock + 60 if start_utc is None else start_utc
        for i in range(count):
            self.submission(
                f"Just watched {phrase} on Netflix: {moods[i % len(moods)]} (#{i})",
                "",
                subreddit=subreddit,
                author=f"viewer{i % 997}",
                created_utc=start + 60 * i,
                score=i % 50,
            )

    # --- serving --------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        path = request.path.removesuffix(".json")
        if path == "/api/v1/access_token" and request.method == "POST":
            return self._token(request)
        if not request.headers.get("authorization", "").lower().startswith("bearer "):
            return Response.json(
                {"message": "Unauthorized", "error": 401},
                401,
                {"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'},
            )
        with self._lock:
            self.api_calls += 1
        headers = {
            "x-ratelimit-remaining": f"{max(self.ratelimit - self.api_calls, 0):.1f}",
            "x-ratelimit-used": str(self.api_calls),
            "x-ratelimit-reset": str(self.reset_seconds),
        }
        parts = [p for p in path.split("/") if p]
        if parts[-1:] == ["search"] and len(parts) in (1, 3) and parts[:1] in (["r"], ["search"]):
            body: Any = self._search(request, parts[1] if len(parts) == 3 else "all")
        elif len(parts) >= 2 and parts[0] == "comments":
            focus = parts[3] if len(parts) >= 4 and parts[2] == "_" else None
            body = self._comments(request, parts[1], focus)
        elif parts == ["api", "morechildren"]:
            body = self._morechildren(request)
        elif parts == ["api", "info"]:
            body = self._info(request)
        else:
            return Response.json({"message": "Not Found", "error": 404}, 404, headers)
        if body is None:
            return Response.json({"message": "Not Found", "error": 404}, 404, headers)
        return Response.json(body, headers=headers)

    def _token(self, request: Request) -> Response:
        if self.client_id is not None:
            given = request.headers.get("authorization", "")
            expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            if given != f"Basic {expected}":
                return Response.json({"message": "Unauthorized", "error": 401}, 401)
        if request.arg("grant_type") != "client_credentials":
            return Response.json({"error": "unsupported_grant_type"})
        return Response.json(
            {
                "access_token": f"fake-{time.monotonic_ns()}",
                "token_type": "bearer",
                "expires_in": 86400,
                "scope": "*",
            }
        )

    def _matches(self, query: str, subs: str) -> list[Thing]:
        key = (query, subs)
        with self._lock:
            if key not in self._searches:
                phrases = [p.lower() for p in re.findall(r'"([^"]+)"', query)] or [query.lower()]
                wanted = None if subs == "all" else set(subs.lower().split("+"))
                found = [
                    s
                    for s in self.submissions.values()
                    if (wanted is None or s["subreddit"].lower() in wanted)
                    and any(p in f"{s['title']}\n{s['selftext']}".lower() for p in phrases)
                ]
                found.sort(key=lambda s: (s["created_utc"], int(s["id"], 36)), reverse=True)
                self._searches[key] = found[: self.listing_cap]
            return self._searches[key]

    def _search(self, request: Request, subs: str) -> Thing:
        if request.arg("restrict_sr", "false") in ("0", "false", "False", ""):
            subs = "all"
        found = self._matches(request.arg("q") or "", subs)
        limit = min(int(request.arg("limit") or 25), 100)
        start = 0
        after = request.arg("after")
        if after:
            names = [s["name"] for s in found]
            start = names.index(after) + 1 if after in names else len(found)
        page = found[start : start + limit]
        more = start + limit < len(found)
        children = [{"kind": "t3", "data": s} for s in page]
        return listing(children, page[-1]["name"] if page and more else None)

    def _sorted(self, comments: Iterable[Thing], sort: str) -> list[Thing]:
        if sort == "new":
            return sorted(comments, key=lambda c: c["created_utc"], reverse=True)
        if sort == "old":
            return sorted(comments, key=lambda c: c["created_utc"])
        return sorted(comments, key=lambda c: (c["score"], -c["created_utc"]), reverse=True)

    def _children(self, parent: str, sort: str) -> list[Thing]:
        return self._sorted((c for c in self.comments.values() if c["parent_id"] == parent), sort)

    def _comments(self, request: Request, sid: str, focus: str | None) -> Any:
        post = self.submissions.get(sid)
        if post is None:
            return None
        sort = request.arg("sort") or "confidence"
        limit = min(int(request.arg("limit") or self.comment_page), self.comment_page)
        with self._lock:
            if focus is not None:
                roots = [self.comments[focus]] if focus in self.comments else []
            else:
                roots = self._children(post["name"], sort)
            shown = self._first(roots, sort, limit)
            tree = [self._tree(c, sort, shown) for c in roots if c["id"] in shown]
            hidden = [c["id"] for c in roots if c["id"] not in shown]
            if hidden:
                tree.append(self._more(post["name"], hidden, 0))
        return [listing([{"kind": "t3", "data": post}]), listing(tree)]

    def _first(self, roots: list[Thing], sort: str, limit: int) -> set[str]:
        """The ids of the first ``limit`` comments, breadth first, as Reddit shows them."""
        shown: set[str] = set()
        level = roots
        while level and len(shown) < limit:
            nxt: list[Thing] = []
            for comment in level:
                if len(shown) >= limit:
                    break
                shown.add(comment["id"])
                nxt.extend(self._children(comment["name"], sort))
            level = nxt
        return shown

    def _tree(self, comment: Thing, sort: str, shown: set[str]) -> Thing:
        replies = self._children(comment["name"], sort)
        children = [self._tree(r, sort, shown) for r in replies if r["id"] in shown]
        hidden = [r["id"] for r in replies if r["id"] not in shown]
        if hidden:
            children.append(self._more(comment["name"], hidden, comment["depth"] + 1))
        return {"kind": "t1", "data": {**comment, "replies": listing(children) if children else ""}}

    def _more(self, parent: str, ids: list[str], depth: int) -> Thing:
        return {
            "kind": "more",
            "data": {
                "count": len(ids),
                "name": f"t1_{ids[0]}",
                "id": ids[0],
                "parent_id": parent,
                "depth": depth,
                "children": ids,
            },
        }

    def _morechildren(self, request: Request) -> Thing:
        sort = request.arg("sort") or "confidence"
        things: list[Thing] = []
        with self._lock:

            def walk(comment: Thing) -> None:
                things.append({"kind": "t1", "data": {**comment, "replies": ""}})
                for reply in self._children(comment["name"], sort):
                    walk(reply)

            for cid in (request.arg("children") or "").split(","):
                if cid in self.comments:
                    walk(self.comments[cid])
        return {"json": {"errors": [], "data": {"things": things}}}

    def _info(self, request: Request) -> Thing:
        children = []
        with self._lock:
            for fullname in (request.arg("id") or "").split(","):
                kind, _, tid = fullname.partition("_")
                if kind == "t3" and tid in self.submissions:
                    children.append({"kind": "t3", "data": self.submissions[tid]})
                elif kind == "t1" and tid in self.comments:
                    children.append({"kind": "t1", "data": {**self.comments[tid], "replies": ""}})
        return listing(children)


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:50]

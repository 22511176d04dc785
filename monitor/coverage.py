"""How much of what is stored the sentiment model reads: the share left unscored."""

from __future__ import annotations

from dataclasses import dataclass

from .language import READS
from .schema import POSTS
from .store import Store


@dataclass(frozen=True)
class Coverage:
    posts: int
    unread: int  # in a language the sentiment model does not read: left unscored

    @property
    def share_unread(self) -> float:
        return self.unread / self.posts if self.posts else 0.0


def coverage(store: Store) -> Coverage:
    """Stored posts, and how many of them are in a language the model does not read."""
    codes = ", ".join(f"'{c}'" for c in sorted(READS))
    row = next(
        store.query(
            f"select count(*) as posts, total(lang is not null and lang not in ({codes})) "
            f"as unread from {POSTS}"
        )
    )
    return Coverage(int(row["posts"]), int(row["unread"]))

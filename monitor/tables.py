"""The names of the database's tables, one constant each (nothing else names a table)."""

from __future__ import annotations

TITLES = "titles"
POSTS = "posts"
MENTIONS = "mentions"
SENTIMENTS = "sentiments"
CHART_ENTRIES = "chart_entries"
POLL_RUNS = "poll_runs"
CURSORS = "cursors"
STATE = "state"
DAILY_MENTIONS = "daily_mentions"
DAILY_SENTIMENT = "daily_sentiment"
RECHECK_MISSES = "recheck_misses"
DAILY_AUTHORS = "daily_authors"
ALERTS = "alerts"
ALERT_DELIVERIES = "alert_deliveries"

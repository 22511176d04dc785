"""Streaming charts -> ``chart_entries``: Netflix's official Top 10 files and any CSV chart.

``netflix.update`` fetches and loads the Top 10 files; ``table.import_csv`` loads a CSV chart;
``match`` holds the one rule that ties a chart's spelling to a tracked title.
"""

from .history import Run, runs
from .match import TitleMatcher, title_key

__all__ = ["Run", "TitleMatcher", "runs", "title_key"]

"""The ``monitor`` command line: one click group; each command group lives in its own module."""

from __future__ import annotations

from . import charts, demo, export, init, poll, publish, report, sentiment, status, stream  # noqa: F401
from .app import cli
from .prune import prune_command  # noqa: F401
from .run import run as run_command  # noqa: F401

__all__ = ["cli"]

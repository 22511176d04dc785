"""The ``monitor`` command line: one click group; each command group lives in its own module."""

from __future__ import annotations

from . import charts, core, demo, export, poll, report, stream  # noqa: F401  (each registers commands)
from .app import cli

__all__ = ["cli"]

"""The ``monitor`` command line: one click group; each command group lives in its own module."""

from __future__ import annotations

from . import charts, core, demo, export, poll, report, signal, stream  # noqa: F401
from .app import cli

__all__ = ["cli"]

"""The ``monitor`` command line: one click group; each command group lives in its own module."""

from __future__ import annotations

from . import core  # noqa: F401  (registers init, titles, status)
from .app import cli

__all__ = ["cli"]

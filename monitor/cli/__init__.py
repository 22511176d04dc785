"""The ``monitor`` command line: one click group; each command group lives in its own module."""

from __future__ import annotations

from . import charts, core, poll, signal, stream  # noqa: F401  (each module registers its commands)
from .app import cli

__all__ = ["cli"]

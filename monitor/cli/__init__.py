"""The ``monitor`` command line: one click group; each command group lives in its own module."""

from __future__ import annotations

from . import core, poll, signal  # noqa: F401  (each module registers its commands)
from .app import cli

__all__ = ["cli"]

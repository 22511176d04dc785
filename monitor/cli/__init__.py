"""The ``monitor`` command line: one click group; each command group lives in its own module."""

from __future__ import annotations

from . import core, poll  # noqa: F401  (each module registers its commands)
from . import run as _run  # noqa: F401
from .app import cli

__all__ = ["cli"]

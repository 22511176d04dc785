"""The ``monitor`` command line: one click group; each command group lives in its own module."""

from __future__ import annotations

from . import (  # noqa: F401
    alerts,
    charts,
    demo,
    export,
    init,
    poll,
    publish,
    relevance,
    report,
    sentiment,
    status,
    stream,
)
from .app import cli
from .prune import prune_command  # noqa: F401
from .run import run as run_command  # noqa: F401

__all__ = ["cli"]

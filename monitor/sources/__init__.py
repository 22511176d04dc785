"""Platform sources: one module per platform, each following :class:`base.Source`.

Adding a platform means one module here, with a ``build(config, creds)`` that returns its
source, and one line in :data:`SOURCES`. The driver (:mod:`monitor.ingest`) does the rest.
"""

from __future__ import annotations

import importlib

from ..config import Config, Credentials
from ..errors import ConfigError, MissingCredentials
from .base import Factory, Source

#: name -> "module:factory" of each platform's source, imported only when used.
SOURCES = {
    "reddit": "monitor.sources.reddit:build",
    "bluesky": "monitor.sources.bluesky:build",
}


def build(name: str, config: Config, creds: Credentials) -> Source:
    """The source called ``name``, ready to poll.

    Raises :class:`~monitor.errors.MissingCredentials` when the environment has none for it.
    """
    if name not in SOURCES:
        raise ConfigError(f"unknown source {name!r}", hint=f"use one of: {', '.join(SOURCES)}")
    if not getattr(creds, name, True):  # known to be missing: skip the SDK's import too
        raise MissingCredentials(f"no {name} credentials in the environment")
    module_name, factory_name = SOURCES[name].split(":")
    factory: Factory = getattr(importlib.import_module(module_name), factory_name)
    return factory(config, creds)

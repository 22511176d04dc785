"""Domain exceptions. The CLI turns them into ``Error: …`` lines; the library never prints."""

from __future__ import annotations

from datetime import datetime


class MonitorError(Exception):
    """Base of every error `monitor` raises on purpose.

    ``param`` names the argument at fault (``since``, ``region``…): the library says what is
    wrong, the CLI names the option that carries it."""

    exit_code = 1
    hint: str | None = None
    param: str | None = None

    def __init__(self, message: str, *, hint: str | None = None, param: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint
        if param is not None:
            self.param = param


class ConfigError(MonitorError):
    """The configuration file or a command-line value is wrong."""

    exit_code = 2


class StoreError(MonitorError):
    """The database cannot be opened, read or written."""


class StoreBusy(StoreError):
    """Another process held SQLite's write lock past the busy timeout: try again later."""


class LockHeld(MonitorError):
    """Another `monitor` process holds the database lock."""

    exit_code = 75


class SourceError(MonitorError):
    """A platform answered with something we cannot use."""


class AuthError(SourceError):
    """The platform refused our credentials."""


class MissingCredentials(AuthError):
    """The environment holds no credentials for a platform: its source is skipped."""


class RateLimited(SourceError):
    """The platform asked us to wait until ``reset_at``."""

    def __init__(self, message: str, reset_at: datetime | None = None) -> None:
        super().__init__(message)
        self.reset_at = reset_at


class NothingStored(MonitorError):
    """There is nothing to report for a title in the window asked for."""


class InputError(MonitorError):
    """A file handed to `monitor` (a chart, a CSV) is malformed."""

    exit_code = 1

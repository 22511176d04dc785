"""The click group, its global options, and the one place errors become ``Error: …``."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import click

from ..config import DEFAULT_CONFIG, DEFAULT_DB, Config, Credentials, credentials, load_config
from ..errors import ConfigError, MonitorError
from ..files import inputs_of
from ..lock import hold
from ..scrub import Scrubber
from ..store import Store

log = logging.getLogger("monitor")


class SecretFilter(logging.Filter):
    """Blank out credential values in every log record, tracebacks included."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.scrub = Scrubber(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if self.scrub.secrets:
            record.msg, record.args = self.scrub(record.getMessage()), None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = self.scrub(record.exc_text)
            if record.stack_info:
                record.stack_info = self.scrub(record.stack_info)
        return True


class LogFile(logging.FileHandler):
    """``--log-file``: when a line cannot be written (a full disk, ``/dev/full``), says so
    once on stderr and stops trying; the command then exits 1 (see :func:`log_failures`)."""

    failure: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.failure is None:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        if self.failure is not None:
            return
        exc = sys.exc_info()[1]
        why = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        self.failure = f"{self.baseFilename}: cannot write the log file ({why})"
        sys.stderr.write(f"Error: {self.failure}; no more lines go to it\n")

    def close(self) -> None:
        with contextlib.suppress(OSError):  # what could not be written cannot be flushed
            super().close()


def log_failures() -> list[str]:
    """The log files that could not be written during this command."""
    return [
        h.failure
        for h in logging.getLogger().handlers
        if isinstance(h, LogFile) and h.failure is not None
    ]


def close_logging() -> None:
    """Remove and close the handlers :func:`setup_logging` added (the log file among them)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_monitor", False):
            root.removeHandler(handler)
            handler.close()


def setup_logging(
    verbose: int, quiet: bool, secrets: tuple[str, ...], log_file: Path | None = None
) -> None:
    """Time-stamped lines on stderr (errors only when ``quiet``) and, in full, in ``log_file``.

    ``-v`` shows monitor's debug lines, ``-vv`` the libraries' too. Every handler blanks
    the ``secrets``, in messages and tracebacks alike.
    """
    detail = logging.DEBUG if verbose > 0 else logging.INFO
    close_logging()
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.ERROR if quiet else detail)
    handlers: list[logging.Handler] = [stderr]
    if log_file is not None:
        if log_file.is_fifo() or log_file.is_socket():  # opening one waits for a reader
            raise ConfigError(f"{log_file}: is a pipe or socket, not a log file")
        try:
            handlers.append(LogFile(log_file, encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"{log_file}: cannot write the log file ({exc.strerror})") from None
    root = logging.getLogger()
    for handler in handlers:
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S"
            )
        )
        handler.addFilter(SecretFilter(secrets))
        handler._monitor = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose > 1 else logging.WARNING)
    log.setLevel(detail)
    sys.excepthook = _log_uncaught


def _log_uncaught(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """An unexpected error's traceback goes through the log handlers, secrets blanked."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    if not any(getattr(h, "_monitor", False) for h in logging.getLogger().handlers):
        setup_logging(0, False, credentials().secrets())  # the command had closed them
    log.critical("unexpected error (a bug in monitor; please report it)", exc_info=(kind, exc, tb))


@dataclass
class App:
    """What every command needs, built lazily from the global options."""

    config_path: Path
    config_given: bool
    db_path: str | None
    verbose: int = 0
    quiet: bool = False
    _config: Config | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)
    _synced: bool = field(default=False, repr=False)
    _store_reads: bool = field(default=False, repr=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
            if self._config.follows and self.resolve_db(self._config).exists():
                from ..follow import with_chart_titles  # the titles a followed chart brought

                self._config = with_chart_titles(self._config, self.store(write=False))
        return self._config

    def optional_config(self) -> Config:
        """The config if there is one; an empty one when the default path has no file."""
        if not self.config_given and not self.config_path.exists():
            return Config()
        return self.config

    @property
    def credentials(self) -> Credentials:
        return credentials()

    def resolve_db(self, config: Config | None = None) -> Path:
        """--db > MONITOR_DB (both arrive as ``db_path``) > [store] path > monitor.db."""
        if self.db_path:
            return Path(self.db_path)
        config = config if config is not None else self.optional_config()
        return Path(config.store.path or DEFAULT_DB)

    def inputs(self) -> tuple[Path, ...]:
        """The files this command reads, which no output may overwrite."""
        return inputs_of(self.resolve_db(), self.config_path)

    def store(self, *, create: bool = True, write: bool = True) -> Store:
        """The database, opened (and migrated) once.

        ``write=False`` is for commands that only read: they work on a read-only file too.
        The file is opened read-only for them: nothing is created, migrated or synced."""
        if self._store is not None and write and self._store_reads:
            self.close()  # opened by a reader earlier in the command: open it to write
        if self._store is None:
            config = self.optional_config()
            self._store = Store(self.resolve_db(config), create=create, read=not write)
            self._store_reads = not write
        if write:
            self._store.require_writable()
            if not self._synced:
                self._store.sync_titles(self.optional_config().titles)
                self._synced = True
        return self._store

    @contextmanager
    def writer(self, *, lock: bool = False, create: bool = True) -> Iterator[Store]:
        """The database opened for writing, titles synced; with ``lock``, the run lock held
        too (the commands that poll or prune never run beside a ``monitor run``). The
        store is closed before the lock is let go."""
        if not lock:
            yield self.store(create=create)
            return
        with hold(self.resolve_db()):
            try:
                yield self.store(create=create)
            finally:
                self.close()

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
            self._synced = False


pass_app = click.make_pass_decorator(App)


class DomainError(click.ClickException):
    """A library error on its way to the user, with the library's exit status."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.status = exit_code

    @property  # type: ignore[override,unused-ignore]
    def exit_code(self) -> int:  # type: ignore[override]
        return self.status


class MonitorGroup(click.Group):
    """A group that turns domain errors into ``Error: …`` with a hint and the right status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
        except MonitorError as exc:
            message = str(exc)
            hint = exc.hint
            if exc.param:  # the library names its argument; the user knows the option
                flag = "--" + exc.param.replace("_", "-")
                hint = f"{hint} ({flag})" if hint else f"check {flag}"
            if hint:
                message += f"\n  Hint: {hint}"
            _to_log_files(f"Error: {message}")
            raise DomainError(message, exc.exit_code) from None
        if log_failures():  # already said on stderr, once
            raise SystemExit(1)
        return result


def _to_log_files(message: str) -> None:
    """Put the error a command ends with into ``--log-file`` too (click prints it on stderr)."""
    record = log.makeRecord(log.name, logging.ERROR, __file__, 0, message, (), None)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.FileHandler) and getattr(handler, "_monitor", False):
            handler.handle(record)


@click.group(cls=MonitorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="MONITOR_CONFIG",
    default=None,
    help=f"Config file. Env MONITOR_CONFIG; default {DEFAULT_CONFIG}.",
)
@click.option(
    "--db",
    "db_path",
    envvar="MONITOR_DB",
    default=None,
    help="SQLite database. Env MONITOR_DB; else [store] path; else monitor.db.",
)
@click.option("-v", "--verbose", count=True, help="More log lines (-vv for the libraries' too).")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.version_option(package_name="monitor")
@click.pass_context
def cli(
    ctx: click.Context, config_path: Path | None, db_path: str | None, verbose: int, quiet: bool
) -> None:
    """Follow how Reddit and Bluesky react to a film or show as it climbs a streaming chart.

    \b
    Example:
        monitor init
        monitor status
    """
    app = App(
        config_path=config_path or DEFAULT_CONFIG,
        config_given=config_path is not None,
        db_path=db_path,
        verbose=verbose,
        quiet=quiet,
    )
    ctx.obj = app
    ctx.call_on_close(app.close)
    setup_logging(verbose, quiet, credentials().secrets())

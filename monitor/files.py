"""Files `monitor` reads and writes: outputs written whole or not at all, never over an input.

Every output (an export, a report's page and figure, the demo's files, ``init``'s config)
goes through :func:`atomic_output`: it is written to a temporary file beside the target and
renamed over it, so a failure (a full disk, a bad row, Ctrl-C) leaves the old file whole.
Before that, :func:`refuse_inputs` compares the target with the files the command reads
(the database, its ``-wal``/``-shm``, its lock, the config) by inode, through symlinks, so
no output ever lands on one of them. :func:`check_regular` refuses, without opening it, a
path that is not a regular file (a FIFO would block forever, a symlink loop would raise).
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from .errors import MonitorError

#: What SQLite keeps beside a database, and the run lock (``monitor.lock``) beside it.
DB_COMPANIONS = ("-wal", "-shm", "-journal", ".lock")


def inputs_of(db: str | Path | None, config: str | Path | None) -> tuple[Path, ...]:
    """The files a command reads: the database and its companions, and the config."""
    paths = [Path(config)] if config is not None else []
    if db is not None:
        paths += [Path(db), *(Path(f"{db}{suffix}") for suffix in DB_COMPANIONS)]
    return tuple(paths)


def same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` are one file: same inode when both exist, else the same
    path once symlinks and ``..`` are resolved."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def refuse_inputs(target: Path, inputs: Iterable[Path]) -> None:
    """Raise when writing ``target`` would overwrite one of ``inputs``."""
    for source in inputs:
        if same_file(target, source):
            raise MonitorError(
                f"{target}: refusing to write over {source}, which this command reads",
                hint="choose another output path",
            )


def check_regular(path: Path, what: str, error: type[MonitorError] = MonitorError) -> bool:
    """Whether ``path`` exists; raise when it exists but is not a regular file (a folder,
    a FIFO, a device, a socket) or is a symlink that leads nowhere (a loop)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            raise error(f"{path}: is a symlink to a missing file") from None
        return False
    except NotADirectoryError:
        return False
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise error(f"{path}: is a symlink loop, not a {what}") from None
        raise error(f"{path}: cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        raise error(f"{path}: is a folder, not a {what}")
    if not stat.S_ISREG(mode):
        raise error(
            f"{path}: is not a regular file (a pipe, device or socket), not a {what}",
            hint=f"point it at a {what} on disk",
        )
    return True


@contextmanager
def atomic_output(path: Path, inputs: Iterable[Path] = ()) -> Iterator[IO[bytes]]:
    """A binary file to write ``path`` through: a temporary file beside it, renamed over it
    when the block ends without an error, removed when it raises.

    ``path`` may be a symlink (the file it leads to is replaced) or an existing device or
    pipe (``/dev/stdout``), which is written directly since it cannot be renamed over.
    Refuses a path that is one of ``inputs``; an ``OSError`` becomes a MonitorError."""
    refuse_inputs(path, inputs)
    target = Path(os.path.realpath(path))
    try:
        existing = target.stat()
    except OSError:
        existing = None
    try:
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            if stat.S_ISDIR(existing.st_mode):
                raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
            with target.open("wb") as direct:
                yield direct
            return
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(temp, stat.S_IMODE(existing.st_mode) if existing else _default_mode())
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise MonitorError(
            f"{path}: cannot write ({exc.strerror or exc})",
            hint="check the path: its folder must exist and be writable",
        ) from None


def write_bytes(path: Path, data: bytes, inputs: Iterable[Path] = ()) -> None:
    """Write ``data`` to ``path`` whole or not at all (see :func:`atomic_output`)."""
    with atomic_output(path, inputs) as fh:
        fh.write(data)


def write_text(path: Path, text: str, inputs: Iterable[Path] = ()) -> None:
    """Write ``text`` as UTF-8 to ``path`` whole or not at all."""
    write_bytes(path, text.encode("utf-8"), inputs)


def _default_mode() -> int:
    """What a new file's mode would be under the current umask (mkstemp makes 0600)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask

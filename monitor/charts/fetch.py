"""Conditional download of a chart file from an http(s) base URL or a local folder.

The validators (ETag, Last-Modified, size; size and mtime for a local file) come back with
the file, for the caller to store once the file is ingested; next time an unchanged file is
not fetched again (HTTP 304) or not read again (same size and mtime).
"""

from __future__ import annotations

import http.client
import logging
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import SourceError

log = logging.getLogger("monitor.charts.fetch")

TIMEOUT = 60.0
CHUNK = 1 << 16
USER_AGENT = "monitor/0.1 (film chart reactions; read-only)"

Stamp = dict[str, Any]


@dataclass
class Download:
    """A fetched file, open for binary reading, with the validators to remember."""

    name: str
    file: IO[bytes]
    stamp: Stamp


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


@contextmanager
def fetch(
    source: str, name: str, previous: Stamp | None, *, timeout: float = TIMEOUT
) -> Iterator[Download | None]:
    """``name`` under ``source``, or None when it has not changed since ``previous``."""
    if is_url(source):
        with _fetch_url(f"{source.rstrip('/')}/{name}", previous, timeout) as download:
            yield download
    else:
        with _open_local(Path(source).expanduser() / name, previous) as download:
            yield download


@contextmanager
def _open_local(path: Path, previous: Stamp | None) -> Iterator[Download | None]:
    try:
        info = path.stat()
        fh = path.open("rb")
    except FileNotFoundError:
        raise SourceError(
            f"{path}: no such file",
            hint="[netflix] source must be a folder holding the Top 10 files, or a URL",
        ) from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror})") from None
    with fh:
        stamp: Stamp = {"size": info.st_size, "mtime_ns": info.st_mtime_ns}
        if stamp == previous:
            log.debug("%s: unchanged since the last update", path)
            yield None
        else:
            yield Download(str(path), fh, stamp)


@contextmanager
def _fetch_url(url: str, previous: Stamp | None, timeout: float) -> Iterator[Download | None]:
    with tempfile.TemporaryFile(prefix="monitor-chart-") as tmp:
        stamp = _download(url, previous or {}, timeout, tmp)
        yield None if stamp is None else Download(url, tmp, stamp)


def _download(url: str, previous: Stamp, timeout: float, out: IO[bytes]) -> Stamp | None:
    """Stream ``url`` into ``out``; the validators, or None when it has not changed."""
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if previous.get("etag"):
        headers["If-None-Match"] = previous["etag"]
    if previous.get("last_modified"):
        headers["If-Modified-Since"] = previous["last_modified"]
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            stamp: Stamp = {
                "etag": response.headers.get("ETag"),
                "last_modified": response.headers.get("Last-Modified"),
                "size": int(length) if length and length.isdigit() else None,
            }
            if _same(stamp, previous):
                log.debug("%s: unchanged (same ETag and size); not read again", url)
                return None
            shutil.copyfileobj(response, out, CHUNK)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 304:
            log.debug("%s: not modified since the last update", url)
            return None
        raise SourceError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise SourceError(f"{url}: cannot connect ({exc.reason})") from None
    except TimeoutError:
        raise SourceError(f"{url}: timed out after {timeout:g} s") from None
    except (OSError, http.client.HTTPException) as exc:  # reset, broken chunked body…
        raise SourceError(
            f"{url}: the download failed half-way ({exc})", hint="nothing was stored; run again"
        ) from None
    got = out.tell()
    if stamp["size"] is not None and got != stamp["size"]:
        raise SourceError(
            f"{url}: the download stopped after {got:,} of {stamp['size']:,} bytes",
            hint="nothing was stored; run the update again",
        )
    stamp["size"] = got
    log.info("%s: downloaded %s bytes", url, f"{got:,}")
    out.seek(0)
    return stamp


def _same(stamp: Stamp, previous: Stamp) -> bool:
    """A server that ignores conditional headers may still say the file has not changed."""
    if stamp["etag"] and stamp["etag"] == previous.get("etag"):
        return stamp["size"] is None or stamp["size"] == previous.get("size")
    return False

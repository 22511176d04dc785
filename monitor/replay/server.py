"""A small threaded HTTP server on 127.0.0.1 that can misbehave on request.

A platform module supplies a handler ``Request -> Response``; the server logs every request
and, when told to, answers a fault instead: a status (429, 500, 401…), malformed JSON, a
truncated body, a connection reset, or a hang. Each response goes out in one write with
TCP_NODELAY set, so keep-alive requests are not held back ~40 ms by Nagle's algorithm.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of a query-string or form parameter."""
        values = self.query.get(name) or self.form().get(name)
        return values[0] if values else default

    def form(self) -> dict[str, list[str]]:
        if "x-www-form-urlencoded" in self.headers.get("content-type", ""):
            return parse_qs(self.body.decode("utf-8", "replace"))
        return {}

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return cls(status, json.dumps(data).encode(), dict(headers or {}))

    @classmethod
    def text(
        cls,
        text: str,
        status: int = 200,
        content_type: str = "text/plain; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> Response:
        return cls(status, text.encode(), dict(headers or {}), content_type)


@dataclass
class Fault:
    """What to answer instead, for the next ``times`` requests whose path starts with ``path``.

    kind: ``status`` (answer ``status`` with ``body`` and ``headers``), ``bad_json``,
    ``truncate`` (promise more bytes than sent, then close), ``reset`` (RST the connection),
    ``hang`` (say nothing for ``seconds``).
    """

    kind: str
    times: int = 1
    path: str = ""
    status: int = 500
    body: bytes = b'{"error": "fault injected"}'
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 30.0


Handler = Callable[[Request], Response]


class ReplayServer:
    """Serve ``handler`` on 127.0.0.1 in a background thread. Use as a context manager."""

    def __init__(self, handler: Handler, port: int = 0) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.bytes_sent = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> ReplayServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail(self, kind: str, times: int = 1, path: str = "", **kwargs: Any) -> Fault:
        """Queue a fault; see :class:`Fault`."""
        fault = Fault(kind, times, path, **kwargs)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def count(self, path: str = "", method: str | None = None) -> int:
        """How many requests reached a path starting with ``path``."""
        with self._lock:
            return sum(
                1
                for r in self.requests
                if r.path.startswith(path) and (method is None or r.method == method)
            )

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and path.startswith(fault.path):
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault
        return None


def _make_handler(server: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            request = Request(
                self.command,
                parts.path,
                parse_qs(parts.query, keep_blank_values=True),
                {k.lower(): v for k, v in self.headers.items()},
                body,
            )
            with server._lock:
                server.requests.append(request)
            fault = server._take_fault(parts.path)
            if fault is None:
                try:
                    response = server.handler(request)
                except Exception as exc:  # a handler bug shows as a 500, not a dead server
                    response = Response.json(
                        {"error": "InternalServerError", "message": repr(exc)}, 500
                    )
                self._send(response)
                return
            if fault.kind == "status":
                self._send(Response(fault.status, fault.body, dict(fault.headers)))
            elif fault.kind == "bad_json":
                self._send(Response(200, b'{"kind": "Listing", "data": {"children": [', {}))
            elif fault.kind == "truncate":
                head = self._head(Response(200, b"", {}), 4096)
                self._write(head + b'{"kind": "Listing", "data": {"chil')
                self.close_connection = True
            elif fault.kind == "reset":
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.close_connection = True
            elif fault.kind == "hang":
                server._stopping.wait(fault.seconds)
                self.close_connection = True
            else:
                raise ValueError(f"unknown fault kind {fault.kind!r}")

        def _head(self, response: Response, length: int) -> bytes:
            lines = [f"HTTP/1.1 {response.status} {_reason(response.status)}"]
            headers = {
                "Content-Type": response.content_type,
                **response.headers,
                "Content-Length": str(length),
            }
            if self.close_connection:  # the client asked to close: say so, as servers do
                headers["Connection"] = "close"
            lines += [f"{k}: {v}" for k, v in headers.items()]
            return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

        def _send(self, response: Response) -> None:
            self._write(self._head(response, len(response.body)) + response.body)

        def _write(self, data: bytes) -> None:
            try:
                self.wfile.write(data)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
                return
            with server._lock:
                server.bytes_sent += len(data)

        do_GET = do_POST = do_HEAD = _serve

    return Handler


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"

"""A small threaded HTTP server on 127.0.0.1 for ``monitor demo``'s local platforms.

A platform module supplies a handler ``Request -> Response``; the server logs every request.
Each response goes out in one write with TCP_NODELAY set, so keep-alive requests are not
held back ~40 ms by Nagle's algorithm. Tests make it misbehave through :meth:`intercept`
(their fault injection lives under ``tests/fakes``).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
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


Handler = Callable[[Request], Response]


class Replier(Protocol):
    """The connection a request came in on, for :meth:`ReplayServer.intercept`."""

    connection: socket.socket
    close_connection: bool

    def send(self, response: Response) -> None:
        """Send a whole response in one write."""

    def head(self, response: Response, length: int) -> bytes:
        """The status line and headers of ``response``, claiming ``length`` body bytes."""

    def write(self, data: bytes) -> None:
        """Send raw bytes."""


class ReplayServer:
    """Serve ``handler`` on 127.0.0.1 in a background thread. Use as a context manager."""

    def __init__(self, handler: Handler, port: int = 0) -> None:
        self.handler = handler
        self.requests: list[Request] = []
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

    def count(self, path: str = "", method: str | None = None) -> int:
        """How many requests reached a path starting with ``path``."""
        with self._lock:
            return sum(
                1
                for r in self.requests
                if r.path.startswith(path) and (method is None or r.method == method)
            )

    def intercept(self, request: Request, reply: Replier) -> bool:
        """A hook for tests: answer ``request`` some other way through ``reply`` and return
        True, or return False to let the handler answer. The demo never intercepts."""
        return False


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
            if server.intercept(request, self):
                return
            try:
                response = server.handler(request)
            except Exception as exc:  # a handler bug shows as a 500, not a dead server
                response = Response.json(
                    {"error": "InternalServerError", "message": repr(exc)}, 500
                )
            self.send(response)

        def head(self, response: Response, length: int) -> bytes:
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

        def send(self, response: Response) -> None:
            self.write(self.head(response, len(response.body)) + response.body)

        def write(self, data: bytes) -> None:
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

"""The package's replay server, able to misbehave on request: a status (429, 500, 401…),
malformed JSON, a truncated body, a connection reset, or a hang."""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass, field
from typing import Any

from monitor.replay import server as replay
from monitor.replay.server import Replier, Request, Response

__all__ = ["Fault", "ReplayServer", "Request", "Response"]


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


class ReplayServer(replay.ReplayServer):
    """The replay server with a queue of faults to answer instead of the handler."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.faults: list[Fault] = []

    def fail(self, kind: str, times: int = 1, path: str = "", **kwargs: Any) -> Fault:
        """Queue a fault; see :class:`Fault`."""
        fault = Fault(kind, times, path, **kwargs)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and path.startswith(fault.path):
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def intercept(self, request: Request, reply: Replier) -> bool:
        fault = self._take_fault(request.path)
        if fault is None:
            return False
        if fault.kind == "status":
            reply.send(Response(fault.status, fault.body, dict(fault.headers)))
        elif fault.kind == "bad_json":
            reply.send(Response(200, b'{"kind": "Listing", "data": {"children": [', {}))
        elif fault.kind == "truncate":
            head = reply.head(Response(200, b"", {}), 4096)
            reply.write(head + b'{"kind": "Listing", "data": {"chil')
            reply.close_connection = True
        elif fault.kind == "reset":
            reply.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            reply.close_connection = True
        elif fault.kind == "hang":
            self._stopping.wait(fault.seconds)
            reply.close_connection = True
        else:
            raise ValueError(f"unknown fault kind {fault.kind!r}")
        return True

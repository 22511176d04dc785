"""Local servers that answer like the platforms, for the tests, benchmarks and `monitor demo`."""

from .server import Fault, ReplayServer, Request, Response

__all__ = ["Fault", "ReplayServer", "Request", "Response"]

"""Local servers that answer like the platforms, for the tests, benchmarks and `monitor demo`."""

from .server import ReplayServer, Replier, Request, Response

__all__ = ["ReplayServer", "Replier", "Request", "Response"]

"""Test-only fakes: fault injection on top of the package's replay servers, the fake
Jetstream, and the soak's World. The package keeps only what ``monitor demo`` serves."""

from .server import Fault, ReplayServer, Request, Response

__all__ = ["Fault", "ReplayServer", "Request", "Response"]

"""Test-only fakes: fault injection on top of the package's replay servers, the fake
Jetstream, and the soak's World. The package keeps only what ``monitor demo`` serves."""

from .server import Fault, ReplayServer, Request, Response


class Sleeps(list[float]):
    """A sleep that records instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


__all__ = ["Fault", "ReplayServer", "Request", "Response", "Sleeps"]

"""monitor: how social media reacts to a title while it climbs a streaming chart."""

from .config import Config, Credentials, Title, credentials, load_config, parse_config
from .errors import (
    AuthError,
    ConfigError,
    InputError,
    LockHeld,
    MonitorError,
    RateLimited,
    SourceError,
    StoreError,
)
from .store import Store

__all__ = [
    "AuthError",
    "Config",
    "ConfigError",
    "Credentials",
    "InputError",
    "LockHeld",
    "MonitorError",
    "RateLimited",
    "SourceError",
    "Store",
    "StoreError",
    "Title",
    "credentials",
    "load_config",
    "parse_config",
]

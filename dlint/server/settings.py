"""How the service runs: address, processes, concurrent lint jobs and request limits.

The settings travel to worker processes in one environment variable (the server starts each worker
from an import string, so it cannot hand them an object).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from dataclasses import dataclass

#: The environment variable holding the settings of the worker processes, as JSON.
ENVIRONMENT = "DLINT_SERVE_SETTINGS"
MIB = 1024 * 1024
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2, "mib": MIB}
_UNITS |= {"g": 1000**3, "gb": 1000**3, "gib": 1024**3}
_SIZE = re.compile(r"\s*(\d+)\s*([a-z]*)\s*", re.IGNORECASE)


class SettingsError(ValueError):
    """A setting that cannot be honoured."""


@dataclass(frozen=True)
class ServerSettings:
    """``max_body`` bounds a request body in bytes (larger ones get 413); ``jobs`` bounds the lint
    and fix jobs that run at once in one worker process (each holds its file in memory);
    ``fixes_header`` bounds the size of the header that lists the fixes applied."""

    host: str = "127.0.0.1"
    port: int = 8765
    workers: int = 1
    jobs: int = 2
    max_body: int = 256 * MIB
    fixes_header: int = 4096

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise SettingsError(f"port {self.port} is not between 0 and 65535")
        for name in ("workers", "jobs", "max_body", "fixes_header"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name.replace('_', ' ')} must be at least 1")

    def to_environment(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_environment(cls) -> ServerSettings:
        """The settings the serving process left in the environment (the defaults without them)."""
        text = os.environ.get(ENVIRONMENT)
        if not text:
            return cls()
        try:
            values = json.loads(text)
            return cls(**{f.name: values[f.name] for f in dataclasses.fields(cls) if f.name in values})
        except (ValueError, TypeError) as exc:
            raise SettingsError(f"{ENVIRONMENT} holds invalid settings: {exc}") from exc


def parse_size(text: str) -> int:
    """A size in bytes from ``268435456``, ``256MiB``, ``500MB``, ``1G``... (``M`` and ``G`` are
    decimal, ``MiB`` and ``GiB`` binary)."""
    match = _SIZE.fullmatch(text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS:
        raise SettingsError(f"not a size: {text!r} (write 268435456, 256MiB, 500MB or 1GiB)")
    return int(match.group(1)) * _UNITS[unit]

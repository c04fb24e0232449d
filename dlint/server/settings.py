"""How the service runs: address, processes, concurrent checks, time budgets, request limits, who may
call it, and the ``[limits]`` of the engine.

The settings travel to worker processes in one environment variable (the server starts each worker
from an import string, so it cannot hand them an object).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import os
import re
from dataclasses import dataclass, field

from dlint.limits import LimitError, Limits

#: The environment variable holding the settings of the worker processes, as JSON.
ENVIRONMENT = "DLINT_SERVE_SETTINGS"
#: The environment variable that may hold the bearer token (a token on the command line shows in ps).
TOKEN_VARIABLE = "DLINT_SERVE_TOKEN"
MIB = 1024 * 1024
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2, "mib": MIB}
_UNITS |= {"g": 1000**3, "gb": 1000**3, "gib": 1024**3}
_SIZE = re.compile(r"\s*(\d+)\s*([a-z]*)\s*", re.IGNORECASE)
#: The Host names a server bound to loopback answers to, besides its own address.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


class SettingsError(ValueError):
    """A setting that cannot be honoured."""


@dataclass(frozen=True)
class ServerSettings:
    """``max_body`` bounds a request body in bytes (larger ones get 413). Checks and fixes run in
    two lanes of one worker process each: uploads up to ``small_size`` bytes in the small lane
    (``small_jobs`` at once), larger ones in the other (``jobs`` at once); up to ``queue`` more wait
    in each lane, and further ones get 503. ``timeout`` is the time budget of a check or fix, waiting
    included; ``header_timeout`` and ``body_timeout`` bound the time a client takes to send the
    request head and the body. ``allowed_hosts`` are the ``Host`` names answered (empty: the
    loopback names and the bound address; ``*``: any). With a ``token``, requests must carry it as
    a bearer token. ``fixes_header`` bounds the size of the header that lists the fixes applied."""

    host: str = "127.0.0.1"
    port: int = 8765
    workers: int = 1
    jobs: int = 2
    max_body: int = 256 * MIB
    fixes_header: int = 4096
    small_jobs: int = 2
    small_size: int = 1 * MIB
    queue: int = 64
    timeout: float = 300.0
    header_timeout: float = 10.0
    body_timeout: float = 300.0
    allowed_hosts: tuple[str, ...] = ()
    token: str | None = field(default=None, repr=False)
    limits: Limits = field(default_factory=Limits)

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise SettingsError(f"port {self.port} is not between 0 and 65535")
        for name in ("workers", "jobs", "max_body", "fixes_header", "small_jobs"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name.replace('_', ' ')} must be at least 1")
        if self.queue < 0 or self.small_size < 0:
            raise SettingsError("queue and small size cannot be negative")
        for name in ("timeout", "header_timeout", "body_timeout"):
            if not getattr(self, name) > 0:
                raise SettingsError(f"{name.replace('_', ' ')} must be more than 0 seconds")
        if self.token is not None and not self.token.strip():
            raise SettingsError("the token cannot be empty")

    def hosts(self) -> frozenset[str]:
        """The ``Host`` names answered, in lower case, without port (``*``: any)."""
        if self.allowed_hosts:
            return frozenset(host_name(name) for name in self.allowed_hosts)
        return frozenset({*LOOPBACK_HOSTS, host_name(_bracketed(self.host))})

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
            found = {f.name: values[f.name] for f in dataclasses.fields(cls) if f.name in values}
            found["allowed_hosts"] = tuple(found.get("allowed_hosts", ()))
            found["limits"] = Limits(**found.get("limits", {}))
            return cls(**found)
        except (ValueError, TypeError, LimitError) as exc:
            raise SettingsError(f"{ENVIRONMENT} holds invalid settings: {exc}") from exc


def host_name(text: str) -> str:
    """A ``Host`` header's name: lower case, without the port (``[::1]:8765`` -> ``[::1]``)."""
    text = text.strip().lower()
    if text.startswith("["):
        return text[: text.find("]") + 1] if "]" in text else text
    name, colon, port = text.rpartition(":")
    return name if colon and port.isdigit() and ":" not in name else text


def _bracketed(host: str) -> str:
    try:
        return f"[{host}]" if ipaddress.ip_address(host).version == 6 else host
    except ValueError:
        return host


def parse_size(text: str) -> int:
    """A size in bytes from ``268435456``, ``256MiB``, ``500MB``, ``1G``... (``M`` and ``G`` are
    decimal, ``MiB`` and ``GiB`` binary)."""
    match = _SIZE.fullmatch(text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS:
        raise SettingsError(f"not a size: {text!r} (write 268435456, 256MiB, 500MB or 1GiB)")
    return int(match.group(1)) * _UNITS[unit]

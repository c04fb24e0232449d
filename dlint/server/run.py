"""Run the service on uvicorn: one process, or ``workers`` processes sharing the port."""

from __future__ import annotations

import importlib.util
import os
import socket

import uvicorn

from dlint.server.protocol import TimedH11Protocol
from dlint.server.settings import ENVIRONMENT, ServerSettings, SettingsError

#: What each server process imports besides uvicorn (the docs' scripts and styles come in a package).
PACKAGES = ("fastapi", "fastapi_offline")


def missing_package() -> str | None:
    """The first of :data:`PACKAGES` that is not installed."""
    return next((name for name in PACKAGES if importlib.util.find_spec(name) is None), None)


def serve(settings: ServerSettings) -> None:
    """Serve until interrupted (SIGINT or SIGTERM end it gracefully). An address that cannot be
    listened on (a port in use, a host name that does not resolve) is a :class:`SettingsError`,
    raised before anything starts."""
    ensure_free(settings.host, settings.port)
    os.environ[ENVIRONMENT] = settings.to_environment()
    uvicorn.run(
        "dlint.server.app:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level="info",
        server_header=False,
        http=TimedH11Protocol,
    )


def ensure_free(host: str, port: int) -> None:
    """Bind ``host:port`` as the server will (with ``SO_REUSEADDR``), and let it go again; fail
    with one line if that cannot be done."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    shown = f"[{host}]:{port}" if family == socket.AF_INET6 else f"{host}:{port}"
    try:
        with socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SettingsError(f"cannot listen on {shown}: {reason[:1].lower()}{reason[1:]}") from exc

"""Run the service on uvicorn: one process, or ``workers`` processes sharing the port."""

from __future__ import annotations

import os

import uvicorn

from dlint.server.protocol import TimedH11Protocol
from dlint.server.settings import ENVIRONMENT, ServerSettings


def serve(settings: ServerSettings) -> None:
    """Serve until interrupted (SIGINT or SIGTERM end it gracefully)."""
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

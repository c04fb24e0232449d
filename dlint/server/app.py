"""The ASGI application: routes, problem handling, who may call, and the lanes of checks."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from dlint import __version__, memory
from dlint.server import handlers, openapi, problems, workers
from dlint.server.guard import DOCS_ASSETS, OPEN_PATHS, Guard
from dlint.server.lanes import Lanes
from dlint.server.settings import ServerSettings

DESCRIPTION = """Validate (and fix) Datumaro annotation files and dataset archives before importing them.

Send an annotation file as `application/json` or a dataset archive as `application/zip`. Errors are
`application/problem+json` documents."""


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    chosen = settings or ServerSettings()
    memory.exits_when_done(False)  # a server lives on: its allocator gives freed memory back

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.lanes = Lanes.of(chosen)
        await anyio.to_thread.run_sync(workers.warm)
        yield

    # The docs load their scripts, styles and icon from the service, not from the internet: it may run
    # where nothing else can be reached.
    app = FastAPIOffline(
        title="dlint", version=__version__, description=DESCRIPTION, lifespan=lifespan, static_url=DOCS_ASSETS
    )
    app.state.settings = chosen
    app.include_router(handlers.router)
    problems.install(app)
    app.add_middleware(Guard, settings=chosen)
    if chosen.token is not None:
        _declare_token(app)
    return app


def _declare_token(app: FastAPI) -> None:
    """The API description says which operations need the bearer token."""
    describe = app.openapi

    def described() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = openapi.require_token(describe(), OPEN_PATHS)
        return app.openapi_schema

    app.openapi = described  # type: ignore[method-assign]


def app_from_environment() -> FastAPI:
    """The application of a worker process, with the settings its server left in the environment."""
    return create_app(ServerSettings.from_environment())

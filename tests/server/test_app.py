"""The application in this process: the last line of defence against an unexpected exception."""

from __future__ import annotations

import logging

import anyio
import httpx
import pytest

from dlint.server.app import create_app


def test_unexpected_exception_is_a_500_problem_and_one_log_line(caplog: pytest.LogCaptureFixture) -> None:
    app = create_app()

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("kaboom")

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            return await client.get("/boom")

    with caplog.at_level(logging.INFO, logger="dlint.server"):
        answer = anyio.run(call)
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json() == {
        "type": "urn:dlint:problem:internal-error",
        "title": "Internal error",
        "status": 500,
        "detail": "internal error: RuntimeError",
    }
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert [record.getMessage() for record in errors] == ["internal error on GET /boom: RuntimeError: kaboom"]
    assert all(record.exc_info is None for record in errors)

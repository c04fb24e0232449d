"""Errors as RFC 9457 problem details: ``application/problem+json`` bodies with a stable ``type``.

Every failure the service answers goes through here: the service's own problems, request validation,
unknown routes, and, as the last line of defence, an unexpected exception (a 500 with one line in the
log, never a traceback).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MEDIA_TYPE = "application/problem+json"
LOG = logging.getLogger("dlint.server")
_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    404: "Not found",
    405: "Method not allowed",
    408: "Request timeout",
    413: "Request body too large",
    415: "Unsupported media type",
    421: "Misdirected request",
    422: "Unprocessable content",
    500: "Internal error",
    503: "Service unavailable",
    504: "Time budget exceeded",
}


class Problem(Exception):
    """A request the service refuses, with the problem type (a short slug) and what went wrong."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        *,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})


def problem_body(status: int, slug: str, detail: str, extra: Mapping[str, Any] | None = None) -> bytes:
    body = {
        "type": f"urn:dlint:problem:{slug}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **(extra or {}),
    }
    return orjson.dumps(body)


def problem_response(problem: Problem) -> Response:
    body = problem_body(problem.status, problem.slug, problem.detail, problem.extra)
    return Response(body, problem.status, headers=problem.headers, media_type=MEDIA_TYPE)


async def _on_problem(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem_response(exc)


async def _on_invalid(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
        for error in exc.errors()
    ]
    detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors) or "invalid request"
    return problem_response(Problem(422, "invalid-request", detail, extra={"errors": errors}))


async def _on_http(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
    return problem_response(Problem(exc.status_code, slug, str(exc.detail), headers=exc.headers))


def install(app: FastAPI) -> None:
    """Answer every error of ``app`` with a problem document."""
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_invalid)
    app.add_exception_handler(HTTPException, _on_http)
    app.add_middleware(LastResort)


class LastResort:
    """Turn an exception that escaped every handler into a 500 problem and one log line (the server's
    own error middleware would log a traceback and re-raise)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            LOG.error(
                "internal error on %s %s: %s: %s", scope["method"], scope["path"], type(exc).__name__, exc
            )
            LOG.debug("internal error", exc_info=True)
            if started:
                return
            detail = f"internal error: {type(exc).__name__}"
            await problem_response(Problem(500, "internal-error", detail))(scope, receive, send)

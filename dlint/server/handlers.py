"""The endpoints. No logic here: each reads its parameters, spools the body, and calls the service
(in a worker thread, within the process's job limit) and the response builders."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request
from pydantic import WithJsonSchema
from starlette.responses import Response

from dlint import __version__
from dlint.schemas import DIALECTS
from dlint.server import openapi, responses, service
from dlint.server.models import CheckResult, Health, RuleInfo, SchemaInfo
from dlint.server.settings import ServerSettings
from dlint.server.uploads import received

T = TypeVar("T")
router = APIRouter()


class OutputFormat(str, enum.Enum):
    json = "json"
    sarif = "sarif"


class Style(str, enum.Enum):
    compact = "compact"
    lines = "lines"


#: Query values documented as one of a list (the service also reads comma-separated lists of them).
Selector = Annotated[str, WithJsonSchema({"type": "string", "enum": service.selectors()})]
DialectName = Annotated[str, WithJsonSchema({"type": "string", "enum": list(DIALECTS)})]


def selection(
    select: Annotated[
        list[Selector] | None,
        Query(description="Rule codes, code prefixes or names to check (repeat, or separate by commas)."),
    ] = None,
    ignore: Annotated[
        list[Selector] | None, Query(description="Rule codes, code prefixes or names to skip.")
    ] = None,
    dialect: Annotated[
        DialectName | None, Query(description="Check as this dialect, not the detected one.")
    ] = None,
) -> service.Selection:
    return service.Selection(service.split(select), service.split(ignore), dialect)


Chosen = Annotated[service.Selection, Depends(selection)]
FileName = Annotated[
    str | None,
    Query(
        description="The upload's file name, used in diagnostics; an annotation file's stem is its subset."
    ),
]


async def job(request: Request, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``function`` in a worker thread, at most ``jobs`` of them at once in this process."""
    call = functools.partial(function, *args, **kwargs)
    return await anyio.to_thread.run_sync(call, limiter=request.app.state.jobs)


def settings(request: Request) -> ServerSettings:
    chosen: ServerSettings = request.app.state.settings
    return chosen


@router.get("/healthz", response_model=Health, tags=["service"])
async def healthz() -> Response:
    return responses.json_response({"status": "ok", "version": __version__})


@router.get("/v1/rules", response_model=list[RuleInfo], tags=["rules"])
async def list_rules() -> Response:
    return responses.json_response(service.rules())


@router.get("/v1/rules/{code}", response_model=RuleInfo, tags=["rules"], responses=openapi.problems(404))
async def get_rule(code: str) -> Response:
    return responses.json_response(service.rule(code))


@router.get("/v1/schemas", response_model=list[SchemaInfo], tags=["schemas"])
async def list_schemas() -> Response:
    return responses.json_response(service.schemas())


@router.get("/v1/schemas/{dialect}", tags=["schemas"], responses=openapi.SCHEMA | openapi.problems(404))
async def get_schema(dialect: str) -> Response:
    return Response(service.schema(dialect), media_type=responses.SCHEMA_TYPE)


@router.post(
    "/v1/check",
    tags=["lint"],
    response_model=CheckResult,
    openapi_extra=openapi.UPLOAD,
    responses=openapi.CHECKED | openapi.problems(400, 413, 415, 422),
)
async def check(
    request: Request,
    chosen: Chosen,
    output_format: OutputFormat = OutputFormat.json,
    filename: FileName = None,
) -> Response:
    """Lint an annotation file (`application/json`) or a dataset archive (`application/zip`).

    A file that does not parse is a lint result: 200, with its diagnostic.
    """
    options = chosen.options()
    async with received(request, settings(request).max_body, filename) as upload:
        report = await job(request, service.check, upload, options)
    return await job(request, responses.checked, report, output_format.value)


@router.post(
    "/v1/fix",
    tags=["lint"],
    openapi_extra=openapi.UPLOAD,
    responses=openapi.FIXED | openapi.problems(400, 413, 415, 422),
)
async def fix(
    request: Request,
    chosen: Chosen,
    unsafe_fixes: Annotated[bool, Query(description="Apply unsafe fixes too.")] = False,
    style: Annotated[Style, Query(description="compact, or one annotation per line.")] = Style.compact,
    filename: FileName = None,
) -> Response:
    """Fix an annotation file or a dataset archive; answer with the fixed file (the `X-Dlint-*`
    headers say what was done and what remains)."""
    options = chosen.options()
    async with received(request, settings(request).max_body, filename) as upload:
        result = await job(
            request, service.fix_upload, upload, options, unsafe=unsafe_fixes, style=style.value
        )
    return responses.fixed(result, upload, settings(request).fixes_header)

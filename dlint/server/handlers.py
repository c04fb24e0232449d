"""The endpoints. No logic here: each reads its parameters, spools the body, and runs the job (in a
worker process, in its lane, within the time budget: see ``dlint.server.lanes``), then sends the
answer the job wrote."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import WithJsonSchema
from starlette.responses import Response

from dlint import __version__
from dlint.api import split_selectors
from dlint.readers import Reader
from dlint.schemas import DIALECTS
from dlint.server import jobs, openapi, pages, responses, service
from dlint.server.lanes import Lanes, bounded
from dlint.server.models import CheckResult, Health, RuleInfo, SchemaInfo
from dlint.server.settings import ServerSettings
from dlint.server.uploads import BodyLimits, received

router = APIRouter(responses=openapi.problems(421))


class OutputFormat(str, enum.Enum):
    json = "json"
    sarif = "sarif"
    html = "html"


class Style(str, enum.Enum):
    compact = "compact"
    lines = "lines"


#: Query values documented as one of a list (the service also reads comma-separated lists of them).
Selector = Annotated[str, WithJsonSchema({"type": "string", "enum": service.selectors()})]
DialectName = Annotated[str, WithJsonSchema({"type": "string", "enum": list(DIALECTS)})]
TargetName = Annotated[str, WithJsonSchema({"type": "string", "enum": [*(r.value for r in Reader), "all"]})]


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
    target: Annotated[
        list[TargetName] | None,
        Query(
            description="The readers the files must satisfy (repeat, or separate by commas; default: "
            "the reader of each file's dialect, cvat for CVAT's and datumaro for the others)."
        ),
    ] = None,
) -> service.Selection:
    return service.Selection(
        split_selectors(select), split_selectors(ignore), dialect, split_selectors(target)
    )


Chosen = Annotated[service.Selection, Depends(selection)]
Format = Annotated[
    OutputFormat,
    Query(
        description="json: the diagnostics and their summary; sarif: a SARIF 2.1.0 log; html: the visual "
        "report, one self-contained page (the items drawn over their images, found in an uploaded archive)."
    ),
]
FileName = Annotated[
    str | None,
    Query(
        description="The upload's file name, used in diagnostics; an annotation file's stem is its subset."
    ),
]


def settings(request: Request) -> ServerSettings:
    chosen: ServerSettings = request.app.state.settings
    return chosen


def body_limits(request: Request) -> BodyLimits:
    chosen = settings(request)
    return BodyLimits(chosen.max_body, chosen.limits.max_file_size, chosen.body_timeout)


async def answered(
    request: Request, filename: str | None, job: Callable[..., jobs.Answer], *args: Any
) -> Response:
    """Spool the body, run ``job(upload, *args)`` in its lane, and send the answer it wrote."""
    chosen = settings(request)
    lanes: Lanes = request.app.state.lanes
    async with received(request, body_limits(request), filename) as upload:
        lane = lanes.for_size(upload.size)
        answer = await bounded(request, lane, chosen.limits, chosen.timeout, job, upload, *args)
        stream = (upload.folder / answer.name).open("rb")
    return responses.streamed(stream, answer.media_type, answer.headers)


@router.get("/", include_in_schema=False)
async def upload_page(request: Request) -> Response:
    """The upload page: drop a file, see its visual report (open, as the docs are)."""
    return pages.upload_page(settings(request).token is not None)


@router.get("/healthz", response_model=Health, tags=["service"])
async def healthz() -> Response:
    return responses.json_response({"status": "ok", "version": __version__})


@router.get("/v1/rules", response_model=list[RuleInfo], tags=["rules"], responses=openapi.problems(401))
async def list_rules() -> Response:
    return responses.json_response(service.rules())


@router.get("/v1/rules/{code}", response_model=RuleInfo, tags=["rules"], responses=openapi.problems(401, 404))
async def get_rule(code: str) -> Response:
    return responses.json_response(service.rule(code))


@router.get("/v1/schemas", response_model=list[SchemaInfo], tags=["schemas"], responses=openapi.problems(401))
async def list_schemas() -> Response:
    return responses.json_response(service.schemas())


@router.get("/v1/schemas/{dialect}", tags=["schemas"], responses=openapi.SCHEMA | openapi.problems(401, 404))
async def get_schema(dialect: str) -> Response:
    return Response(service.schema(dialect), media_type=responses.SCHEMA_TYPE)


@router.post(
    "/v1/check",
    tags=["lint"],
    response_model=CheckResult,
    openapi_extra=openapi.UPLOAD,
    responses=openapi.CHECKED | openapi.problems(*openapi.UPLOAD_PROBLEMS),
)
async def check(
    request: Request,
    chosen: Chosen,
    output_format: Format = OutputFormat.json,
    filename: FileName = None,
) -> Response:
    """Lint an annotation file (`application/json`) or a dataset archive (`application/zip`).

    A file that does not parse is a lint result: 200, with its diagnostic.
    """
    return await answered(request, filename, jobs.check, chosen.options(), output_format.value)


@router.post(
    "/v1/fix",
    tags=["lint"],
    openapi_extra=openapi.UPLOAD,
    responses=openapi.FIXED | openapi.problems(*openapi.UPLOAD_PROBLEMS),
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
    header_limit = settings(request).fixes_header
    return await answered(
        request, filename, jobs.fix, chosen.options(), unsafe_fixes, style.value, header_limit
    )

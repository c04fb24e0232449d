"""OpenAPI fragments for what the endpoint signatures cannot say: raw request bodies, the media
types of answers, the fix headers and problem documents."""

from __future__ import annotations

from typing import Any

from dlint.server.models import ProblemDetails

_BINARY = {"type": "string", "format": "binary"}

UPLOAD: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "An annotation file, or a zip archive holding one or more datasets.",
        "content": {
            "application/json": {"schema": {"description": "A Datumaro annotation file."}},
            "application/zip": {"schema": _BINARY},
        },
    }
}

CHECKED: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The diagnostics and their summary; a SARIF 2.1.0 log for `output_format=sarif`; "
        "the visual report, one self-contained HTML page, for `output_format=html`.",
        "content": {
            "application/sarif+json": {"schema": {"type": "object"}},
            "text/html": {"schema": {"type": "string"}},
        },
    }
}

_FIX_HEADERS = {
    "X-Dlint-Changed": "`true` when the file or archive changed.",
    "X-Dlint-Fixes-Count": "How many fixes were applied.",
    "X-Dlint-Fixes": "JSON array of the fixes applied (file, code, pointer, title), cut to a bounded size.",
    "X-Dlint-Summary": "JSON summary of the diagnostics that remain (as `summary` of `/v1/check`).",
    "X-Dlint-Not-Fixed": "JSON array of the files left as they were, and why.",
}

FIXED: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The fixed file or archive (unchanged when there was nothing to fix).",
        "content": {"application/json": {"schema": {}}, "application/zip": {"schema": _BINARY}},
        "headers": {
            name: {"description": text, "schema": {"type": "string"}} for name, text in _FIX_HEADERS.items()
        },
    }
}

SCHEMA: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The dialect's JSON Schema (draft 2020-12), as released.",
        "content": {"application/schema+json": {"schema": {"type": "object"}}},
    }
}

_PROBLEM = {"application/problem+json": {"schema": ProblemDetails.model_json_schema()}}
_MEANINGS = {
    400: "Unknown rule selector or dialect.",
    401: "The service runs with a token, and the request does not carry it as `Authorization: Bearer`.",
    404: "No such rule or dialect.",
    408: "The request body did not arrive within the body timeout.",
    413: "The request body is larger than the limit (for an annotation file, also `limits.max-file-size`).",
    415: "The body is neither application/json nor application/zip.",
    421: "The `Host` of the request is not one the service answers for.",
    422: "Invalid parameters, or an archive that cannot be read or holds no annotation file.",
    503: "Busy: the queue of checks is full, or no slot was free within the time budget (see `Retry-After`).",
    504: "The check ran past the time budget, and was stopped.",
}
#: The problems of the endpoints that take an upload.
UPLOAD_PROBLEMS = (400, 401, 408, 413, 415, 422, 503, 504)


_HEADERS = {
    401: {"WWW-Authenticate": "`Bearer`: the authentication scheme the service expects."},
    503: {"Retry-After": "Seconds to wait before trying again."},
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Problem-document answers for these statuses."""
    return {status: _problem(status) for status in statuses}


def _problem(status: int) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": _MEANINGS[status], "content": _PROBLEM}
    headers = _HEADERS.get(status)
    if headers:
        answer["headers"] = {
            name: {"description": text, "schema": {"type": "string"}} for name, text in headers.items()
        }
    return answer


def require_token(schema: dict[str, Any], open_paths: frozenset[str]) -> dict[str, Any]:
    """Declare the bearer token in ``schema``, on every operation outside ``open_paths``."""
    schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes["bearer"] = {"type": "http", "scheme": "bearer"}
    for path, item in schema.get("paths", {}).items():
        if path not in open_paths:
            for operation in item.values():
                operation["security"] = [{"bearer": []}]
    return schema

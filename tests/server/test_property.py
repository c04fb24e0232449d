"""Property-based API test: requests generated from the served OpenAPI description (valid and
invalid parameters, arbitrary JSON bodies, arbitrary bytes as archives) never get a 5xx, and every
answer matches what the description promises."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from tests.server.conftest import Server

#: Examples per operation and generation mode.
EXAMPLES = 80
OPERATIONS = [
    ("GET", "/healthz"),
    ("GET", "/v1/rules"),
    ("GET", "/v1/rules/{code}"),
    ("GET", "/v1/schemas"),
    ("GET", "/v1/schemas/{dialect}"),
    ("POST", "/v1/check", "application/json"),
    ("POST", "/v1/check", "application/zip"),
    ("POST", "/v1/fix", "application/json"),
    ("POST", "/v1/fix", "application/zip"),
]


@pytest.fixture(scope="module")
def api(server: Server) -> Any:
    return schemathesis.openapi.from_url(f"{server.url}/openapi.json")


def test_the_description_lists_every_operation(api: Any) -> None:
    served = {(operation.ok().method.upper(), operation.ok().path) for operation in api.get_all_operations()}
    assert served == {(method, path) for method, path, *_ in OPERATIONS}


#: Invalid requests for the operations that take typed parameters (the others accept any).
CASES = [(operation, GenerationMode.POSITIVE) for operation in OPERATIONS] + [
    (operation, GenerationMode.NEGATIVE) for operation in OPERATIONS if operation[0] == "POST"
]


@pytest.mark.parametrize(
    ("operation", "mode"),
    CASES,
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else str(value),
)
def test_no_server_error(api: Any, server: Server, operation: tuple[str, ...], mode: GenerationMode) -> None:
    method, path, *media = operation
    strategy = api[path][method].as_strategy(mode, media_type=media[0] if media else None)

    @given(case=strategy)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        case.call_and_validate(base_url=server.url)

    run()

"""The read-only endpoints of the real server: health, OpenAPI, rules and schemas."""

from __future__ import annotations

from typing import Any

import httpx

from dlint import __version__
from dlint.schemas import DIALECTS, schema_text
from tests.conftest import ROOT


def test_healthz(client: httpx.Client) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "version": __version__}


def test_openapi_and_docs(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "dlint"
    expected = {"/healthz", "/v1/rules", "/v1/rules/{code}", "/v1/schemas", "/v1/schemas/{dialect}"}
    assert expected | {"/v1/check", "/v1/fix"} <= set(spec["paths"])
    body = spec["paths"]["/v1/check"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "application/zip"}
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_rules_list_the_cli_json(client: httpx.Client, dlint: Any) -> None:
    run = dlint("rules", "--output-format", "json")
    answer = client.get("/v1/rules")
    assert answer.status_code == 200
    assert answer.json() == run.json()


def test_one_rule_by_code_or_name(client: httpx.Client) -> None:
    by_code = client.get("/v1/rules/DL302").json()
    assert by_code["name"] == "invalid-rle-counts" and by_code["severity"] == "error"
    assert by_code["docs"].startswith(by_code["summary"])
    assert client.get("/v1/rules/invalid-rle-counts").json() == by_code
    assert client.get("/v1/rules/dl302").json() == by_code


def test_unknown_rule_is_a_problem(client: httpx.Client) -> None:
    answer = client.get("/v1/rules/DL999")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == "urn:dlint:problem:unknown-rule"


def test_schemas(client: httpx.Client) -> None:
    listed = client.get("/v1/schemas").json()
    assert [entry["dialect"] for entry in listed] == list(DIALECTS)
    for entry in listed:
        answer = client.get(entry["url"])
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/schema+json"
        assert answer.text == schema_text(entry["dialect"])
        assert answer.json()["$id"] == entry["id"]


def test_unknown_dialect_and_route_are_problems(client: httpx.Client) -> None:
    answer = client.get("/v1/schemas/datumaro-9")
    assert answer.status_code == 404
    assert answer.json()["type"] == "urn:dlint:problem:unknown-dialect"
    missing = client.get("/v2/nothing")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    wrong = client.get("/v1/check")
    assert wrong.status_code == 405
    assert wrong.json()["status"] == 405


def test_readme_lists_the_served_endpoints(client: httpx.Client) -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("| endpoint | answers |", 1)[1].split("\n\n", 1)[0]
    documented = {
        tuple(part.strip().split(" ", 1))
        for row in table.strip().splitlines()[1:]
        for part in row.split("|")[1].replace("`", "").split(",")
    }
    spec = client.get("/openapi.json").json()
    served = {(method.upper(), path) for path, item in spec["paths"].items() for method in item}
    assert documented == served

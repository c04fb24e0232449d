"""``POST /v1/check`` on the real server: annotation files, archives, options, formats."""

from __future__ import annotations

import json

import httpx
import orjson

from dlint.api import lint
from tests.server.data import CVAT_DOCS, EXPORT, JSON, ZIP, archive
from tests.test_targets import DOC as TARGETED


def test_json_file_gives_the_cli_diagnostics(client: httpx.Client) -> None:
    answer = client.post("/v1/check", content=CVAT_DOCS.read_bytes(), headers=JSON)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    result = answer.json()
    expected = lint([str(CVAT_DOCS)]).diagnostics
    assert [(d["code"], d["pointer"], d["line"]) for d in result["diagnostics"]] == [
        (d.code, d.pointer, d.line) for d in expected
    ]
    assert {d["file"] for d in result["diagnostics"]} == {"default.json"}
    assert result["summary"] == {
        "passed": False,
        "files": 1,
        "diagnostics": 2,
        "errors": 1,
        "warnings": 1,
        "infos": 0,
        "fixable": 0,
        "unsafe_fixable": 0,
    }


def test_file_name_names_the_file_and_subset(client: httpx.Client) -> None:
    params = {"filename": "../../etc/train.json"}
    answer = client.post("/v1/check", content=CVAT_DOCS.read_bytes(), headers=JSON, params=params)
    diagnostic = answer.json()["diagnostics"][0]
    assert (diagnostic["file"], diagnostic["subset"]) == ("train.json", "train")


def test_a_file_that_does_not_parse_is_a_lint_result(client: httpx.Client) -> None:
    answer = client.post("/v1/check", content=b'{"items": [', headers=JSON)
    assert answer.status_code == 200
    result = answer.json()
    assert [d["code"] for d in result["diagnostics"]] == ["DL001"]
    assert result["summary"]["passed"] is False


def test_select_and_ignore(client: httpx.Client) -> None:
    body = CVAT_DOCS.read_bytes()
    only = client.post("/v1/check", content=body, headers=JSON, params={"select": "DL3"}).json()
    assert [d["code"] for d in only["diagnostics"]] == ["DL302"]
    params = [("ignore", "DL302"), ("ignore", "zero-area-polygon")]
    none = client.post("/v1/check", content=body, headers=JSON, params=params).json()
    assert none["diagnostics"] == [] and none["summary"]["passed"] is True
    both = client.post("/v1/check", content=body, headers=JSON, params={"ignore": "DL302,DL211"}).json()
    assert both["diagnostics"] == []
    spaced = client.post("/v1/check", content=body, headers=JSON, params={"ignore": " DL302 , DL211"})
    assert spaced.json()["diagnostics"] == []  # read as the command line reads --ignore


def test_unknown_selector_is_a_problem(client: httpx.Client) -> None:
    answer = client.post("/v1/check", content=b"{}", headers=JSON, params={"select": "DL9999x"})
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == "urn:dlint:problem:invalid-options"
    assert "DL9999x" in problem["detail"]


def test_invalid_parameter_is_a_problem(client: httpx.Client) -> None:
    answer = client.post("/v1/check", content=b"{}", headers=JSON, params={"output_format": "xml"})
    assert answer.status_code == 422
    assert answer.json()["type"] == "urn:dlint:problem:invalid-request"


def test_unsupported_media_type(client: httpx.Client) -> None:
    answer = client.post("/v1/check", content=b"{}", headers={"content-type": "text/plain"})
    assert answer.status_code == 415
    assert answer.json()["type"] == "urn:dlint:problem:unsupported-media-type"


def test_sarif(client: httpx.Client) -> None:
    params = {"output_format": "sarif"}
    answer = client.post("/v1/check", content=CVAT_DOCS.read_bytes(), headers=JSON, params=params)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/sarif+json"
    log = answer.json()
    assert log["version"] == "2.1.0"
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["DL211", "DL302"]
    uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "default.json"


def test_valid_archive_passes(client: httpx.Client) -> None:
    answer = client.post("/v1/check", content=archive(EXPORT), headers=ZIP)
    assert answer.status_code == 200
    assert answer.json() == {
        "diagnostics": [],
        "summary": {
            "passed": True,
            "files": 2,
            "diagnostics": 0,
            "errors": 0,
            "warnings": 0,
            "infos": 0,
            "fixable": 0,
            "unsafe_fixable": 0,
        },
    }


def test_archive_diagnostics_name_members_and_see_media(client: httpx.Client) -> None:
    train = json.loads((EXPORT / "annotations" / "train.json").read_bytes())
    train["items"][0]["image"]["path"] = "missing.jpg"
    body = archive(EXPORT, {"annotations/train.json": json.dumps(train).encode()}, prefix="export/")
    answer = client.post("/v1/check", content=body, headers=ZIP, params={"filename": "batch-7.zip"})
    assert answer.status_code == 200
    result = answer.json()
    assert [(d["code"], d["file"]) for d in result["diagnostics"]] == [
        ("DL407", "batch-7.zip/export/annotations/train.json")
    ]
    assert result["summary"]["files"] == 2 and result["summary"]["errors"] == 1


def test_the_service_takes_a_target(client: httpx.Client) -> None:
    body = orjson.dumps(TARGETED)

    def severities(**params: str) -> list[str]:
        answer = client.post("/v1/check", content=body, headers=JSON, params=params)
        assert answer.status_code == 200
        return [d["severity"] for d in answer.json()["diagnostics"]]

    assert severities() == ["warning"]
    assert severities(target="cvat") == ["error"]
    assert severities(target="all") == ["error"]
    refused = client.post("/v1/check", content=body, headers=JSON, params={"target": "nope"})
    assert refused.status_code in (400, 422)

"""``POST /v1/fix`` on the real server: the fixed file or archive, and the fix headers."""

from __future__ import annotations

import io
import json
import zipfile

import httpx

from tests.server.data import CVAT_DOCS, EXPORT, JSON, ZIP, archive, fixable


def test_safe_fixes_of_a_file(client: httpx.Client) -> None:
    answer = client.post("/v1/fix", content=fixable(), headers=JSON)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    fixed = json.loads(answer.content)
    assert fixed["items"][0]["annotations"][1]["label_id"] == 1
    assert len(fixed["items"][0]["annotations"][2]["points"]) == 9  # an unsafe fix: not applied
    assert answer.headers["x-dlint-changed"] == "true"
    assert answer.headers["x-dlint-fixes-count"] == "1"
    fixes = json.loads(answer.headers["x-dlint-fixes"])
    assert fixes == [
        {
            "file": "default.json",
            "code": "DL103",
            "pointer": "/items/0/annotations/1/label_id",
            "title": "write label_id as the integer 1",
        }
    ]
    remaining = json.loads(answer.headers["x-dlint-summary"])
    assert (remaining["errors"], remaining["unsafe_fixable"], remaining["passed"]) == (1, 1, False)
    recheck = client.post("/v1/check", content=answer.content, headers=JSON).json()
    assert [d["code"] for d in recheck["diagnostics"]] == ["DL201"]


def test_unsafe_fixes_on_request(client: httpx.Client) -> None:
    params = {"unsafe_fixes": "true", "style": "lines"}
    answer = client.post("/v1/fix", content=fixable(), headers=JSON, params=params)
    assert answer.headers["x-dlint-fixes-count"] == "2"
    assert json.loads(answer.headers["x-dlint-summary"])["passed"] is True
    assert answer.content.count(b"\n") > 5  # one annotation per line
    recheck = client.post("/v1/check", content=answer.content, headers=JSON).json()
    assert recheck["diagnostics"] == []


def test_nothing_to_fix_returns_the_same_bytes(client: httpx.Client) -> None:
    body = (EXPORT / "annotations" / "train.json").read_bytes()
    answer = client.post("/v1/fix", content=body, headers=JSON)
    assert answer.status_code == 200
    assert answer.content == body
    assert answer.headers["x-dlint-changed"] == "false"
    assert json.loads(answer.headers["x-dlint-fixes"]) == []


def test_a_file_that_does_not_parse_is_sent_back_unchanged(client: httpx.Client) -> None:
    answer = client.post("/v1/fix", content=b"[1, 2", headers=JSON)
    assert answer.status_code == 200
    assert answer.content == b"[1, 2"
    assert json.loads(answer.headers["x-dlint-not-fixed"]) == [
        {"file": "default.json", "reason": "the file does not parse"}
    ]
    assert json.loads(answer.headers["x-dlint-summary"])["errors"] == 1


def test_fix_an_archive(client: httpx.Client) -> None:
    body = archive(EXPORT, {"annotations/train.json": fixable()})
    answer = client.post("/v1/fix", content=body, headers=ZIP, params={"unsafe_fixes": "true"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    assert 'filename="upload.zip"' in answer.headers["content-disposition"]
    fixes = json.loads(answer.headers["x-dlint-fixes"])
    assert {(f["file"], f["code"]) for f in fixes} == {
        ("upload.zip/annotations/train.json", "DL103"),
        ("upload.zip/annotations/train.json", "DL201"),
    }
    with zipfile.ZipFile(io.BytesIO(answer.content)) as fixed, zipfile.ZipFile(io.BytesIO(body)) as sent:
        assert fixed.namelist() == sent.namelist()
        assert fixed.read("images/train/img_001.jpg") == sent.read("images/train/img_001.jpg")
        assert fixed.read("annotations/val.json") == sent.read("annotations/val.json")
        train = json.loads(fixed.read("annotations/train.json"))
    assert train["items"][0]["annotations"][1]["label_id"] == 1
    recheck = client.post("/v1/check", content=answer.content, headers=ZIP).json()
    assert recheck["summary"]["passed"] is True and recheck["diagnostics"] == []


def test_fix_header_stays_bounded(client: httpx.Client) -> None:
    data = json.loads((EXPORT / "annotations" / "train.json").read_bytes())
    template = data["items"][0]["annotations"][1]
    data["items"][0]["annotations"] = [
        {**template, "id": 100 + index, "label_id": "1"} for index in range(300)
    ]
    answer = client.post("/v1/fix", content=json.dumps(data).encode(), headers=JSON)
    assert answer.status_code == 200
    assert answer.headers["x-dlint-fixes-count"] == "300"
    header = answer.headers["x-dlint-fixes"]
    assert len(header) <= 4096
    listed = json.loads(header)
    assert 0 < len(listed) < 300


def test_fix_keeps_remaining_errors_in_the_summary(client: httpx.Client) -> None:
    answer = client.post("/v1/fix", content=CVAT_DOCS.read_bytes(), headers=JSON)
    assert answer.status_code == 200
    summary = json.loads(answer.headers["x-dlint-summary"])
    assert (summary["errors"], summary["warnings"]) == (1, 1)

"""A refusal fails a request whatever rules it selects: ``?ignore=DL006`` cannot turn a zip-slip
archive or a file that is not JSON into a passed check."""

from __future__ import annotations

import httpx
import pytest

from tests.hardening.conftest import zip_bytes
from tests.server.data import CVAT_DOCS, JSON, ZIP

SLIP = zip_bytes([("annotations/default.json", CVAT_DOCS.read_bytes()), ("../../escape.txt", b"x")])


@pytest.mark.parametrize("ignore", ["DL006", "DL0", "ALL"])
def test_an_unsafe_archive_is_refused_whatever_is_ignored(client: httpx.Client, ignore: str) -> None:
    answer = client.post("/v1/check", content=SLIP, headers=ZIP, params={"ignore": ignore})
    assert answer.status_code == 422, answer.text
    assert "escape" in answer.json()["detail"]


@pytest.mark.parametrize("ignore", ["DL001", "DL0", "ALL"])
def test_invalid_json_fails_whatever_is_ignored(client: httpx.Client, ignore: str) -> None:
    answer = client.post("/v1/check", content=b'{"items": [,]}', headers=JSON, params={"ignore": ignore})
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["summary"]["passed"] is False
    assert [d["code"] for d in result["diagnostics"]] == ["DL001"]

"""Bodies past the limit, broken archives, and many requests at once, on the real server."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.server.conftest import LIMIT, Server
from tests.server.data import CVAT_DOCS, EXPORT, JSON, ZIP, archive, broken_archives, fixable


def _raw_request(server: Server, head: str) -> bytes:
    """Send a request head and no body; read what the server answers before the connection ends."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(head.encode())
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


def test_declared_length_past_the_limit_is_refused_unread(server: Server) -> None:
    head = (
        "POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/zip\r\n"
        f"Content-Length: {300 * 1024 * 1024}\r\n\r\n"
    )
    answer = _raw_request(server, head)  # no body sent: the server answers without waiting for it
    status, _, rest = answer.partition(b"\r\n")
    assert status == b"HTTP/1.1 413 Request Entity Too Large"
    assert b"content-type: application/problem+json" in rest.lower()
    problem = json.loads(rest.partition(b"\r\n\r\n")[2])
    assert problem["type"] == "urn:dlint:problem:body-too-large"
    assert problem["limit"] == LIMIT


def test_streamed_body_past_the_limit(client: httpx.Client) -> None:
    def body() -> Iterator[bytes]:
        for _ in range(LIMIT // 65536):
            yield b" " * 65536
        yield b" "  # one byte past the limit

    answer = client.post("/v1/check", content=body(), headers=JSON)
    assert answer.status_code == 413
    assert answer.json()["limit"] == LIMIT


def test_body_at_the_limit_is_read(client: httpx.Client) -> None:
    body = b"{}" + b" " * (LIMIT - 2)
    answer = client.post("/v1/check", content=body, headers=JSON)
    assert answer.status_code == 200
    assert answer.json()["summary"]["files"] == 1


@pytest.mark.parametrize("name", sorted(broken_archives()))
@pytest.mark.parametrize("endpoint", ["/v1/check", "/v1/fix"])
def test_broken_archive_is_a_problem(client: httpx.Client, name: str, endpoint: str) -> None:
    answer = client.post(endpoint, content=broken_archives()[name], headers=ZIP)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == 422
    assert problem["type"] in {
        "urn:dlint:problem:unreadable-archive",
        "urn:dlint:problem:no-annotation-files",
    }
    assert "dlint-upload-" not in problem["detail"]  # no temporary path leaks out


def test_48_concurrent_requests(server: Server) -> None:
    cases = {
        "json": (CVAT_DOCS.read_bytes(), JSON, "/v1/check"),
        "zip": (archive(EXPORT), ZIP, "/v1/check"),
        "fix": (fixable(), JSON, "/v1/fix"),
        "broken": (b"PK\x03\x04 not really", ZIP, "/v1/check"),
    }
    names = [name for _ in range(12) for name in cases]

    def send(name: str) -> tuple[str, httpx.Response]:
        body, headers, endpoint = cases[name]
        with server.client() as session:
            return name, session.post(endpoint, content=body, headers=headers)

    with ThreadPoolExecutor(max_workers=48) as pool:
        answers = list(pool.map(send, names))
    assert len(answers) == 48
    for name, answer in answers:
        if name == "json":
            assert answer.status_code == 200
            assert [d["code"] for d in answer.json()["diagnostics"]] == ["DL211", "DL302"]
        elif name == "zip":
            assert answer.status_code == 200
            assert answer.json()["summary"] == {**answer.json()["summary"], "passed": True, "files": 2}
        elif name == "fix":
            assert answer.status_code == 200
            assert json.loads(answer.content)["items"][0]["annotations"][1]["label_id"] == 1
        else:
            assert answer.status_code == 422
    assert "Traceback" not in server.log_text()

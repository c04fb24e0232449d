"""Bounded work, on real servers: the engine's limits from the configuration, checks that stop when
their client hangs up or their time budget runs out, small uploads that do not wait behind large
ones, and a full queue answered at once."""

from __future__ import annotations

import io
import json
import socket
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import Server, running
from tests.server.data import CVAT_DOCS, JSON, ZIP, heavy
from tests.server.processes import cpu_seconds, wait_for, workers

#: The time budget of the bounded server's checks.
BUDGET = 8


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The folder's configuration allows archives of two members, the command line files of 8 MiB."""
    folder = tmp_path_factory.mktemp("limited")
    (folder / "dlint.toml").write_text("[limits]\nmax-archive-members = 2\n")
    with running(folder, "--limit", "max-file-size=8MiB") as started:
        yield started


@pytest.fixture(scope="module")
def bounded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Two checks of large uploads (above 64 KiB) at once, one of small ones, no queue, a short time
    budget."""
    options = ["--jobs", "2", "--small-jobs", "1", "--small-size", "64KiB", "--queue", "0"]
    with running(tmp_path_factory.mktemp("bounded"), *options, "--timeout", str(BUDGET)) as started:
        yield started


def _members(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for index in range(count):
            target.writestr(f"annotations/part{index}.json", CVAT_DOCS.read_bytes())
    return buffer.getvalue()


def test_limits_come_from_the_configuration_and_the_command_line(limited: Server) -> None:
    with limited.client() as client:
        assert client.post("/v1/check", content=_members(2), headers=ZIP).status_code == 200
        refused = client.post("/v1/check", content=_members(3), headers=ZIP)
        assert refused.status_code == 422, refused.text
        assert "max-archive-members" in refused.json()["detail"]
        big = b"{}" + b" " * (8 * 1024 * 1024 - 1)
        answer = client.post("/v1/check", content=big, headers=JSON)
        assert answer.status_code == 413
        assert answer.json()["limit"] == 8 * 1024 * 1024
        assert "limits.max-file-size" in answer.json()["detail"]
        packed = io.BytesIO()
        with zipfile.ZipFile(packed, "w") as target:  # stored: no ratio to refuse
            target.writestr("annotations/default.json", big)
        answer = client.post("/v1/check", content=packed.getvalue(), headers=ZIP)
        assert answer.status_code == 422
        assert "max-file-size" in answer.json()["detail"]


def _post(server: Server, body: bytes) -> httpx.Response:
    with server.client() as client:
        return client.post("/v1/check", content=body, headers=ZIP)


def test_small_uploads_pass_large_ones_and_the_budget_stops_them(bounded: Server) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        large: list[Future[httpx.Response]] = [pool.submit(_post, bounded, heavy()) for _ in range(2)]
        assert wait_for(lambda: len(workers(bounded.pid)) == 2, 30), "two checks should be running"
        with bounded.client() as client:
            small = client.post("/v1/check", content=CVAT_DOCS.read_bytes(), headers=JSON)
            assert small.status_code == 200
            assert not any(future.done() for future in large), "the small check answered after a large one"
            full = client.post("/v1/check", content=heavy(), headers=ZIP)  # the third large upload
            assert full.status_code == 503
            assert full.headers["content-type"] == "application/problem+json"
            assert full.json()["type"] == "urn:dlint:problem:busy"
            assert int(full.headers["retry-after"]) > 0
        answers = [future.result() for future in large]
    for answer in answers:
        assert answer.status_code == 504, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"] == "urn:dlint:problem:time-budget-exceeded"
        assert answer.json()["budget"] == BUDGET
    assert wait_for(lambda: not workers(bounded.pid), 10), "the stopped checks' processes remain"


def test_hang_up_stops_the_check(server: Server) -> None:
    body = heavy()
    head = (
        f"POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/zip\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    idle = cpu_seconds(server.pid)
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        connection.sendall(head.encode() + body)
        assert wait_for(lambda: cpu_seconds(server.pid) - idle > 1.0, 30), "the check should be running"
        running = workers(server.pid)
    assert running, "the check runs in a worker process"
    assert wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in running), 10)
    before = cpu_seconds(server.pid)
    wait_for(lambda: False, 2.0)
    assert cpu_seconds(server.pid) - before < 0.5, "the server kept working for a client that left"
    assert json.loads(_check_cvat(server))["summary"]["files"] == 1  # and it still answers


def _check_cvat(server: Server) -> bytes:
    with server.client() as client:
        return client.post("/v1/check", content=CVAT_DOCS.read_bytes(), headers=JSON).content

"""Slow clients, on a real server with short timeouts: a request head or body that trickles in is
cut off, and the body's temporary folder is removed."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.conftest import Server, running
from tests.server.processes import wait_for

#: How long the test trickles before it gives up waiting to be cut off.
PATIENCE = 20.0


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    folder = tmp_path_factory.mktemp("strict")
    with running(folder, "--header-timeout", "1", "--body-timeout", "2") as started:
        yield started, folder / "tmp"


def _trickle(connection: socket.socket, data: bytes) -> bytes:
    """Send ``data`` a byte every tenth of a second until the server answers or closes the
    connection; what it answered (empty when it closed without a word)."""
    connection.setblocking(False)
    deadline = time.monotonic() + PATIENCE
    for byte in data:
        assert time.monotonic() < deadline, "the slow client was never cut off"
        try:
            connection.sendall(bytes([byte]))
            if answer := connection.recv(65536):
                return answer + _rest(connection)
        except BlockingIOError:
            pass
        except (BrokenPipeError, ConnectionResetError):
            return b""
        time.sleep(0.1)
    pytest.fail("the slow client was never cut off")


def _rest(connection: socket.socket) -> bytes:
    connection.setblocking(True)
    connection.settimeout(10)
    received = b""
    try:
        while chunk := connection.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def test_slow_request_head_is_cut_off(strict: tuple[Server, Path]) -> None:
    server, _ = strict
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Padding: a\r\n" * 100 + b"\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        answer = _trickle(connection, head)
    assert b"200 OK" not in answer


def test_silent_connection_is_closed(strict: tuple[Server, Path]) -> None:
    server, _ = strict
    with socket.create_connection(("127.0.0.1", server.port), timeout=PATIENCE) as connection:
        assert _rest(connection) == b""  # closed by the server, before the timeout of the read


def test_slow_body_is_cut_off_and_its_folder_removed(strict: tuple[Server, Path]) -> None:
    server, spool = strict
    body = b"{}" + b" " * 998
    head = (
        "POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(head.encode() + body[:10])
        assert wait_for(lambda: any(spool.glob("dlint-upload-*")), 10), "the body should be spooled"
        answer = _trickle(connection, body[10:])
    status, _, rest = answer.partition(b"\r\n")
    assert status == b"HTTP/1.1 408 Request Timeout"
    problem = json.loads(rest.partition(b"\r\n\r\n")[2])
    assert problem["type"] == "urn:dlint:problem:body-timeout"
    assert problem["timeout"] == 2
    assert not any(spool.glob("dlint-upload-*"))

"""The real server, started once for these tests: ``python -m dlint serve`` on a free port of
127.0.0.1, in two worker processes, with a small body limit; its log must hold no traceback. Other
tests start servers of their own with :func:`running`."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

#: The body limit the test server runs with.
LIMIT = 2 * 1024 * 1024
STARTUP = 60.0


@dataclass
class Server:
    url: str
    port: int
    log: Path
    pid: int

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60.0)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2.0).status_code < 500:  # up (a 421 too)
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the server did not answer /healthz within {STARTUP} s:\n{log.read_text()}")


@contextlib.contextmanager
def running(folder: Path, *options: str, env: dict[str, str] | None = None) -> Iterator[Server]:
    """``dlint serve`` started in ``folder`` (its temporary files in ``folder/tmp``) with these
    options, until the block ends; its log must hold no traceback."""
    log = folder / "server.log"
    (folder / "tmp").mkdir(exist_ok=True)
    port = free_port()
    command = [sys.executable, "-m", "dlint", "serve", "--port", str(port), *options]
    environment = {**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(folder / "tmp"), **(env or {})}
    with log.open("wb") as stream:
        process = subprocess.Popen(
            command, cwd=folder, stdout=stream, stderr=subprocess.STDOUT, env=environment
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url, process, log)
        yield Server(url, port, log, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text, text
    assert "internal error" not in text, text


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running(
        tmp_path_factory.mktemp("server"), "--workers", "2", "--max-body-size", str(LIMIT)
    ) as started:
        yield started


@pytest.fixture
def client(server: Server) -> Iterator[httpx.Client]:
    with server.client() as session:
        yield session

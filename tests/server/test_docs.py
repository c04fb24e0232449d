"""The interactive docs work where nothing but the service can be reached: their pages reference
only the service's own URLs, which it serves (without the token, as the docs are served), and a real
browser cut off from everything but 127.0.0.1 renders the operations."""

from __future__ import annotations

import re
import socket
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.browser import chromium
from tests.server.conftest import Server, running

TOKEN = "s3cret-token-for-the-docs"
#: The media type each kind of asset must be served with.
TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
#: Seconds the browser may take to load and render the docs.
BROWSER_BOUND = 180.0


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running(tmp_path_factory.mktemp("docs"), env={"DLINT_SERVE_TOKEN": TOKEN}) as started:
        yield started


class _References(HTMLParser):
    """The URLs a page loads: ``src`` and ``href`` attributes, and the page script's ``url:``."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in ("src", "href", "spec-url") and value]

    def handle_data(self, data: str) -> None:
        self.found += re.findall(r"\burl:\s*'([^']+)'", data)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_reference_only_the_service_which_serves_them_without_the_token(
    guarded: Server, page: str
) -> None:
    with guarded.client() as client:
        answer = client.get(page)
        assert answer.status_code == 200
        absolute = re.findall(r"https?://[^\s\"'<>)]+", answer.text)
        assert [url for url in absolute if not url.startswith(guarded.url)] == [], answer.text
        parser = _References()
        parser.feed(answer.text)
        assets = {urljoin(f"{guarded.url}{page}", reference) for reference in parser.found}
        assert f"{guarded.url}/openapi.json" in assets and len(assets) >= 3, parser.found  # and a script
        for url in sorted(assets):
            assert url.startswith(f"{guarded.url}/"), url
            served = client.get(urlsplit(url).path)  # no token
            assert served.status_code == 200, url
            suffix = Path(urlsplit(url).path).suffix
            expected = TYPES.get(suffix, "application/json")
            assert served.headers["content-type"].startswith(expected), (url, served.headers)
            assert len(served.content) > 0


def test_the_docs_assets_open_nothing_else(guarded: Server) -> None:
    with guarded.client() as client:
        assert client.get("/v1/rules").status_code == 401
        assert client.get("/docs/assets/no-such-file.js").status_code == 404
    # A path that climbs out of the assets (sent as is: clients would normalise it).
    with socket.create_connection(("127.0.0.1", guarded.port), timeout=30) as connection:
        connection.sendall(b"GET /docs/assets/../../v1/rules HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        status = connection.recv(4096).split(b"\r\n", 1)[0]
    assert status in (b"HTTP/1.1 401 Unauthorized", b"HTTP/1.1 404 Not Found"), status


def test_a_browser_without_internet_renders_the_operations(guarded: Server, tmp_path: Path) -> None:
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
        # Every name resolves to nothing, and every connection but to 127.0.0.1 goes to a dead proxy.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--proxy-server=127.0.0.1:9",
        "--proxy-bypass-list=127.0.0.1",
        "--virtual-time-budget=10000",
        "--dump-dom",
        f"{guarded.url}/docs",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=BROWSER_BOUND)
    assert done.returncode == 0, done.stderr[-3000:]
    dom = done.stdout
    paths = set(re.findall(r'data-path="([^"]+)"', dom))  # the operations Swagger UI rendered
    assert {"/v1/check", "/v1/fix", "/healthz", "/v1/rules"} <= paths, (paths, dom[-3000:])

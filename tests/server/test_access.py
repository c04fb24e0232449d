"""Who may call, on real servers: the Host allowlist (against DNS rebinding) and the bearer token."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.server.conftest import Server, running
from tests.server.data import CVAT_DOCS, JSON

TOKEN = "s3cret-token-for-tests"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("guarded")
    options = ["--allowed-host", "dlint.internal", "--allowed-host", "127.0.0.1"]
    with running(folder, *options, env={"DLINT_SERVE_TOKEN": TOKEN}) as started:
        yield started


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST:8765", "[::1]:8765"])
def test_loopback_names_are_answered_by_default(client: httpx.Client, host: str) -> None:
    assert client.get("/v1/rules", headers={"host": host}).status_code == 200


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:8765", "127.0.0.1.attacker.example"])
def test_other_hosts_are_refused(client: httpx.Client, host: str) -> None:
    answer = client.get("/v1/rules", headers={"host": host})
    assert answer.status_code == 421
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == "urn:dlint:problem:host-not-allowed"


def test_allowed_hosts_replace_the_default(guarded: Server) -> None:
    with guarded.client() as client:
        assert client.get("/healthz", headers={"host": "dlint.internal:8765"}).status_code == 200
        assert client.get("/healthz", headers={"host": "localhost"}).status_code == 421


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer"]
)
def test_requests_without_the_token_are_refused(guarded: Server, authorization: str | None) -> None:
    headers = {**JSON, **({"authorization": authorization} if authorization else {})}
    with guarded.client() as client:
        for answer in (
            client.get("/v1/rules", headers=headers),
            client.post("/v1/check", content=CVAT_DOCS.read_bytes(), headers=headers),
        ):
            assert answer.status_code == 401
            assert answer.headers["www-authenticate"].startswith("Bearer")
            assert answer.json()["type"] == "urn:dlint:problem:unauthorized"


def test_the_token_opens_every_endpoint_and_health_needs_none(guarded: Server) -> None:
    with guarded.client() as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/openapi.json").status_code == 200
        headers = {**JSON, "authorization": f"Bearer {TOKEN}"}
        assert client.get("/v1/rules", headers=headers).status_code == 200
        answer = client.post("/v1/check", content=CVAT_DOCS.read_bytes(), headers=headers)
        assert answer.status_code == 200
        assert answer.json()["summary"]["files"] == 1


def test_the_description_declares_the_token(guarded: Server, client: httpx.Client) -> None:
    with guarded.client() as session:
        spec = session.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    assert spec["paths"]["/v1/check"]["post"]["security"] == [{"bearer": []}]
    assert "security" not in spec["paths"]["/healthz"]["get"]
    assert "401" in spec["paths"]["/v1/check"]["post"]["responses"]
    assert "securitySchemes" not in client.get("/openapi.json").json().get("components", {})  # no token

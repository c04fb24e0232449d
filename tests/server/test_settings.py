"""The service's settings and helpers, in this process."""

from __future__ import annotations

import json

import pytest

from dlint.cli import main
from dlint.limits import Limits
from dlint.server.problems import Problem
from dlint.server.responses import bounded
from dlint.server.settings import MIB, ServerSettings, SettingsError, host_name, parse_size
from dlint.server.uploads import file_name, kind_of


def test_default_body_limit_is_256_mib() -> None:
    assert ServerSettings().max_body == 256 * MIB


@pytest.mark.parametrize(
    ("text", "size"),
    [("268435456", 256 * MIB), ("256MiB", 256 * MIB), ("500MB", 500_000_000), ("1G", 10**9), ("2 kib", 2048)],
)
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "-1", "12 parsecs", "1.5G"])
def test_parse_size_refuses(text: str) -> None:
    with pytest.raises(SettingsError):
        parse_size(text)


def test_settings_travel_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = ServerSettings(
        port=9000,
        workers=3,
        jobs=4,
        max_body=1234,
        timeout=2.5,
        allowed_hosts=("dlint.internal",),
        token="t",
        limits=Limits(max_file_size=1024, max_depth=32),
    )
    monkeypatch.setenv("DLINT_SERVE_SETTINGS", settings.to_environment())
    assert ServerSettings.from_environment() == settings


def test_bad_settings_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--max-body-size", "lots"]) == 2
    assert main(["serve", "--jobs", "0"]) == 2
    assert main(["serve", "--timeout", "0"]) == 2
    assert main(["serve", "--token", " "]) == 2
    assert main(["serve", "--limit", "max-file-size"]) == 2
    assert main(["serve", "--limit", "max-file-size=lots"]) == 2
    assert main(["serve", "--limit", "max-depth=0"]) == 2
    assert main(["serve", "--config", "limits.no-such-limit=1"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.count("dlint: error:") == 8


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("LocalHost:8765", "localhost"),
        ("[::1]:8765", "[::1]"),
        ("[::1]", "[::1]"),
        ("127.0.0.1", "127.0.0.1"),
    ],
)
def test_host_name(header: str, name: str) -> None:
    assert host_name(header) == name


def test_default_hosts_are_loopback_and_the_bound_address() -> None:
    assert ServerSettings().hosts() == {"localhost", "127.0.0.1", "[::1]"}
    assert ServerSettings(host="::1").hosts() == {"localhost", "127.0.0.1", "[::1]"}
    assert "10.0.0.5" in ServerSettings(host="10.0.0.5").hosts()
    assert ServerSettings(allowed_hosts=("Dlint.Internal",)).hosts() == {"dlint.internal"}


@pytest.mark.parametrize(
    ("given", "kind", "name"),
    [
        (None, "json", "default.json"),
        (None, "zip", "upload.zip"),
        ("train.json", "json", "train.json"),
        ("../../etc/passwd", "json", "passwd.json"),
        ("C:\\data\\batch 7.zip", "zip", "batch_7.zip"),
        ("...", "zip", "upload.zip"),
    ],
)
def test_file_name(given: str | None, kind: str, name: str) -> None:
    assert file_name(given, kind) == name


def test_kind_of() -> None:
    assert kind_of("application/json; charset=utf-8") == "json"
    assert kind_of("application/vnd.datumaro+json") == "json"
    assert kind_of("application/x-zip-compressed") == "zip"
    with pytest.raises(Problem):
        kind_of("multipart/form-data; boundary=x")


def test_bounded_keeps_whole_entries() -> None:
    entries = [{"code": "DL103", "n": index} for index in range(100)]
    text = bounded(entries, 200)
    assert len(text) <= 200
    assert json.loads(text) == entries[: len(json.loads(text))]

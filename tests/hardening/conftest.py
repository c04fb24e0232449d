"""Helpers for the hostile-input suite: run the real command line, snapshot folders, build archives.

The long fuzz run is ``DLINT_FUZZ_EXAMPLES=20000 python -m pytest tests/hardening -m fuzz`` (see the
README); in the normal test run the fuzz tests try a few dozen examples each.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run

ROOT = Path(__file__).resolve().parents[2]
EXPORT = ROOT / "examples" / "datumaro-export"
CVAT_DOCS = ROOT / "examples" / "cvat-docs" / "annotations" / "default.json"
BASE = json.loads((ROOT / "tests" / "rules" / "base.json").read_text())


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fuzz: property tests over mutated datasets (long run: see README)")
    config.addinivalue_line("markers", "fix_only: runs no check, so the cache modes do not apply")


#: The result cache ``dlint check`` runs with in the current test: off (None), or this folder.
_CACHE: dict[str, Path | None] = {"folder": None}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that runs the command line runs twice: with the cache off, and with it on."""
    if metafunc.definition.get_closest_marker("fix_only"):
        return
    if "dlint_in_process" in metafunc.fixturenames or getattr(metafunc.module, "dlint", None) is dlint:
        metafunc.parametrize("_cache_mode", ["no-cache", "cache"], indirect=True)


@pytest.fixture(autouse=True)
def _cache_mode(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    mode = getattr(request, "param", None)
    _CACHE["folder"] = tmp_path_factory.mktemp("cache") if mode == "cache" else None
    yield mode
    _CACHE["folder"] = None


def _runs(args: tuple[str, ...], call: Callable[[tuple[str, ...]], Run]) -> Run:
    """Run the command line as the test's cache mode says. With the cache on, ``check`` runs twice
    (the second answer comes from the cache) and both runs must give the same exit code and report."""
    folder = _CACHE["folder"]
    if not args or args[0] != "check":
        return call(args)
    chosen = tuple(arg for arg in args if arg != "--no-cache")
    if folder is None:
        return call((*chosen, "--no-cache"))
    cold = call((*chosen, "--cache-dir", str(folder)))
    warm = call((*chosen, "--cache-dir", str(folder)))
    assert (warm.code, warm.out) == (cold.code, cold.out), (cold, warm)
    return warm


def dlint(*args: str, cwd: Path | None = None, timeout: float = 300) -> Run:
    """The real command line in its own process, as a user runs it (see :func:`_runs` for the cache)."""

    def call(chosen: tuple[str, ...]) -> Run:
        command = [sys.executable, "-m", "dlint", *chosen]
        done = subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=timeout)
        return Run(done.returncode, done.stdout, done.stderr)

    return _runs(args, call)


def assert_clean_exit(run: Run, code: int) -> None:
    """The expected exit code, and never a traceback or an internal error."""
    assert run.code == code, (run.code, run.out[-2000:], run.err[-2000:])
    for stream in (run.out, run.err):
        assert "Traceback" not in stream and "internal error" not in stream, stream[-2000:]


def snapshot(root: Path) -> dict[str, str]:
    """Every file below ``root`` (links included, not followed) and a digest of its content."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in [*files, *(d for d in dirs if os.path.islink(os.path.join(folder, d)))]:
            path = Path(folder) / name
            key = str(path.relative_to(root))
            if path.is_symlink():
                found[key] = "-> " + os.readlink(path)
            else:
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def dataset(root: Path, text: bytes, name: str = "default") -> Path:
    """A dataset folder holding one annotation file; returns the file."""
    path = root / "annotations" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text)
    return path


def zip_bytes(
    members: list[tuple[str | zipfile.ZipInfo, bytes]], method: int = zipfile.ZIP_DEFLATED
) -> bytes:
    """An archive of the members, in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def patch_member(data: bytes, name: str, **fields: int) -> bytes:
    """Rewrite header fields of a member in both its local header and its directory entry:
    ``flags``, ``method``, ``crc``, ``compressed``, ``size``."""
    blob = bytearray(data)
    encoded = name.encode()
    local_offsets = {"flags": 6, "method": 8, "crc": 14, "compressed": 18, "size": 22}
    central_offsets = {"flags": 8, "method": 10, "crc": 16, "compressed": 20, "size": 24}
    formats = {"flags": "<H", "method": "<H", "crc": "<L", "compressed": "<L", "size": "<L"}
    local = blob.find(b"PK\x03\x04")
    while local >= 0 and blob[local + 30 : local + 30 + len(encoded)] != encoded:
        local = blob.find(b"PK\x03\x04", local + 4)
    central = blob.find(b"PK\x01\x02")
    while central >= 0 and blob[central + 46 : central + 46 + len(encoded)] != encoded:
        central = blob.find(b"PK\x01\x02", central + 4)
    assert local >= 0 and central >= 0, name
    for field, value in fields.items():
        packed = struct.pack(formats[field], value)
        blob[local + local_offsets[field] : local + local_offsets[field] + len(packed)] = packed
        blob[central + central_offsets[field] : central + central_offsets[field] + len(packed)] = packed
    return bytes(blob)


def rename_member(data: bytes, old: str, new: str) -> bytes:
    """The archive with a member renamed in place (names of the same length): zipfile itself would
    not write two members of one name without a warning."""
    assert len(old) == len(new)
    return data.replace(old.encode(), new.encode())


def inside(text: bytes, line: int, column: int) -> bool:
    """Whether a 1-based line and character column lie in the text (the column may point just past
    the end of its line, where a truncated file stops)."""
    lines = text.split(b"\n")
    if not 1 <= line <= len(lines):
        return False
    return 1 <= column <= len(lines[line - 1].decode("utf-8", "replace")) + 1


@pytest.fixture(autouse=True)
def _default_limits() -> Any:
    """Every test starts and ends with the default limits (the command line activates the
    configured ones for the whole process)."""
    from dlint import limits

    limits.activate(limits.Limits())
    yield
    limits.activate(limits.Limits())


@pytest.fixture
def dlint_in_process(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: Any) -> Any:
    """The command line called in this process (quicker), output captured, in a folder of its own
    (see :func:`_runs` for the cache)."""
    from dlint.cli import main

    monkeypatch.chdir(tmp_path)

    def call(chosen: tuple[str, ...]) -> Run:
        code = main(list(chosen))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return lambda *args: _runs(args, call)

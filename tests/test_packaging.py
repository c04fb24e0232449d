"""The wheel: schemas ship inside it, and an installed (non-editable) dlint works from anywhere."""

from __future__ import annotations

import hashlib
import json
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [built] = out.glob("datumaro_lint-*.whl")
    return built


def test_every_released_schema_ships_in_the_wheel(wheel: Path) -> None:
    index = json.loads((ROOT / "schemas" / "index.json").read_text())
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "dlint/schemas/index.json" in names
        for entry in index["schemas"]:
            member = f"dlint/schemas/{entry['path']}"
            assert member in names
            assert hashlib.sha256(archive.read(member)).hexdigest() == entry["sha256"]
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "dlint = dlint.cli:run" in archive.read(entry_points).decode()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
        assert "\nName: datumaro-lint\n" in metadata  # the index's "dlint" is another project
        [license_file] = [n for n in names if n.endswith("/LICENSE")]
        assert archive.read(license_file) == (ROOT / "LICENSE").read_bytes()


def test_installed_wheel_runs_outside_the_source_tree(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    target = next(
        Path(p)
        for p in subprocess.run(
            [python, "-c", "import site; print(site.getsitepackages()[0])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    )
    # dependencies come from this environment; dlint itself only from the wheel
    (target / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    where = subprocess.run(
        [python, "-c", "import dlint.schemas as s; print(s.schema_root())"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(env_dir), where
    example = ROOT / "examples" / "cvat-docs" / "annotations" / "default.json"
    run = subprocess.run(
        [env_dir / "bin" / "dlint", "check", str(example), "--output-format", "concise"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert ":48:11: DL302 RLE counts decode to runs summing to 82 pixels" in run.stdout
    # the visual report's template, style and script ship in the wheel
    page = subprocess.run(
        [env_dir / "bin" / "dlint", "check", str(example), "--output-format", "html", "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert page.returncode == 1 and page.stdout.startswith("<!DOCTYPE html>"), page.stderr
    assert "DL302" in page.stdout and "<script>" in page.stdout and "report.css" not in page.stdout
    schema = subprocess.run(
        [env_dir / "bin" / "dlint", "schema", "--dialect", "legacy-info"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert json.loads(schema.stdout)["$id"] == "urn:dlint:schema:legacy-info:v1"

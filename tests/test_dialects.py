"""Files shaped exactly as each writer writes them are detected as their dialect and pass clean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from dlint.schemas import DIALECTS, detect_dialect
from tests.conftest import DATA, ROOT

DIALECT_DIRS = {d: DATA / "dialects" / d for d in DIALECTS}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_writer_shaped_dataset_is_detected_and_clean(dlint: Any, dialect: str) -> None:
    files = sorted((DIALECT_DIRS[dialect] / "annotations").glob("*.json"))
    assert files
    for path in files:
        assert detect_dialect(orjson.loads(path.read_bytes())) == dialect, path
    run = dlint("check", str(DIALECT_DIRS[dialect]), "--output-format", "json")
    named = {(d["code"], d["severity"]) for d in run.json()}
    assert (run.code, named) == WRITTEN_FOR[dialect]


#: What a check of each dialect's writer-shaped dataset says, for the reader the dialect is written for:
#: CVAT's skeletons and legacy point clouds are named as unreadable by mainline Datumaro (for CVAT), and
#: the point clouds of a Datumaro 0.4-1.0 file, which declares no media type, fail mainline 1.13.12's
#: import (MediaTypeError, checked by a test of the interop suite).
WRITTEN_FOR = {
    "datumaro-1.0": (0, set()),
    "legacy-infos": (1, {("DL605", "error")}),
    "legacy-info": (0, {("DL604", "warning"), ("DL605", "warning")}),
    "cvat-1.0": (0, {("DL604", "warning")}),
}


def test_the_documentation_example_is_legacy_info() -> None:
    doc = orjson.loads((ROOT / "examples" / "cvat-docs" / "annotations" / "default.json").read_bytes())
    assert detect_dialect(doc) == "legacy-info"


@pytest.mark.parametrize(
    ("top", "dialect"),
    [
        ({"dm_format_version": "1.0", "categories": {}, "items": []}, "datumaro-1.0"),
        ({"dm_format_version": "2.0", "categories": {}, "items": []}, "datumaro-1.0"),
        ({"media_type": 2, "categories": {}, "items": []}, "datumaro-1.0"),
        ({"infos": {}, "categories": {}, "items": []}, "legacy-infos"),
        ({"info": {}, "categories": {}, "items": []}, "legacy-info"),
        ({"categories": {}, "items": []}, "legacy-info"),
        (
            {"dm_format_version": "1.0", "items": [{"id": "a", "annotations": [{"type": "skeleton"}]}]},
            "cvat-1.0",
        ),
    ],
)
def test_detection_reads_the_parsed_top_level(top: dict[str, Any], dialect: str) -> None:
    assert detect_dialect(top) == dialect


def test_version_key_after_the_first_kilobyte_is_still_seen(dlint: Any, tmp_path: Path) -> None:
    doc = {"infos": {"note": "x" * 4096}, "categories": {}, "items": [], "dm_format_version": "2"}
    path = tmp_path / "late.json"
    path.write_bytes(orjson.dumps(doc))
    run = dlint("check", str(path), "--output-format", "json")
    assert [(d["code"], d["pointer"]) for d in run.json()] == [("DL003", "/dm_format_version")]


def test_skeleton_in_a_cvat_file_passes_but_not_in_a_pinned_mainline_check(dlint: Any) -> None:
    cvat = DIALECT_DIRS["cvat-1.0"]
    assert dlint("check", str(cvat)).code == 0
    pinned = dlint("check", str(cvat), "--dialect", "datumaro-1.0", "--output-format", "json")
    assert pinned.code == 1
    assert {d["code"] for d in pinned.json()} == {"DL206"}
    assert all(d["pointer"].endswith("/type") for d in pinned.json())


def test_a_claimed_schema_failure_follows_its_rule_selection(dlint: Any, tmp_path: Path) -> None:
    path = tmp_path / "v.json"
    path.write_bytes(orjson.dumps({"dm_format_version": "2.0", "categories": {}, "items": []}))
    only_version = dlint("check", str(path), "--select", "DL003", "--output-format", "json")
    assert [d["code"] for d in only_version.json()] == ["DL003"]
    assert dlint("check", str(path), "--ignore", "DL003").code == 0
    assert dlint("check", str(path), "--select", "DL002").code == 0

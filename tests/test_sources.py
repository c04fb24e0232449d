"""Finding annotation files: folders, lone files, zip archives read in place, names used everywhere."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from dlint.sources import SourceError, discover
from tests.conftest import ROOT

EXPORT = ROOT / "examples" / "datumaro-export"
DOCS = ROOT / "examples" / "cvat-docs"


def _zip(folder: Path, target: Path, top: str = "") -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, top + path.relative_to(folder).as_posix())
    return target


def test_folders_are_searched_for_annotation_files(tmp_path: Path, monkeypatch: Any) -> None:
    shutil.copytree(EXPORT, tmp_path / "a" / "export")
    (tmp_path / "a" / "notes.json").write_text("{}")
    monkeypatch.chdir(tmp_path)
    sources = discover(["a"])
    assert [(s.name, s.subset) for s in sources] == [
        ("a/export/annotations/train.json", "train"),
        ("a/export/annotations/val.json", "val"),
    ]
    assert sources[0].dataset is sources[1].dataset
    assert sources[0].dataset.media is not None and sources[0].dataset.media.carries("images")


def test_lone_files_are_datasets_of_their_own(tmp_path: Path) -> None:
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    one.write_text("{}")
    two.write_text("{}")
    first, second = discover([str(one), str(two), str(one)])
    assert first.dataset is not second.dataset
    assert first.dataset.media is None


def test_archives_are_read_in_place_and_members_named_after_the_archive(
    tmp_path: Path, monkeypatch: Any
) -> None:
    _zip(EXPORT, tmp_path / "export.zip", top="task_7/")
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    sources = discover(["export.zip"])
    assert [s.name for s in sources] == [
        "export.zip/task_7/annotations/train.json",
        "export.zip/task_7/annotations/val.json",
    ]
    assert sources[0].dataset.name == "export.zip/task_7"
    assert sources[0].read() == (EXPORT / "annotations" / "train.json").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing extracted


def test_check_reports_archive_members_by_their_archive_name(
    dlint: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    _zip(DOCS, tmp_path / "docs.zip")
    monkeypatch.chdir(tmp_path)
    run = dlint("check", "docs.zip", "--output-format", "concise")
    assert run.code == 1
    assert "\ndocs.zip/annotations/default.json:48:11: DL302 " in run.out


def test_archives_found_in_folders_are_linted(dlint: Any, tmp_path: Path) -> None:
    (tmp_path / "uploads").mkdir()
    _zip(DOCS, tmp_path / "uploads" / "docs.zip")
    run = dlint("check", str(tmp_path), "--output-format", "json")
    files = {d["file"] for d in run.json()}
    assert [f.rsplit("/", 3)[-3:] for f in files] == [["docs.zip", "annotations", "default.json"]]


def test_a_corrupt_archive_is_a_one_line_error(dlint: Any, tmp_path: Path) -> None:
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(SourceError):
        discover([str(broken)])
    run = dlint("check", str(broken))
    assert run.code == 2
    assert run.err.startswith("dlint: error: cannot open archive") and run.err.count("\n") == 1

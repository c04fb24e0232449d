"""Fixing files for real: canonical bytes, atomic writes, archives, and Datumaro as the judge."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

from dlint.api import FixSettings, fix
from tests.conftest import ROOT
from tests.fix.judge import imported

EXPORT = ROOT / "examples" / "datumaro-export"


def _reformatted_copy(target: Path) -> Path:
    shutil.copytree(EXPORT, target)
    for path in (target / "annotations").glob("*.json"):
        data = json.loads(path.read_text())
        items = [dict(reversed(list(item.items()))) for item in data["items"]]
        path.write_text(json.dumps(dict(reversed(list(dict(data, items=items).items())))))  # one line
    return target


def test_a_reformatted_copy_fixes_to_the_exported_bytes_and_imports_alike(tmp_path: Path) -> None:
    copy = _reformatted_copy(tmp_path / "copy")
    report = fix([str(copy)], settings=FixSettings())
    assert sorted(Path(name).name for name in report.written) == ["train.json", "val.json"]
    for name in ("train.json", "val.json"):
        assert (copy / "annotations" / name).read_bytes() == (EXPORT / "annotations" / name).read_bytes()
    assert imported(copy) == imported(EXPORT)


def test_a_file_in_normal_form_is_not_touched(tmp_path: Path) -> None:
    copy = shutil.copytree(EXPORT, tmp_path / "copy")
    before = {p: p.stat().st_mtime_ns for p in (copy / "annotations").glob("*.json")}
    report = fix([str(copy)], settings=FixSettings())
    assert report.written == [] and not report.changed
    assert {p: p.stat().st_mtime_ns for p in before} == before


def test_writes_keep_the_mode_and_leave_no_temporary_file(tmp_path: Path) -> None:
    copy = _reformatted_copy(tmp_path / "copy")
    target = copy / "annotations" / "train.json"
    target.chmod(0o640)
    fix([str(copy)], settings=FixSettings())
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in (copy / "annotations").iterdir()) == ["train.json", "val.json"]


def test_a_read_only_file_is_reported_and_left_as_it_was(tmp_path: Path) -> None:
    copy = _reformatted_copy(tmp_path / "copy")
    target = copy / "annotations" / "train.json"
    before = target.read_bytes()
    target.chmod(0o444)
    report = fix([str(copy)], settings=FixSettings())
    result = next(r for r in report.results if r.name.endswith("train.json"))
    assert result.refused and "read-only" in result.refused
    assert target.read_bytes() == before


def _zip(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, "task/" + path.relative_to(folder).as_posix())
    return target


def test_an_archive_is_rewritten_whole_with_every_other_member_kept(tmp_path: Path) -> None:
    archive = _zip(_reformatted_copy(tmp_path / "copy"), tmp_path / "export.zip")
    with zipfile.ZipFile(archive) as before:
        members = {
            info.filename: (before.read(info), info.date_time, info.compress_type)
            for info in before.infolist()
        }
    report = fix([str(archive)], settings=FixSettings())
    assert report.written == [str(archive)]
    with zipfile.ZipFile(archive) as after:
        assert [i.filename for i in after.infolist()] == list(members)
        for info in after.infolist():
            data, date_time, compress_type = members[info.filename]
            assert (info.date_time, info.compress_type) == (date_time, compress_type)
            if info.filename.startswith("task/annotations/"):
                assert after.read(info) == (EXPORT / "annotations" / Path(info.filename).name).read_bytes()
            else:
                assert after.read(info) == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy", "export.zip"]


def test_check_only_settings_write_nothing(tmp_path: Path) -> None:
    copy = _reformatted_copy(tmp_path / "copy")
    before = (copy / "annotations" / "train.json").read_bytes()
    report = fix([str(copy)], settings=FixSettings(write=False))
    assert report.written == [] and len(report.changed) == 2
    assert (copy / "annotations" / "train.json").read_bytes() == before

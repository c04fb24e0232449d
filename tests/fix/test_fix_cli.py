"""`dlint fix` from the command line, with Datumaro judging the result."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import datumaro
import orjson
import pytest

from tests.conftest import ROOT
from tests.fix.judge import imported

EXPORT = ROOT / "examples" / "datumaro-export"
TRAIN = Path("annotations") / "train.json"

#: Fixable defects, each of which makes Datumaro 1.13.12 fail the import (with its default policy).
BREAKING = {
    "odd polygon": ("/items/0/annotations/2/points", [0.0, 0.0, 4.0, 0.0, 4.0, 3.0, 0.0]),
    "two-vertex polygon": ("/items/0/annotations/2/points", [0.0, 0.0, 4.0, 0.0]),
    "uncompressed mask": ("/items/0/annotations/5/rle/counts", [8, 3, 3, 3, 3, 3, 25]),
    "label tag without label": ("/items/0/annotations/0/label_id", None),
}
#: Fixable defects Datumaro accepts silently (or reads as something else).
SILENT = {
    "numeric string label": ("/items/0/annotations/1/label_id", "1"),
    "negative box": ("/items/0/annotations/1/bbox", [4.5, 2.0, -3.0, 2.5]),
    "box beyond the image": ("/items/0/annotations/1/bbox", [5.0, 1.0, 4.0, 2.0]),
    "duplicate annotation id": ("/items/0/annotations/3/id", 2),
    "closed polygon": ("/items/0/annotations/2/points", [0.0, 0.0, 4.0, 0.0, 4.0, 3.0, 0.0, 3.0, 0.0, 0.0]),
}


def _set(doc: Any, pointer: str, value: Any) -> None:
    *path, last = pointer.split("/")[1:]
    for token in path:
        doc = doc[int(token)] if isinstance(doc, list) else doc[token]
    doc[int(last) if isinstance(doc, list) else last] = value


def _broken(tmp_path: Path, edits: dict[str, tuple[str, Any]]) -> Path:
    dataset = shutil.copytree(EXPORT, tmp_path / "ds")
    doc = json.loads((dataset / TRAIN).read_text())
    for pointer, value in edits.values():
        _set(doc, pointer, value)
    (dataset / TRAIN).write_bytes(orjson.dumps(doc))  # compact, as exported: only the defects differ
    return dataset


@pytest.mark.parametrize("defect", sorted(BREAKING))
def test_a_dataset_datumaro_refuses_imports_after_unsafe_fixes(
    dlint: Any, tmp_path: Path, defect: str
) -> None:
    dataset = _broken(tmp_path, {defect: BREAKING[defect]})
    with pytest.raises(Exception):  # noqa: B017 - Datumaro raises various errors, all wrapped differently
        imported(dataset)
    safe = dlint("fix", str(dataset))
    assert safe.code == 1
    fixed = dlint("fix", str(dataset), "--unsafe-fixes")
    assert fixed.code in (0, 1), fixed.err
    imported(dataset)  # Datumaro reads it now
    check = dlint("check", str(dataset), "--output-format", "json")
    assert check.code == 0, check.out


def test_every_fixable_defect_at_once_is_fixed_and_the_rest_of_the_dataset_is_kept(
    dlint: Any, tmp_path: Path
) -> None:
    dataset = _broken(tmp_path, BREAKING | SILENT)
    before = dlint("check", str(dataset), "--output-format", "json").json()
    assert before
    run = dlint("fix", str(dataset), "--unsafe-fixes", "--show-fixes")
    assert run.code == 1  # files changed
    assert "Fixed " in run.out
    assert dlint("check", str(dataset), "--output-format", "json").json() == []
    again = dlint("fix", str(dataset), "--unsafe-fixes")
    assert again.code == 0 and again.out.startswith("Nothing to fix")
    items = imported(dataset)
    original = imported(EXPORT)
    assert items.keys() == original.keys()
    assert items[("val", "img_101")] == original[("val", "img_101")]
    masks = [a for a in items[("train", "img_001")] if a["type"] == "mask"]
    assert masks == [a for a in original[("train", "img_001")] if a["type"] == "mask"]


def test_safe_fixes_only_by_default_and_diff_writes_nothing(dlint: Any, tmp_path: Path) -> None:
    dataset = _broken(tmp_path, {"numeric": SILENT["numeric string label"], "neg": SILENT["negative box"]})
    before = (dataset / TRAIN).read_bytes()
    diff = dlint("fix", str(dataset), "--diff")
    assert diff.code == 1
    assert f"+++ b/{dataset / TRAIN}" in diff.out.splitlines()
    assert '"label_id":"1"' in diff.out and '"label_id":1,' in diff.out
    assert (dataset / TRAIN).read_bytes() == before
    run = dlint("fix", str(dataset))
    assert run.code == 1
    doc = json.loads((dataset / TRAIN).read_text())
    box = doc["items"][0]["annotations"][1]
    assert box["label_id"] == 1 and box["bbox"] == [4.5, 2.0, -3.0, 2.5]  # the unsafe fix waits
    assert "DL209" in run.out and "fixable" not in run.out


def test_lines_style_writes_one_annotation_per_line(dlint: Any, tmp_path: Path) -> None:
    dataset = shutil.copytree(EXPORT, tmp_path / "ds")
    assert dlint("fix", str(dataset), "--style", "lines").code == 1
    text = (dataset / TRAIN).read_text()
    assert len(text.splitlines()) > 9
    assert json.loads(text) == json.loads((EXPORT / TRAIN).read_text())
    assert dlint("fix", str(dataset), "--style", "lines").code == 0
    assert dlint("fix", str(dataset)).code == 0  # by default a file keeps its layout family
    assert dlint("fix", str(dataset), "--style", "compact").code == 1  # back to compact
    assert (dataset / TRAIN).read_bytes() == (EXPORT / TRAIN).read_bytes()


def test_fix_keeps_each_file_in_its_layout_family(dlint: Any, tmp_path: Path) -> None:
    dataset = shutil.copytree(EXPORT, tmp_path / "ds")
    val = dataset / "annotations" / "val.json"
    document = json.loads(val.read_text())
    val.write_text(json.dumps(document, indent=2))  # laid out by hand: 100 lines and more
    for path in (dataset / TRAIN, val):
        text = json.loads(path.read_text())
        text["items"][0]["annotations"][0]["label_id"] = str(text["items"][0]["annotations"][0]["label_id"])
        path.write_text(json.dumps(text) if path != val else json.dumps(text, indent=2))
    assert dlint("fix", str(dataset)).code == 1
    train_text, val_text = (dataset / TRAIN).read_bytes(), val.read_bytes()
    assert train_text == (EXPORT / TRAIN).read_bytes()  # one line, as exported: compact again
    assert 1 < len(val_text.splitlines()) < len(json.dumps(document, indent=2).splitlines())
    assert orjson.loads(val_text) == document  # one annotation per line, the fix applied
    assert dlint("fix", str(dataset)).code == 0  # and it stays so
    assert val.read_bytes() == val_text


def test_a_file_that_does_not_parse_is_never_written(dlint: Any, tmp_path: Path) -> None:
    bad = tmp_path / "annotations" / "train.json"
    bad.parent.mkdir()
    bad.write_text('{"items": [1, 2,')
    run = dlint("fix", str(tmp_path))
    assert run.code == 1
    assert "DL001" in run.out and "not fixed: the file does not parse" in run.out
    assert bad.read_text() == '{"items": [1, 2,'


def test_a_read_only_file_is_a_clear_error(dlint: Any, tmp_path: Path) -> None:
    dataset = _broken(tmp_path, {"numeric": SILENT["numeric string label"]})
    (dataset / TRAIN).chmod(0o444)
    before = (dataset / TRAIN).read_bytes()
    run = dlint("fix", str(dataset))
    assert run.code == 1
    assert "read-only" in run.out and "Traceback" not in run.err
    assert (dataset / TRAIN).read_bytes() == before


def test_datumaro_version_is_the_judge() -> None:
    assert datumaro.__version__ == "1.13.12"


def _git_apply(folder: Path, patch: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "apply", "--unsafe-paths", "-v", "-"], input=patch, cwd=folder, capture_output=True, text=True
    )


@pytest.mark.parametrize("layout", ["one line", "indented", "indented without a final line break"])
def test_diff_is_a_patch_git_applies_to_the_fixed_bytes(
    dlint: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    monkeypatch.chdir(tmp_path)
    dataset = _broken(tmp_path, {"numeric": SILENT["numeric string label"]})
    document = json.loads((dataset / TRAIN).read_text())
    if layout != "one line":
        text = json.dumps(document, indent=2) + ("" if "without" in layout else "\n")
        (dataset / TRAIN).write_text(text)
    before = (dataset / TRAIN).read_bytes()
    shown = dlint("fix", "ds", "--diff")
    assert shown.code == 1
    first = shown.out.splitlines()[0]  # the fix, by pointer, then the diff
    assert first.startswith("ds/annotations/train.json: DL103 ") and first.endswith("/label_id)")
    applied = _git_apply(tmp_path, shown.out)
    assert applied.returncode == 0, applied.stderr
    patched = (dataset / TRAIN).read_bytes()
    (dataset / TRAIN).write_bytes(before)
    assert dlint("fix", "ds").code == 1
    assert patched == (dataset / TRAIN).read_bytes()  # the patch gives what fix writes


def test_positions_after_a_diff_refer_to_the_file_on_disk(
    dlint: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    flat = {"neg": SILENT["negative box"], "flat": ("/items/0/annotations/2/points", [0, 0, 1, 1, 2, 2])}
    dataset = _broken(tmp_path, flat)
    document = json.loads((dataset / TRAIN).read_text())
    (dataset / TRAIN).write_text(json.dumps(document, indent=2))  # reported on lines 100 and more
    checked = dlint("check", "ds", "--output-format", "json", "--no-cache").json()
    where = {d["code"]: f"ds/annotations/train.json:{d['line']}:{d['column']}: {d['code']} " for d in checked}
    _set(document, *SILENT["numeric string label"])  # (the box is judged once its label is an integer)
    (dataset / TRAIN).write_text(json.dumps(document, indent=2))  # the same lines: "1" for 1
    shown = dlint("fix", "ds", "--diff", "--style", "compact")  # the fixed text is one line
    for code in ("DL209", "DL211"):  # found only once fixed, and found before and after
        [remaining] = [line for line in shown.out.splitlines() if f": {code} " in line]
        assert remaining.startswith(where[code]), (remaining, where[code])
    assert shown.out.splitlines()[-1] == "Would fix 1 issue in 1 file; 2 diagnostics remain (1 error)."

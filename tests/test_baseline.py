"""Baselines: a baseline written on a broken dataset makes the check pass; a new defect fails it and is
the only one shown; entries that no longer match are reported; keys survive moved lines and items."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dlint import baseline
from dlint.api import Report
from dlint.diagnostics import Diagnostic, Severity
from dlint.keys import stable_key, where
from dlint.reporters.summary import INFERRED
from tests.conftest import ROOT

BASE = json.loads((ROOT / "tests" / "rules" / "base.json").read_text())
Edit = Callable[[dict[str, Any]], None]


def _break(data: dict[str, Any]) -> None:
    annotations = data["items"][0]["annotations"]
    annotations[1]["label_id"] = 99  # DL101
    annotations[2]["points"] = [0.0, 0.0, 4.0, 0.0, 4.0]  # DL201
    data["items"][1]["id"] = "img_001"  # DL402
    data["items"][0]["annotations"][0]["attributes"]["wheels"] = 4  # DL117 (a warning)


def _write(root: Path, *edits: Edit, subset: str = "train") -> None:
    data = copy.deepcopy(BASE)
    for edit in edits:
        edit(data)
    folder = root / "annotations"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{subset}.json").write_text(json.dumps(data, indent=1))


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    _write(tmp_path / "legacy", _break)
    _write(tmp_path / "legacy", _break, subset="val")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_baseline_hides_todays_diagnostics_and_fails_on_a_new_one(dlint: Any, broken: Path) -> None:
    before = dlint("check", "legacy", "--output-format", "json")
    assert before.code == 1 and len(before.json()) == 8
    written = dlint("check", "legacy", "--write-baseline", "dlint-baseline.json")
    assert written.code == 0 and written.out == ""
    assert "recorded 8 diagnostic(s) in dlint-baseline.json" in written.err
    passing = dlint("check", "legacy", "--baseline", "dlint-baseline.json")
    assert (passing.code, passing.out) == (
        0,
        f"All checks passed! (2 files checked, 8 hidden by the baseline; {INFERRED})\n",
    )
    assert passing.err == ""

    def new_defect(data: dict[str, Any]) -> None:
        data["items"][0]["annotations"][3]["points"] = [0.0, 5.0, 3.0]  # DL201 on another annotation

    _write(broken / "legacy", _break, new_defect, subset="val")
    failing = dlint("check", "legacy", "--baseline", "dlint-baseline.json", "--output-format", "json")
    assert failing.code == 1
    [shown] = failing.json()
    assert (shown["file"], shown["code"], shown["annotation_id"]) == (
        "legacy/annotations/val.json",
        "DL201",
        4,
    )
    assert failing.err == ""
    *_, summary, fixable = dlint("check", "legacy", "--baseline", "dlint-baseline.json").out.splitlines()
    assert summary == f"Found 1 error in 1 file (2 checked, 8 hidden by the baseline; {INFERRED})."
    assert fixable == "1 fixable with `dlint fix --unsafe-fixes`."


def test_keys_survive_moved_lines_and_reordered_items(dlint: Any, broken: Path) -> None:
    dlint("check", "legacy", "--write-baseline", "base.json")

    def shuffle(data: dict[str, Any]) -> None:
        data["items"].reverse()
        data["items"].insert(0, {"id": "new", "annotations": [], "image": {"path": "n.jpg", "size": [2, 2]}})
        data["items"][2]["annotations"].insert(0, data["items"][2]["annotations"].pop())

    _write(broken / "legacy", _break, shuffle)
    moved = dlint("check", "legacy", "--output-format", "json").json()
    assert len(moved) == 8
    assert dlint("check", "legacy", "--baseline", "base.json").code == 0


def test_entries_that_no_longer_match_are_reported(dlint: Any, broken: Path) -> None:
    dlint("check", "legacy", "--write-baseline", "base.json")

    def fix_label(data: dict[str, Any]) -> None:
        data["items"][0]["annotations"][1]["label_id"] = 1

    _write(broken / "legacy", _break, fix_label)
    run = dlint("check", "legacy", "--baseline", "base.json")
    assert run.code == 0
    first, *listed = run.err.splitlines()
    assert first.startswith("dlint: 1 entry of base.json no longer matches a diagnostic")
    assert listed == ["  legacy/annotations/train.json: DL101, item img_001, annotation 2 at /label_id"]
    assert dlint("check", "legacy", "--baseline", "base.json", "--quiet").err == ""


def test_baseline_names_files_relative_to_its_own_folder(dlint: Any, broken: Path, monkeypatch: Any) -> None:
    (broken / "ci").mkdir()
    dlint("check", "legacy", "--write-baseline", "ci/base.json")
    recorded = json.loads((broken / "ci" / "base.json").read_text())
    assert recorded["dlint-baseline"] == 1
    assert {entry["file"] for entry in recorded["diagnostics"]} == {
        "../legacy/annotations/train.json",
        "../legacy/annotations/val.json",
    }
    entry = recorded["diagnostics"][0]
    assert set(entry) == {"file", "code", "subset", "item_id", "annotation_id", "where", "message"}
    assert "line" not in json.dumps(recorded["diagnostics"]).replace("label", "").replace("mainline", "")
    monkeypatch.chdir(broken / "legacy")  # another working directory: same files, other names
    assert dlint("check", ".", "--baseline", "../ci/base.json").code == 0


def test_malformed_baselines_are_one_line_errors(dlint: Any, broken: Path) -> None:
    (broken / "a.json").write_text("{not json")
    (broken / "b.json").write_text('{"dlint-baseline": 1, "diagnostics": [{"file": "x"}]}')
    (broken / "c.json").write_text("[]")
    for name in ("a.json", "b.json", "c.json", "missing.json"):
        run = dlint("check", "legacy", "--baseline", name)
        assert run.code == 2 and run.err.startswith("dlint: error: ") and run.err.count("\n") == 1, run.err


def _diagnostic(pointer: str, item: str | None, annotation: int | None, code: str = "DL201") -> Diagnostic:
    return Diagnostic(
        code=code,
        name="x",
        severity=Severity.ERROR,
        message="m",
        file="ds/annotations/a.json",
        pointer=pointer,
        subset="a",
        item_id=item,
        annotation_id=annotation,
    )


def test_stable_keys_use_ids_not_indices() -> None:
    assert where(_diagnostic("/items/7/annotations/3/points", "img", 12)) == "/points"
    assert where(_diagnostic("/items/7/annotations/3", "img", None)) == "/annotations/3"
    assert where(_diagnostic("/items/7/image/size", "img", None)) == "/image/size"
    assert where(_diagnostic("/items/7/id", None, None)) == "/items/7/id"
    assert where(_diagnostic("/categories/label/labels/2", None, None)) == "/categories/label/labels/2"
    moved = _diagnostic("/items/9/annotations/0/points", "img", 12)
    assert stable_key(moved) == stable_key(_diagnostic("/items/7/annotations/3/points", "img", 12))


def test_equal_keys_are_counted() -> None:
    twice = (_diagnostic("/items/0/annotations/0", "img", None),) * 2
    recorded = baseline.build(Report(twice[:1], ("ds/annotations/a.json",)), ".")
    left, stale = baseline.apply(Report(twice, ("ds/annotations/a.json",)), recorded, ".")
    assert (len(left.diagnostics), left.baselined, stale) == (1, 1, ())
    both = baseline.build(Report(twice, ("ds/annotations/a.json",)), ".")
    left, stale = baseline.apply(Report(twice[:1], ("ds/annotations/a.json",)), both, ".")
    assert (len(left.diagnostics), left.baselined, len(stale)) == (0, 1, 1)


def test_dump_and_load_round_trip(tmp_path: Path) -> None:
    report = Report(
        (
            _diagnostic("/items/0/annotations/0/points", "b", 3),
            _diagnostic("/items/1/annotations/0/points", "a", 10),
            _diagnostic("/categories/label", None, None, code="DL104"),
        ),
        ("ds/annotations/a.json",),
    )
    recorded = baseline.build(report, str(tmp_path))
    path = tmp_path / "b.json"
    path.write_text(baseline.dumps(recorded))
    assert baseline.load(str(path)) == recorded
    assert baseline.dumps(baseline.load(str(path))) == path.read_text()

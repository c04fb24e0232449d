"""What the input layer refuses fails the run whatever the selection: ``--ignore``, ``--select``,
per-file ignores, severity overrides and baselines choose among findings in what was checked, and a
refused or unparsable file was not checked at all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dlint.api import lint
from dlint.keys import stable_key
from tests.hardening.conftest import CVAT_DOCS, assert_clean_exit, dataset, zip_bytes

SLIP = zip_bytes([("annotations/default.json", CVAT_DOCS.read_bytes()), ("../../escape.txt", b"x")])

#: Ways a user (or a configuration shipped with the data) could try to switch a refusal off.
SWITCHES = {
    "ignore the code": ("--ignore", "DL006,DL001"),
    "ignore the family": ("--ignore", "DL0"),
    "ignore everything": ("--ignore", "ALL"),
    "select other rules": ("--select", "DL3"),
    "per-file ignores": ("--config", 'per-file-ignores = {"**" = ["ALL"]}'),
    "severity override": ("--config", 'severity = {"ALL" = "info"}'),
}


def _inputs(root: Path) -> dict[str, tuple[Path, str]]:
    """A zip-slip archive, a file that is not JSON and one with an integer beyond any float, each
    with the code it must be reported under."""
    archive = root / "upload.zip"
    archive.write_bytes(SLIP)
    broken = dataset(root / "broken", b'{"items": [,]}')
    huge = dataset(root / "huge", b'{"categories": {}, "items": [], "n": ' + b"9" * 400 + b"}")
    return {"archive": (archive, "DL006"), "json": (broken, "DL001"), "integer": (huge, "DL006")}


@pytest.mark.parametrize("switch", sorted(SWITCHES))
@pytest.mark.parametrize("kind", ["archive", "json", "integer"])
def test_a_refusal_cannot_be_switched_off(
    tmp_path: Path, dlint_in_process: Any, switch: str, kind: str
) -> None:
    path, code = _inputs(tmp_path)[kind]
    run = dlint_in_process("check", str(path), *SWITCHES[switch], "--output-format", "json")
    assert_clean_exit(run, 1)
    assert [(d["code"], d["severity"]) for d in run.json()] == [(code, "error")]


def test_a_baseline_neither_records_nor_hides_a_refusal(tmp_path: Path, dlint_in_process: Any) -> None:
    path, _ = _inputs(tmp_path)["archive"]
    good = dataset(tmp_path / "ds", CVAT_DOCS.read_bytes())  # one error (DL302) a baseline may hide
    written = dlint_in_process("check", str(path), str(good), "--write-baseline", "base.json")
    assert_clean_exit(written, 0)
    recorded = json.loads((tmp_path / "base.json").read_text())["diagnostics"]
    assert [entry["code"] for entry in recorded] == ["DL211", "DL302"]
    # a baseline written by hand to record the refusal exactly
    [refusal] = lint([str(path)]).diagnostics
    fields = ("file", "code", "subset", "item_id", "annotation_id", "where")
    forged = {**dict(zip(fields, stable_key(refusal, "upload.zip"), strict=True)), "message": ""}
    (tmp_path / "forged.json").write_text(json.dumps({"dlint-baseline": 1, "diagnostics": [forged]}))
    for baseline in ("base.json", "forged.json"):
        run = dlint_in_process("check", str(path), "--baseline", baseline, "--output-format", "json")
        assert_clean_exit(run, 1)
        assert [d["code"] for d in run.json()] == ["DL006"]
    hidden = dlint_in_process("check", str(good), "--baseline", "base.json")
    assert_clean_exit(hidden, 0)  # what was checked stays subject to the baseline

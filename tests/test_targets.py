"""Targets: the readers a file must satisfy decide the severity of what breaks them (see dlint.readers)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest

from dlint.diagnostics import Severity
from dlint.readers import Claim, Reader, Reading, inferred, judged, parse_targets
from dlint.reporters.summary import INFERRED
from dlint.rules import RULES_BY_CODE

DATUMARO, CVAT = frozenset({Reader.DATUMARO}), frozenset({Reader.CVAT})
BOTH = DATUMARO | CVAT
FAILS = Claim(Reading.FAILS, "reader.py: load")
READS = Claim(Reading.READS, "reader.py: load")

#: A Datumaro 1.0 file with one undeclared attribute: CVAT drops it on import, Datumaro keeps it.
DOC: dict[str, Any] = {
    "dm_format_version": "1.0",
    "media_type": 2,
    "infos": {},
    "categories": {"label": {"labels": [{"name": "x", "parent": "", "attributes": []}], "attributes": []}},
    "items": [
        {
            "id": "a",
            "annotations": [
                {
                    "id": 0,
                    "type": "bbox",
                    "attributes": {"colour": "red"},
                    "group": 0,
                    "label_id": 0,
                    "z_order": 0,
                    "bbox": [0, 0, 1, 1],
                }
            ],
            "image": {"path": "a.jpg", "size": [4, 4]},
        }
    ],
}


def test_a_defect_that_breaks_a_targeted_reader_is_an_error() -> None:
    claims = {Reader.DATUMARO: FAILS, Reader.CVAT: READS}
    said = " (mainline Datumaro fails to import it)"
    assert judged(Severity.WARNING, claims, DATUMARO) == (Severity.ERROR, said)
    assert judged(Severity.WARNING, claims, BOTH) == (Severity.ERROR, said)
    both = {Reader.DATUMARO: FAILS, Reader.CVAT: Claim(Reading.CORRUPTS, "cvat.py: load")}
    assert judged(Severity.INFO, both, BOTH)[1] == (
        " (mainline Datumaro fails to import it; CVAT imports it wrongly, without a word)"
    )


def test_one_that_breaks_only_another_reader_names_it_and_is_a_warning_unless_wrong_in_itself() -> None:
    claims = {Reader.DATUMARO: FAILS, Reader.CVAT: READS}
    note = " (portability: mainline Datumaro fails to import it; not a target of this check)"
    assert judged(Severity.INFO, claims, CVAT) == (Severity.WARNING, note)
    assert judged(Severity.WARNING, claims, CVAT) == (Severity.WARNING, note)
    assert judged(Severity.ERROR, claims, CVAT) == (Severity.WARNING, note)
    assert judged(Severity.ERROR, claims, CVAT, inherent=True) == (Severity.ERROR, note)
    assert judged(Severity.INFO, claims, CVAT, inherent=True) == (Severity.WARNING, note)


@pytest.mark.parametrize("rule", [rule for rule in RULES_BY_CODE.values() if rule.readers], ids=str)
def test_every_rule_is_judged_by_the_readers_it_breaks(rule: Any) -> None:
    """For every rule and every target: an error where it breaks a targeted reader, at most a warning
    (or an inherent rule's own severity) where it breaks only others, its own where it breaks none."""
    broken = {reader for reader, claim in rule.readers.items() if claim.reading.breaks}
    for targets in (DATUMARO, CVAT, BOTH):
        severity, note = rule.judged(targets)
        if broken & targets:
            assert severity is Severity.ERROR and ("fails to import it" in note or "wrongly" in note)
        elif broken:
            expected = (
                rule.severity if rule.inherent and rule.severity is Severity.ERROR else Severity.WARNING
            )
            assert (severity, "portability" in note) == (expected, True)
        else:
            assert (severity, note) == (rule.severity, "")


def test_one_that_breaks_no_reader_keeps_the_rules_own_severity() -> None:
    both_read = {Reader.DATUMARO: READS, Reader.CVAT: READS}
    assert judged(Severity.INFO, both_read, BOTH) == (Severity.INFO, "")
    assert judged(Severity.ERROR, {}, CVAT) == (Severity.ERROR, "")


def test_targets_are_named_and_inferred_from_the_dialect() -> None:
    assert parse_targets(["all"]) == BOTH == parse_targets([" CVAT", "datumaro "])
    for wrong in ([], ["nope"], [""]):
        with pytest.raises(ValueError):
            parse_targets(wrong)
    assert inferred("cvat-1.0") == CVAT == inferred("legacy-info")
    assert inferred("legacy-infos") == DATUMARO == inferred("datumaro-1.0")


def _dataset(root: Path, doc: dict[str, Any] = DOC) -> Path:
    (root / "annotations").mkdir(parents=True)
    (root / "annotations" / "default.json").write_bytes(orjson.dumps(doc))
    return root


def _verdict(dlint: Any, *args: str) -> tuple[int, list[tuple[str, str]]]:
    run = dlint("check", *args, "--output-format", "json")
    return run.code, [(d["code"], d["severity"]) for d in run.json()]


@pytest.mark.parametrize("cache", [False, True])
def test_the_target_decides_the_verdict_on_the_command_line(dlint: Any, tmp_path: Path, cache: bool) -> None:
    root = str(_dataset(tmp_path / "d"))
    caching = ["--cache-dir", str(tmp_path / "cache")] if cache else ["--no-cache"]
    assert _verdict(dlint, root, *caching) == (0, [("DL117", "warning")])  # written for Datumaro
    assert _verdict(dlint, root, *caching, "--target", "cvat") == (1, [("DL117", "error")])
    assert _verdict(dlint, root, *caching, "--target", "datumaro,cvat") == (1, [("DL117", "error")])
    assert _verdict(dlint, root, *caching, "--target", "datumaro") == (0, [("DL117", "warning")])
    warned = dlint("check", root, *caching, "--output-format", "concise")
    assert "(portability: CVAT imports it wrongly, without a word; not a target of this check)" in warned.out
    assert warned.out.rstrip().endswith(f"(1 checked; {INFERRED}).")
    given = dlint("check", root, *caching, "--target", "datumaro", "--output-format", "concise")
    assert INFERRED not in given.out


def test_the_target_is_configured_and_refused_when_unknown(dlint: Any, tmp_path: Path) -> None:
    root = _dataset(tmp_path / "d")
    (root / "pyproject.toml").write_text('[tool.dlint]\ntarget = ["cvat"]\n')
    assert _verdict(dlint, str(root), "--no-cache") == (1, [("DL117", "error")])
    assert _verdict(dlint, str(root), "--no-cache", "--target", "datumaro") == (0, [("DL117", "warning")])
    wrong = dlint("check", str(root), "--target", "nope")
    assert (wrong.code, wrong.err.strip()) == (
        2,
        "dlint: error: unknown target 'nope'; choose among datumaro, cvat, all",
    )
    (root / "pyproject.toml").write_text('[tool.dlint]\ntarget = ["coco"]\n')
    assert dlint("check", str(root)).code == 2


def test_a_cvat_file_is_checked_for_cvat_by_default(dlint: Any, tmp_path: Path) -> None:
    doc = copy.deepcopy(DOC)
    del doc["dm_format_version"], doc["media_type"], doc["infos"]
    doc = {"info": {}, **doc}  # CVAT's dialect
    root = str(_dataset(tmp_path / "d", doc))
    assert _verdict(dlint, root, "--no-cache") == (1, [("DL117", "error")])
    assert _verdict(dlint, root, "--no-cache", "--target", "datumaro") == (0, [("DL117", "warning")])


def test_the_rule_says_what_each_reader_does(dlint: Any) -> None:
    shown = dlint("rule", "DL117").out
    assert "Readers:\n- mainline Datumaro reads it as written." in shown
    assert "- CVAT imports it wrongly, without a word." in shown
    assert "(source: cvat/apps/dataset_manager/bindings.py: CommonData._import_shape" in shown
    [listed] = [r for r in dlint("rules", "--output-format", "json").json() if r["code"] == "DL117"]
    assert listed["readers"]["cvat"]["reading"] == "corrupts"
    assert listed["readers"]["datumaro"]["source"] == RULES_BY_CODE["DL117"].readers[Reader.DATUMARO].source


def test_the_fix_on_offer_follows_the_target(dlint: Any, tmp_path: Path) -> None:
    """Declaring the media type of CVAT's legacy point-cloud file repairs mainline Datumaro's import:
    safe when the check is for Datumaro, not applied without asking when it is for CVAT alone."""
    item = {"id": "a", "annotations": [], "point_cloud": {"path": "a.pcd"}}
    root = _dataset(tmp_path / "d", {"info": {}, "categories": {}, "items": [item]})
    path = root / "annotations" / "default.json"
    for_cvat = dlint("fix", str(root))  # inferred from the dialect: CVAT reads the file already
    assert "media_type" not in orjson.loads(path.read_bytes()), for_cvat.out
    assert "DL605 warning" in for_cvat.out and "1 diagnostic remains (0 errors)" in for_cvat.out
    for_datumaro = dlint("fix", str(root), "--target", "datumaro")
    assert orjson.loads(path.read_bytes())["media_type"] == 6, for_datumaro.out
    assert "nothing remains" in for_datumaro.out

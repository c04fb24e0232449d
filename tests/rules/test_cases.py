"""Rule cases as data (tests/rules/cases/<CODE>.yaml): each case edits a valid base document and lists
every diagnostic the whole run must give, so a cascade or a missed defect fails the case."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from dlint.api import LintOptions, lint, lint_data, select_rules
from dlint.diagnostics import split_pointer
from dlint.fixloop import fix_bytes
from dlint.readers import parse_targets
from dlint.rules import ALL_RULES
from tests.rules.datasets import make_dataset, zip_folder

HERE = Path(__file__).parent
BASE = json.loads((HERE / "base.json").read_text())
CASE_FILES = sorted((HERE / "cases").glob("*.yaml"))


def _cases() -> list[Any]:
    params = []
    for path in CASE_FILES:
        spec = yaml.safe_load(path.read_text())
        for case in spec["cases"]:
            params.append(pytest.param(spec["rule"], case, id=f"{path.stem}: {case['name']}"))
    return params


def _parent(doc: Any, pointer: str) -> tuple[Any, str]:
    *path, last = split_pointer(pointer)
    node = doc
    for token in path:
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node, last


def build(case: dict[str, Any]) -> bytes:
    """The case's document as bytes: raw text, or the base document with edits applied."""
    if "raw" in case:
        return str(case["raw"]).encode()
    doc = copy.deepcopy(BASE)
    for pointer, value in (case.get("set") or {}).items():
        parent, key = _parent(doc, pointer)
        if isinstance(parent, list):
            parent[int(key)] = value
        else:
            parent[key] = value
    for pointer in case.get("remove") or []:
        parent, key = _parent(doc, pointer)
        del parent[int(key) if isinstance(parent, list) else key]
    return json.dumps(doc, indent=1).encode()


@pytest.mark.parametrize(("rule", "case"), _cases())
def test_case(rule: str, case: dict[str, Any], tmp_path: Path) -> None:
    target = tuple(case["target"]) if "target" in case else None  # the readers checked for
    options = LintOptions(dialect=case.get("dialect"), ignore=tuple(case.get("ignore", ())), target=target)
    if "dataset" in case:
        root = tmp_path / "ds"
        make_dataset(root, case["dataset"], build)
        target = zip_folder(root, tmp_path / "ds.zip") if case.get("archive") else root
        diagnostics = lint([str(target)], options).diagnostics
        prefix = f"{target}/"
    else:
        diagnostics = lint_data(build(case), name="case.json", options=options).diagnostics
        prefix = ""
    got = sorted((d.file.removeprefix(prefix), d.code, d.pointer) for d in diagnostics)
    default = "case.json" if not prefix else None
    want = sorted((e.get("file", default), e["code"], e["pointer"]) for e in case["expect"])
    assert got == want, [d.message for d in diagnostics]
    if "fixed" in case:
        _check_fix(rule, case, options)
    by_key = {(d.file.removeprefix(prefix), d.code, d.pointer): d for d in diagnostics}
    for expected in case["expect"]:
        diagnostic = by_key[(expected.get("file", default), expected["code"], expected["pointer"])]
        assert expected.get("message", "") in diagnostic.message
        for field in ("line", "column"):
            if field in expected:
                assert getattr(diagnostic, field) == expected[field]


def _check_fix(rule: str, case: dict[str, Any], options: LintOptions) -> None:
    """Fix cases: the fix removes the rule's diagnostics, gives the expected values, and
    fixing the result again changes nothing."""
    rules = select_rules(options)
    unsafe = bool(case.get("unsafe"))
    targets = parse_targets(options.target) if options.target is not None else None
    result = fix_bytes(
        build(case), file="case.json", subset="default", rules=rules, unsafe=unsafe, targets=targets
    )
    assert result.refused is None and result.fixed is not None
    assert rule not in {d.code for d in result.remaining}
    document = json.loads(result.fixed)
    for pointer, value in case["fixed"].items():
        parent, key = _parent(document, pointer)
        assert parent[int(key) if isinstance(parent, list) else key] == value, pointer
    again = fix_bytes(
        result.fixed, file="case.json", subset="default", rules=rules, unsafe=unsafe, targets=targets
    )
    assert again.fixed == result.fixed and not again.applied


def test_every_rule_has_passing_and_failing_cases() -> None:
    for rule in ALL_RULES:
        path = HERE / "cases" / f"{rule.code}.yaml"
        assert path.exists(), f"no cases for {rule.code}"
        cases = yaml.safe_load(path.read_text())["cases"]
        passing = [c for c in cases if all(e["code"] != rule.code for e in c["expect"])]
        assert passing, f"{rule.code} has no passing case"
        assert any(any(e["code"] == rule.code for e in c["expect"]) for c in cases), (
            f"{rule.code} never fails"
        )


def test_base_document_is_clean() -> None:
    assert lint_data(json.dumps(BASE).encode()).diagnostics == ()


def test_codes_and_names_are_unique_and_well_formed() -> None:
    import re

    codes = [rule.code for rule in ALL_RULES]
    names = [rule.name for rule in ALL_RULES]
    assert len(set(codes)) == len(codes) and len(set(names)) == len(names)
    for rule in ALL_RULES:
        assert re.fullmatch(r"DL\d{3}", rule.code), rule.code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name
        docs = rule.docs()
        for section in ("## What it does", "## Why is this bad?", "## Example"):
            assert section in docs, (rule.code, section)

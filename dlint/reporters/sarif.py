"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run; ``tool.driver`` names dlint, its version and the rules that the results refer to. Each result
has the rule, a level, the message and the file (relative to the project root) with a 1-based region;
columns count Unicode code points, as the run's ``columnKind`` says.
"""

from __future__ import annotations

from typing import Any

import orjson

from dlint import __version__
from dlint.api import Report
from dlint.diagnostics import Diagnostic, Severity
from dlint.keys import fingerprints
from dlint.reporters.paths import project_path, project_root, uri
from dlint.rules import RULES_BY_CODE

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(report: Report, quiet: bool = False) -> str:
    root = project_root()
    codes = sorted({d.code for d in report.diagnostics})
    index = {code: position for position, code in enumerate(codes)}
    prints = fingerprints(report.diagnostics, lambda file: project_path(file, root))
    results = [
        _result(d, index[d.code], project_path(d.file, root), fingerprint)
        for d, fingerprint in zip(report.diagnostics, prints, strict=True)
    ]
    driver = {
        "name": "dlint",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [_rule(code) for code in codes],
    }
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}],
    }
    return orjson.dumps(log, option=orjson.OPT_INDENT_2).decode() + "\n"


def _rule(code: str) -> dict[str, Any]:
    rule = RULES_BY_CODE.get(code)
    if rule is None:
        return {"id": code}
    return {
        "id": code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": rule.docs()},
        "help": {"text": rule.docs(), "markdown": rule.docs()},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"fix": rule.fix.value},
    }


def _result(diagnostic: Diagnostic, rule_index: int, path: str, fingerprint: str) -> dict[str, Any]:
    region = {"startLine": diagnostic.line or 1, "startColumn": diagnostic.column or 1}
    location = {"artifactLocation": {"uri": uri(path), "uriBaseId": "%SRCROOT%"}, "region": region}
    properties = {
        "pointer": diagnostic.pointer,
        "subset": diagnostic.subset,
        "itemId": diagnostic.item_id,
        "annotationId": diagnostic.annotation_id,
    }
    return {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": LEVELS[diagnostic.severity],
        "message": {"text": diagnostic.message},
        "locations": [{"physicalLocation": location}],
        "partialFingerprints": {"dlintKey/v1": fingerprint},
        "properties": {key: value for key, value in properties.items() if value is not None},
    }

"""GitLab Code Quality: a JSON array of issues, each with a fingerprint that stays the same across
runs (it is made of the diagnostic's stable key, never of line numbers)."""

from __future__ import annotations

from typing import Any

import orjson

from dlint.api import Report
from dlint.diagnostics import Diagnostic, Severity
from dlint.keys import fingerprints
from dlint.reporters.paths import project_path, project_root

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def render(report: Report, quiet: bool = False) -> str:
    root = project_root()
    prints = fingerprints(report.diagnostics, lambda file: project_path(file, root))
    issues = [
        _issue(d, project_path(d.file, root), fingerprint)
        for d, fingerprint in zip(report.diagnostics, prints, strict=True)
    ]
    return orjson.dumps(issues, option=orjson.OPT_INDENT_2).decode() + "\n"


def _issue(diagnostic: Diagnostic, path: str, fingerprint: str) -> dict[str, Any]:
    return {
        "description": f"{diagnostic.code}: {diagnostic.message}",
        "check_name": diagnostic.code,
        "fingerprint": fingerprint,
        "severity": SEVERITIES[diagnostic.severity],
        "location": {"path": path, "lines": {"begin": diagnostic.line or 1}},
    }

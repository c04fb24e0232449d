"""JUnit XML: one test case per file checked, one failure per diagnostic in it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from dlint.api import Report
from dlint.diagnostics import Diagnostic
from dlint.reporters.concise import headline


def render(report: Report, quiet: bool = False) -> str:
    by_file: dict[str, list[Diagnostic]] = {file: [] for file in report.files}
    for diagnostic in report.diagnostics:
        by_file.setdefault(diagnostic.file, []).append(diagnostic)
    failed = sum(1 for diagnostics in by_file.values() if diagnostics)
    counts = {"tests": str(len(by_file)), "failures": str(failed), "errors": "0"}
    suites = ET.Element("testsuites", {"name": "dlint", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": "dlint", **counts, "skipped": "0"})
    for file, diagnostics in by_file.items():
        case = ET.SubElement(suite, "testcase", {"classname": "dlint", "name": file, "file": file})
        for d in diagnostics:
            failure = ET.SubElement(
                case, "failure", {"type": d.code, "message": f"{d.code} {d.name}: {d.message}"}
            )
            detail = f"pointer: {d.pointer or '(document)'}"
            if d.item_id is not None:
                detail += f", item: {d.item_id}"
            failure.text = f"{headline(d)}\n{detail}"
    ET.indent(suites)
    body = ET.tostring(suites, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'

"""``file:line:col: CODE message``, one line per diagnostic."""

from __future__ import annotations

from dlint.api import Report
from dlint.diagnostics import Diagnostic
from dlint.reporters.summary import summary


def headline(diagnostic: Diagnostic) -> str:
    """The first line of a diagnostic in the text formats."""
    where = f"{diagnostic.file}:{diagnostic.line or 1}:{diagnostic.column or 1}"
    level = "" if diagnostic.severity.value == "error" else f"{diagnostic.severity.value}: "
    return f"{where}: {diagnostic.code} {level}{diagnostic.message}"


def render(report: Report) -> str:
    lines = [headline(d) for d in report.diagnostics]
    lines.append(summary(report))
    return "\n".join(lines) + "\n"

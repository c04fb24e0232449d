"""``file:line:col: CODE message``, one line per diagnostic."""

from __future__ import annotations

from dlint.api import Report
from dlint.diagnostics import Applicability, Diagnostic
from dlint.reporters.summary import summary


def headline(diagnostic: Diagnostic) -> str:
    """The first line of a diagnostic in the text formats."""
    where = f"{diagnostic.file}:{diagnostic.line or 1}:{diagnostic.column or 1}"
    marker = "[*] " if is_safe_fix(diagnostic) else ""
    message = diagnostic.message.replace("\r", "\\r").replace("\n", "\\n")  # one line per diagnostic
    return f"{where}: {diagnostic.code} {marker}{level(diagnostic)}{message}"


def is_safe_fix(diagnostic: Diagnostic) -> bool:
    """Whether ``dlint fix`` repairs the diagnostic (marked ``[*]``)."""
    return diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.SAFE


def level(diagnostic: Diagnostic) -> str:
    """``warning: `` or ``info: `` before a message; nothing for errors."""
    return "" if diagnostic.severity.value == "error" else f"{diagnostic.severity.value}: "


def render(report: Report, quiet: bool = False) -> str:
    lines = [headline(d) for d in report.diagnostics]
    if not quiet:
        lines.append(summary(report))
    return "".join(line + "\n" for line in lines)

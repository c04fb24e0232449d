"""``file:line:col: CODE message``, one line per diagnostic."""

from __future__ import annotations

from dlint.api import Report
from dlint.diagnostics import Applicability, Diagnostic
from dlint.reporters.colors import PLAIN, Palette
from dlint.reporters.summary import summary


def headline(diagnostic: Diagnostic, palette: Palette = PLAIN) -> str:
    """The first line of a diagnostic in the text formats."""
    where = palette.paint(f"{diagnostic.file}:{diagnostic.line or 1}:{diagnostic.column or 1}", "bold")
    code = palette.severity(diagnostic.code, diagnostic.severity)
    marker = palette.paint("[*]", "cyan") + " " if is_safe_fix(diagnostic) else ""
    message = diagnostic.message.replace("\r", "\\r").replace("\n", "\\n")  # one line per diagnostic
    return f"{where}: {code} {marker}{level(diagnostic, palette)}{message}"


def is_safe_fix(diagnostic: Diagnostic) -> bool:
    """Whether ``dlint fix`` repairs the diagnostic (marked ``[*]``)."""
    return diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.SAFE


def level(diagnostic: Diagnostic, palette: Palette = PLAIN) -> str:
    """``warning: `` or ``info: `` before a message; nothing for errors."""
    if diagnostic.severity.value == "error":
        return ""
    return palette.severity(f"{diagnostic.severity.value}:", diagnostic.severity) + " "


def render(report: Report, quiet: bool = False, color: bool = False) -> str:
    palette = Palette(color)
    lines = [headline(d, palette) for d in report.diagnostics]
    if not quiet:
        lines.append(summary(report))
    return "".join(line + "\n" for line in lines)

"""The closing line of the text formats."""

from __future__ import annotations

from dlint.api import Report
from dlint.diagnostics import Applicability, Severity

#: Said when no target was given: each file was checked for the reader its dialect is written for.
INFERRED = "target inferred from each file's dialect"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(report: Report) -> str:
    """``Found 2 errors and 1 warning in 1 file (3 checked).`` or ``All checks passed! (...)``."""
    hidden = f", {report.baselined} hidden by the baseline" if report.baselined else ""
    if report.inferred_target and report.files:
        hidden += f"; {INFERRED}"
    if not report.diagnostics:
        return f"All checks passed! ({plural(len(report.files), 'file')} checked{hidden})"
    parts = [
        plural(report.count(severity), severity.value)
        for severity in Severity
        if report.count(severity) or severity is Severity.ERROR
    ]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    affected = len({d.file for d in report.diagnostics})
    found = f"Found {listed} in {plural(affected, 'file')} ({len(report.files)} checked{hidden})."
    return found + fixable(report)


def fixable(report: Report) -> str:
    """How many diagnostics ``dlint fix`` (and ``--unsafe-fixes``) would repair, on a line of its own."""
    kinds = [d.fix.applicability for d in report.diagnostics if d.fix is not None]
    safe, unsafe = kinds.count(Applicability.SAFE), kinds.count(Applicability.UNSAFE)
    if not safe and not unsafe:
        return ""
    parts = [f"[*] {safe} fixable with `dlint fix`"] if safe else []
    if unsafe:
        parts.append(f"{unsafe} {'more ' if safe else ''}fixable with `dlint fix --unsafe-fixes`")
    return "\n" + "; ".join(parts) + "."

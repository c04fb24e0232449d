"""The closing line of the text formats."""

from __future__ import annotations

from dlint.api import Report
from dlint.diagnostics import Severity


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(report: Report) -> str:
    """``Found 2 errors and 1 warning in 1 file.`` or ``All checks passed!``."""
    if not report.diagnostics:
        return f"All checks passed! ({_plural(len(report.files), 'file')} checked)"
    parts = [
        _plural(report.count(severity), severity.value)
        for severity in Severity
        if report.count(severity) or severity is Severity.ERROR
    ]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    affected = len({d.file for d in report.diagnostics})
    return f"Found {listed} in {_plural(affected, 'file')} ({len(report.files)} checked)."

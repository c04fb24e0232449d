"""GitHub Actions workflow commands: ``::error file=...,line=...,col=...,title=CODE::message``.

GitHub turns each line into an annotation on the file. Data is escaped as the runner expects (``%``,
carriage return and line feed), and property values also ``:`` and ``,``.
"""

from __future__ import annotations

from dlint.api import Report
from dlint.diagnostics import Diagnostic, Severity
from dlint.reporters.paths import project_path, project_root

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(diagnostic: Diagnostic, path: str) -> str:
    """The workflow command of one diagnostic."""
    properties = {
        "file": path,
        "line": str(diagnostic.line or 1),
        "col": str(diagnostic.column or 1),
        "title": diagnostic.code,
    }
    listed = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    where = [f"pointer: {diagnostic.pointer or '(document)'}"]
    if diagnostic.item_id is not None:
        where.append(f"item: {diagnostic.item_id}")
    message = f"{diagnostic.message}\n{', '.join(where)}"
    return f"::{COMMANDS[diagnostic.severity]} {listed}::{escape_data(message)}"


def render(report: Report, quiet: bool = False) -> str:
    root = project_root()
    return "".join(command(d, project_path(d.file, root)) + "\n" for d in report.diagnostics)

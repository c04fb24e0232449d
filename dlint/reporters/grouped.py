"""Diagnostics grouped under the name of their file: ``  line:col CODE message``."""

from __future__ import annotations

from dlint.api import Report
from dlint.diagnostics import Diagnostic
from dlint.reporters.colors import Palette
from dlint.reporters.concise import level
from dlint.reporters.summary import summary


def render(report: Report, quiet: bool = False, color: bool = False) -> str:
    palette = Palette(color)
    by_file: dict[str, list[Diagnostic]] = {}
    for diagnostic in report.diagnostics:
        by_file.setdefault(diagnostic.file, []).append(diagnostic)
    lines: list[str] = []
    for file, diagnostics in by_file.items():
        places = [f"{d.line or 1}:{d.column or 1}" for d in diagnostics]
        width = max(len(place) for place in places)
        lines.append(palette.paint(f"{file}:", "bold"))
        for place, d in zip(places, diagnostics, strict=True):
            code = palette.severity(d.code, d.severity)
            lines.append(f"  {place.ljust(width)} {code} {level(d, palette)}{d.message}")
        lines.append("")
    if not quiet:
        lines.append(summary(report))
    elif lines:
        lines.pop()
    return "".join(line + "\n" for line in lines)

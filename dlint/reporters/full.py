"""The default format: the headline, the offending source line with a caret, the pointer."""

from __future__ import annotations

from dlint.api import Report
from dlint.diagnostics import Diagnostic
from dlint.reporters.colors import Palette
from dlint.reporters.concise import headline
from dlint.reporters.summary import summary


def _block(diagnostic: Diagnostic, palette: Palette) -> list[str]:
    lines = [headline(diagnostic, palette)]
    if diagnostic.excerpt is not None:
        text, caret = diagnostic.excerpt
        number = str(diagnostic.line or 1)
        gutter = " " * len(number)
        bar = palette.paint("|", "blue")
        pointed = palette.severity(f"^ {diagnostic.code}", diagnostic.severity)
        lines += [
            f"{gutter} {bar}",
            f"{palette.paint(number, 'blue')} {bar} {text}",
            f"{gutter} {bar} {' ' * caret}{pointed}",
            f"{gutter} {bar}",
        ]
    where = [f"pointer: {diagnostic.pointer or '(document)'}"]
    if diagnostic.item_id is not None:
        where.append(f"item: {diagnostic.item_id}")
    lines.append(f"  = {', '.join(where)}")
    return lines


def render(report: Report, quiet: bool = False, color: bool = False) -> str:
    palette = Palette(color)
    lines: list[str] = []
    for diagnostic in report.diagnostics:
        lines += _block(diagnostic, palette)
        lines.append("")
    if not quiet:
        lines.append(summary(report))
    elif lines:
        lines.pop()
    return "".join(line + "\n" for line in lines)

"""What ``dlint fix`` prints: diffs or applied fixes, the diagnostics that remain, and a summary."""

from __future__ import annotations

import difflib

from dlint.fixer import FixResult
from dlint.fixing import FixReport
from dlint.reporters.concise import headline
from dlint.reporters.summary import plural

#: Longest line shown in a diff; longer ones (compact files are one line) are cut around the change.
DIFF_LINE = 240


def render(report: FixReport, *, diff: bool, show_fixes: bool, quiet: bool = False) -> str:
    lines: list[str] = []
    for result in report.results:
        if diff and result.changed:
            lines += _diff(result)
        if show_fixes:
            lines += [f"{result.name}: {fix.code} {fix.title} ({fix.pointer})" for fix in result.applied]
    lines += [headline(d) for d in (d for r in report.results for d in r.remaining)]
    lines += [f"{result.name}: not fixed: {result.refused}" for result in report.results if result.refused]
    if not quiet:
        lines.append(summary(report, diff=diff))
    return "".join(line + "\n" for line in lines)


def summary(report: FixReport, *, diff: bool) -> str:
    changed = report.changed
    fixes = sum(len(result.applied) for result in changed)
    remaining = [d for result in report.results for d in result.remaining]
    errors = sum(1 for d in remaining if d.severity.value == "error")
    verb = "Would fix" if diff else "Fixed"
    if changed:
        reformatted = sum(1 for result in changed if not result.applied)
        head = f"{verb} {plural(fixes, 'issue')} in {plural(len(changed), 'file')}"
        if reformatted:
            head += f" ({reformatted} only rewritten in the normal form)"
    elif report.unwritten:
        head = "Nothing was written"
    else:
        head = f"Nothing to fix ({plural(len(report.results), 'file')} checked)"
    if report.unwritten:  # what remains of those is what their files on disk hold
        head += f"{'; ' if changed else ': '}{plural(len(report.unwritten), 'file')} could not be written"
    left = "nothing remains"
    if remaining:
        verb = "remains" if len(remaining) == 1 else "remain"
        left = f"{plural(len(remaining), 'diagnostic')} {verb} ({plural(errors, 'error')})"
    return f"{head}; {left}."


def _diff(result: FixResult) -> list[str]:
    before = result.original.decode("utf-8", "replace").splitlines()
    after = (result.fixed or b"").decode("utf-8", "replace").splitlines()
    lines = list(difflib.unified_diff(before, after, result.name, f"{result.name} (fixed)", lineterm="", n=1))
    shown = []
    for index, line in enumerate(lines):
        partner = lines[index + 1] if line.startswith("-") and index + 1 < len(lines) else ""
        if line.startswith("+") and index and lines[index - 1].startswith("-"):
            partner = lines[index - 1]
        shown.append(_cut(line, partner))
    return shown


def _cut(line: str, partner: str) -> str:
    """A long line cut to a window around where it first differs from its partner line."""
    if len(line) <= DIFF_LINE:
        return line
    common = next((i for i, (a, b) in enumerate(zip(line[1:], partner[1:], strict=False)) if a != b), 0)
    start = max(1, common - DIFF_LINE // 4)
    end = start + DIFF_LINE
    return f"{line[0]}{'…' if start > 1 else ''}{line[start:end]}{'…' if end < len(line) else ''}"

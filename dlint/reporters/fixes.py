"""What ``dlint fix`` prints: diffs or applied fixes, the diagnostics that remain, and a summary."""

from __future__ import annotations

import difflib
import os

from dlint.fixloop import FixResult
from dlint.fixrun import FixReport
from dlint.reporters.concise import headline
from dlint.reporters.summary import plural


def render(report: FixReport, *, diff: bool, show_fixes: bool, quiet: bool = False) -> str:
    lines: list[str] = []
    for result in report.results:
        if show_fixes or (diff and result.changed):  # a diff of a one-line file shows little by itself
            lines += [f"{result.name}: {fix.code} {fix.title} ({fix.pointer})" for fix in result.applied]
        if diff and result.changed:
            lines += unified_diff(result)[:-1].split("\n")  # (only \n ends a line of the diff)
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
        found = f"{plural(report.unwritten_fixes, 'issue')} found in {plural(len(report.unwritten), 'file')}"
        head += f"{'; ' if changed else ': '}{found} that could not be written"
    left = "nothing remains"
    if remaining:
        verb = "remains" if len(remaining) == 1 else "remain"
        left = f"{plural(len(remaining), 'diagnostic')} {verb} ({plural(errors, 'error')})"
    return f"{head}; {left}."


def unified_diff(result: FixResult) -> str:
    """The change as a unified diff of whole lines that ``git apply`` (``patch -p1``) accepts, with
    the ``a/`` and ``b/`` prefixes and the mark of a last line without a line break."""
    before, after = _lines(result.original), _lines(result.fixed or b"")
    name = result.name.replace(os.sep, "/")
    out = []
    for line in difflib.diff_bytes(
        difflib.unified_diff, before, after, f"a/{name}".encode(), f"b/{name}".encode()
    ):
        out.append(line if line.endswith(b"\n") else line + b"\n\\ No newline at end of file\n")
    return b"".join(out).decode("utf-8", "replace")


def _lines(text: bytes) -> list[bytes]:
    """The lines of a text, each with its line break (only \\n breaks a line, as for git)."""
    lines = text.split(b"\n")
    return [line + b"\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])

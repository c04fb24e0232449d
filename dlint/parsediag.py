"""Diagnostics for what the parser and the readers found before any rule ran: a file that does not
parse or was refused (one diagnostic), and what a parse accepted silently (see :class:`ParseNote`).

They point at the document (pointer ``""``) and carry the exact line and column of the problem.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from dlint.diagnostics import Diagnostic, Severity
from dlint.document import Document, ParseFailure, source_snippet
from dlint.parsecheck import INVALID_JSON
from dlint.readers import ALL_READERS, Targets, inferred
from dlint.rules.base import Rule
from dlint.rules.structure import PARSE_RULES
from dlint.schemas import detect_dialect


def failure_diagnostics(
    failure: ParseFailure,
    raw: bytes,
    *,
    file: str,
    subset: str,
    rules: Sequence[type[Rule]],
    targets: Targets | None = None,
) -> list[Diagnostic]:
    """The diagnostic for a file that does not parse or was refused: a refusal is reported whatever
    the selection (see :attr:`Rule.refusal`), anything else only when its rule is on. Its message
    names the readers it breaks (``targets``; a file without a dialect: every reader)."""
    rule = PARSE_RULES[failure.code]
    if not rule.refusal and rule not in rules:
        return []
    message = f"invalid JSON: {failure.message}" if failure.code == INVALID_JSON else failure.message
    message += rule.judged(targets or ALL_READERS)[1]
    diagnostic = rule_diagnostic(rule, message, file, subset, "", failure.line, failure.column)
    if diagnostic.severity is not Severity.ERROR:  # the file was not checked: that is an error
        diagnostic = dataclasses.replace(diagnostic, severity=Severity.ERROR)
    return [diagnostic.with_excerpt(source_snippet(raw, failure.offset)) if failure.excerpt else diagnostic]


def note_diagnostics(
    document: Document,
    *,
    file: str,
    subset: str,
    rules: Sequence[type[Rule]],
    targets: Targets | None = None,
) -> list[Diagnostic]:
    """The diagnostics for what the parse of a document accepted silently (selected rules only),
    judged for the targets (None: the reader of the document's dialect)."""
    notes = [note for note in document.notes if PARSE_RULES[note.code] in rules]
    if not notes:
        return []
    judged_for = targets or inferred(detect_dialect(document.data, document.raw))
    places = document.locations(note.offset for note in notes)  # one pass over the text for all
    diagnostics = []
    for note in notes:
        at = places[note.offset]
        rule = PARSE_RULES[note.code]
        severity, said = rule.judged(judged_for)
        diagnostic = rule_diagnostic(
            rule, note.message + said, file, subset, "", at.line, at.column, severity
        )
        diagnostics.append(diagnostic.with_excerpt(source_snippet(document.raw, note.offset)))
    return diagnostics


def merged(first: list[Diagnostic], second: list[Diagnostic]) -> list[Diagnostic]:
    """Two lists of diagnostics of one file as one, in position order."""
    return sorted([*first, *second], key=Diagnostic.sort_key) if second else first


def rule_diagnostic(
    rule: type[Rule],
    message: str,
    file: str,
    subset: str,
    pointer: str,
    line: int,
    column: int,
    severity: Severity | None = None,
    **more: Any,
) -> Diagnostic:
    """A diagnostic of ``rule`` at a place in ``file``, of the rule's own severity unless another is
    given; ``more`` sets its other fields (item and annotation ids, fix, excerpt) in the same step."""
    return Diagnostic(
        code=rule.code,
        name=rule.name,
        severity=severity or rule.severity,
        message=message,
        file=file,
        pointer=pointer,
        line=line,
        column=column,
        subset=subset,
        **more,
    )

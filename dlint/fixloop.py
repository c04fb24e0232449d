"""Apply fixes to a parsed file, re-check, repeat: a bounded loop that ends in the canonical form.

Fixes are edits at JSON Pointers. In one round, fixes whose edits touch the same node (one pointer
equal to, or inside, another's) are never applied together: the first in document order wins, the
others wait for the next round, which re-checks the result from scratch. Edits are applied from the
end of the document backwards, so removing an array element never shifts an edit still to come.
The loop stops when a round applies nothing; when a round produces a text seen before (fixes that
undo each other) or the round limit is reached, the original is kept and the failure reported.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dlint.diagnostics import Applicability, Diagnostic, Edit, Fix, split_pointer
from dlint.document import Document, ParseFailure, Refused, collector_paused, parse, pointer_order
from dlint.engine import COLUMN_MIN_SIZE, clean_and_canonical, lint_document
from dlint.parsecheck import DUPLICATE_KEY, HUGE_INTEGER, INVALID_JSON, ParseNote, duplicate_notes
from dlint.parsediag import failure_diagnostics, merged, note_diagnostics
from dlint.readers import Targets
from dlint.rules.base import DatasetState, Rule
from dlint.writer import canonical, dumps

MAX_ROUNDS = 8
#: Why a file is left as it is, by the parse-level rule that says so.
_REFUSALS = {
    INVALID_JSON: "the file does not parse",
    HUGE_INTEGER: "it holds an integer beyond 64 bits, which cannot be rewritten exactly",
    DUPLICATE_KEY: "an object has a key twice; rewriting the file would keep only one of the values",
}


@dataclass(frozen=True)
class AppliedFix:
    """A fix that went into the result."""

    code: str
    title: str
    pointer: str
    applicability: Applicability


@dataclass
class FixResult:
    """What fixing one file gave: the new text (None when unchanged or refused), what was applied,
    what remains, and why the file was left alone if it was."""

    name: str
    original: bytes
    fixed: bytes | None = None
    applied: list[AppliedFix] = field(default_factory=list)
    remaining: list[Diagnostic] = field(default_factory=list)
    refused: str | None = None

    @property
    def changed(self) -> bool:
        return self.fixed is not None and self.fixed != self.original


def fix_bytes(
    raw: bytes,
    *,
    file: str,
    subset: str,
    rules: Sequence[type[Rule]],
    unsafe: bool = False,
    style: str = "compact",
    dialect: str | None = None,
    dataset: DatasetState | None = None,
    fixable: frozenset[str] | None = None,
    targets: Targets | None = None,
) -> FixResult:
    """Fix one annotation file given as bytes; never raises on bad input (it is reported instead).

    ``fixable`` limits the fixes applied to those of these rule codes (None: every rule's);
    ``targets`` are the readers the file must satisfy (None: the one its dialect is written for).
    """
    with collector_paused():
        big = len(raw) >= COLUMN_MIN_SIZE and not isinstance(raw, Refused)
        # a big file with nothing to fix, already in canonical compact form: told by the column pass
        # (see dlint.columns) without parsing it into Python objects
        if (
            big
            and style == "compact"
            and clean_and_canonical(
                raw, file=file, subset=subset, rules=rules, dialect=dialect, dataset=dataset
            )
        ):
            return FixResult(file, raw)
        document = parse(raw)
        if not isinstance(document, Document):
            return _unparsed(document, raw, file, subset, rules, targets)
        lint = Linter(file, subset, rules, dialect, dataset, targets)
        refused = _blocking(document.notes)
        if not isinstance(document.data, dict):
            refused = "the top level is not an object: this is not a dataset file"
        elif not _dataset_file(document.data):
            refused = 'not a dataset file (no "categories" object and "items" list): it is left as it is'
        if refused is not None:
            remaining = lint(document, final=True)
        else:
            result = _loop(document, lint, unsafe, style, fixable)
            if not result.changed or document.keys_checked:
                return result
            late = duplicate_notes(raw)  # about to be rewritten: look for repeated keys now
            if not late:
                return result
            document = parse_ok(raw)  # the loop changed the parsed data: report on the original
            document.notes = (*document.notes, *late)
            refused = _REFUSALS[DUPLICATE_KEY]
            remaining = lint.again(document)
        notes = note_diagnostics(document, file=file, subset=subset, rules=rules, targets=targets)
        return FixResult(file, raw, remaining=merged(remaining, notes), refused=refused)


def _unparsed(
    failure: ParseFailure,
    raw: bytes,
    file: str,
    subset: str,
    rules: Sequence[type[Rule]],
    targets: Targets | None = None,
) -> FixResult:
    """A file that does not parse, or was not read, is reported and left as it is."""
    remaining = failure_diagnostics(failure, raw, file=file, subset=subset, rules=rules, targets=targets)
    reason = _REFUSALS.get(failure.code) or f"refused: {failure.message}"
    return FixResult(file, raw, remaining=remaining, refused=reason)


def _dataset_file(data: dict[str, Any]) -> bool:
    """Whether the file is a Datumaro annotation file, the only kind ``fix`` rewrites."""
    return isinstance(data.get("categories"), dict) and isinstance(data.get("items"), list)


def _blocking(notes: Sequence[ParseNote]) -> str | None:
    """Why a file must not be rewritten, given what its parse accepted silently (None: it may be)."""
    codes = {note.code for note in notes}
    return next((_REFUSALS[code] for code in (HUGE_INTEGER, DUPLICATE_KEY) if code in codes), None)


@dataclass
class Linter:
    """Lints successive versions of one file; only the final version may become the reference the
    dataset's other subset files are compared with."""

    file: str
    subset: str
    rules: Sequence[type[Rule]]
    dialect: str | None
    dataset: DatasetState | None
    targets: Targets | None = None

    def __call__(self, document: Document, *, final: bool) -> list[Diagnostic]:
        dataset = self.dataset
        if dataset is not None and not final:
            dataset = dataclasses.replace(dataset)  # may read the reference, never set it
        return lint_document(
            document,
            file=self.file,
            subset=self.subset,
            rules=self.rules,
            dialect=self.dialect,
            dataset=dataset,
            targets=self.targets,
        )

    def again(self, document: Document) -> list[Diagnostic]:
        """Lint the final version of a file that changed: it replaces the original as the reference."""
        if self.dataset is not None and self.dataset.reference and self.dataset.reference.file == self.file:
            self.dataset.reference = None
        return self(document, final=True)


def _loop(
    document: Document, lint: Linter, unsafe: bool, style: str, fixable: frozenset[str] | None
) -> FixResult:
    result = FixResult(lint.file, document.raw)
    wanted = {Applicability.SAFE, Applicability.UNSAFE} if unsafe else {Applicability.SAFE}
    seen = {document.raw}
    diagnostics = lint(document, final=True)  # most files need no fix: then this is the only check
    for _ in range(MAX_ROUNDS):
        fixes = [
            (d, d.fix)
            for d in diagnostics
            if d.fix is not None and d.fix.applicability in wanted and (fixable is None or d.code in fixable)
        ]
        applied = {id(fix) for fix in apply_fixes(document.data, [fix for _, fix in fixes])}
        try:
            text = dumps(canonical(document.data), style)
        except TypeError as exc:  # a fix made a value the writer cannot write (an integer beyond 64 bits)
            return _give_up(result, lint, f"a fix gives a value that cannot be written ({exc})")
        if not applied:
            result.fixed = text
            result.remaining = diagnostics if text == result.original else lint.again(parse_ok(text))
            return result
        result.applied += [_record(d, fix) for d, fix in fixes if id(fix) in applied]
        if text in seen:
            return _give_up(result, lint, "the fixes undo each other")
        seen.add(text)
        document = parse_ok(text)
        diagnostics = lint(document, final=False)
    return _give_up(result, lint, f"fixes still change the file after {MAX_ROUNDS} rounds")


def apply_fixes(data: Any, fixes: Sequence[Fix]) -> list[Fix]:
    """Apply the fixes that do not overlap an earlier one (in document order); return those applied."""
    taken = _Taken()
    chosen = []
    for fix in sorted(fixes, key=lambda f: min(pointer_order(e.pointer) for e in f.edits)):
        paths = [tuple(split_pointer(edit.pointer)) for edit in fix.edits]
        if any(taken.overlaps(path) for path in paths):
            continue
        chosen.append(fix)
        for path in paths:
            taken.add(path)
    edits = [edit for fix in chosen for edit in fix.edits]
    for edit in sorted(edits, key=lambda e: pointer_order(e.pointer), reverse=True):
        _apply(data, edit)
    return chosen


class _Taken:
    """The paths edited so far, for an overlap test that costs a path's depth (not the number of
    paths taken): a path overlaps when it, or one of its ancestors, was edited, or when it is an
    ancestor of an edited path."""

    def __init__(self) -> None:
        self._edited: set[tuple[str, ...]] = set()
        self._ancestors: set[tuple[str, ...]] = set()

    def overlaps(self, path: tuple[str, ...]) -> bool:
        if path in self._ancestors:
            return True
        return any(path[:depth] in self._edited for depth in range(len(path) + 1))

    def add(self, path: tuple[str, ...]) -> None:
        self._edited.add(path)
        self._ancestors.update(path[:depth] for depth in range(len(path)))


def _apply(data: Any, edit: Edit) -> None:
    *path, last = split_pointer(edit.pointer)
    node = data
    for token in path:
        node = node[int(token)] if isinstance(node, list) else node[token]
    if isinstance(node, list):
        if edit.op == "remove":
            del node[int(last)]
        elif edit.op == "add":
            node.insert(len(node) if last == "-" else int(last), edit.value)
        else:
            node[int(last)] = edit.value
    elif edit.op == "remove":
        del node[last]
    else:
        node[last] = edit.value


def parse_ok(text: bytes) -> Document:
    """Parse text the writer produced (it always parses)."""
    document = parse(text)
    assert isinstance(document, Document), "the canonical writer produced invalid JSON"
    return document


def _record(diagnostic: Diagnostic, fix: Fix) -> AppliedFix:
    return AppliedFix(diagnostic.code, fix.title, diagnostic.pointer, fix.applicability)


def _give_up(result: FixResult, lint: Linter, reason: str) -> FixResult:
    """Keep the original: report why, and what the original still holds."""
    return FixResult(
        result.name, result.original, remaining=lint.again(parse_ok(result.original)), refused=reason
    )

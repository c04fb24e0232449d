"""``fix``: the entry point behind ``dlint fix`` and its hook, re-exported by :mod:`dlint.api`.

Every file is fixed in memory first; only a complete result is written, atomically; a file whose
text would not change is not touched at all (its modification time is kept). Archives are
rewritten as a whole, every other member kept byte for byte. ``fix`` never writes through a
symbolic link (the file's own, or a folder's inside its dataset). When a result cannot be written,
what remains is what the file on disk holds: it is checked again as it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dlint.atomic import WriteError, replace_archive_members, replace_file
from dlint.diagnostics import Diagnostic, Severity
from dlint.document import Document, parse
from dlint.engine import lint_bytes
from dlint.fixloop import FixResult, fix_bytes
from dlint.keys import Key, stable_key
from dlint.readers import Targets
from dlint.rules import Rule
from dlint.rules.base import DatasetState
from dlint.runner import settle_reference
from dlint.sources import Source, discover, written_through_link
from dlint.writer import KEEP, STYLES, layout_of


@dataclass(frozen=True)
class FixSettings:
    """How to write: the layout, and whether to write at all (``--diff`` does not)."""

    #: ``compact``, ``lines``, or ``keep``: each file's layout family (see :func:`dlint.writer.layout_of`).
    style: str = KEEP
    write: bool = True

    def __post_init__(self) -> None:
        if self.style not in (*STYLES, KEEP):
            raise ValueError(f"unknown style {self.style!r}; choose one of {', '.join((*STYLES, KEEP))}")


@dataclass(frozen=True)
class FixPlan:
    """What to do with one file: the rules to run, unsafe fixes or not, the codes whose fixes may be
    applied, the dialect pin, and what to do with the remaining diagnostics (per-file ignores...)."""

    rules: tuple[type[Rule], ...]
    unsafe: bool = False
    fixable: frozenset[str] | None = None
    dialect: str | None = None
    finish: Callable[[list[Diagnostic], str], list[Diagnostic]] | None = None
    #: The readers the file must satisfy (None: the one its dialect is written for).
    targets: Targets | None = None


@dataclass
class FixReport:
    """The results of one run, file by file, the files actually written, and those whose fixed
    version could not be written (their results tell what the file on disk holds)."""

    results: list[FixResult] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    unwritten: list[str] = field(default_factory=list)
    #: The fixes found for the files that could not be written (none of them was applied).
    unwritten_fixes: int = 0

    @property
    def changed(self) -> list[FixResult]:
        return [result for result in self.results if result.changed]

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for r in self.results for d in r.remaining)


def fix_sources(plans: Sequence[tuple[Source, FixPlan]], settings: FixSettings) -> FixReport:
    """Fix files found by :func:`dlint.sources.discover`, writing what changed unless told not to."""
    report = FixReport()
    states: dict[int, DatasetState] = {}
    archives: dict[Path, list[tuple[bytes, _Pending]]] = {}
    for source, plan in plans:
        dataset = source.dataset
        state = states.get(id(dataset))
        if state is None:
            state = states[id(dataset)] = DatasetState(dataset.name, dataset.media)
            codes = tuple(rule.code for rule in plan.rules)
            settle_reference(state, source, codes, plan.dialect, None)
        raw = source.read()
        result = fix_bytes(
            raw,
            file=source.name,
            subset=source.subset,
            rules=plan.rules,
            unsafe=plan.unsafe,
            style=layout_of(raw) if settings.style == KEEP else settings.style,
            dialect=plan.dialect,
            dataset=state,
            fixable=plan.fixable,
            targets=plan.targets,
        )
        if plan.finish is not None:
            result.remaining = plan.finish(result.remaining, source.name)
        report.results.append(result)
        if result.changed and not settings.write:
            result.remaining = _on_disk(result, _Pending(source, plan, state, result))
        if not (result.changed and settings.write and result.fixed is not None):
            continue
        pending = _Pending(source, plan, state, result)
        if source.member is not None:
            archives.setdefault(source.path, []).append((result.fixed, pending))
            continue
        link = written_through_link(source.path, dataset.root)
        try:
            if link is not None:
                raise WriteError(f"{link}; fix never writes through a link, nothing was changed")
            replace_file(source.path, result.fixed)
        except WriteError as exc:
            _unwritten(report, pending, str(exc))
        else:
            report.written.append(source.name)
    for archive, members in archives.items():
        try:
            replace_archive_members(archive, {p.source.member or "": text for text, p in members})
        except WriteError as exc:
            for _, pending in members:
                _unwritten(report, pending, str(exc))
        else:
            report.written.append(str(archive))
    return report


@dataclass(frozen=True)
class _Pending:
    """A fixed file about to be written, and what checking it again needs."""

    source: Source
    plan: FixPlan
    state: DatasetState
    result: FixResult


def _unwritten(report: FixReport, pending: _Pending, reason: str) -> None:
    """The fixed version could not be written: nothing was applied, and what remains is what the
    file on disk holds, checked again (it is again the reference of its dataset's other files)."""
    result, state, source = pending.result, pending.state, pending.source
    if state.reference is not None and state.reference.file == source.name:
        state.reference = None
    remaining = lint_bytes(
        result.original,
        file=source.name,
        subset=source.subset,
        rules=pending.plan.rules,
        dialect=pending.plan.dialect,
        dataset=state,
        targets=pending.plan.targets,
    )
    finish = pending.plan.finish
    result.remaining = finish(remaining, source.name) if finish is not None else remaining
    result.refused = reason
    result.fixed = None
    report.unwritten_fixes += len(result.applied)
    result.applied = []
    report.unwritten.append(source.name)


def _on_disk(result: FixResult, pending: _Pending) -> list[Diagnostic]:
    """What would remain after the fixes, placed in the file on disk (the fixed text is not written):
    a diagnostic the file on disk has too is given as it is there; one that only the fixed text has
    is put where its pointer (or the closest ancestor) lies on disk."""
    source, plan = pending.source, pending.plan
    before = lint_bytes(
        result.original,
        file=source.name,
        subset=source.subset,
        rules=plan.rules,
        dialect=plan.dialect,
        dataset=pending.state,
        targets=plan.targets,
    )
    there: dict[Key, list[Diagnostic]] = {}
    for diagnostic in plan.finish(before, source.name) if plan.finish is not None else before:
        there.setdefault(stable_key(diagnostic), []).append(diagnostic)
    placed: list[Diagnostic] = []
    elsewhere: list[Diagnostic] = []
    for diagnostic in result.remaining:
        same = there.get(stable_key(diagnostic))
        if same:
            placed.append(same.pop(0))
        else:
            elsewhere.append(diagnostic)
    document = parse(result.original) if elsewhere else None
    if elsewhere and isinstance(document, Document):
        offsets = document.offsets(d.pointer for d in elsewhere)
        locations = document.locations(offsets.values())
        for diagnostic in elsewhere:
            at = locations[offsets[diagnostic.pointer]]
            moved = dataclasses.replace(diagnostic, line=at.line, column=at.column)
            placed.append(moved.with_excerpt(document.snippet(offsets[diagnostic.pointer])))
    return sorted(placed, key=Diagnostic.sort_key)


__all__ = ["FixPlan", "FixReport", "FixSettings", "discover", "fix_sources"]

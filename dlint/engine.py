"""The engine: a file's bytes to its diagnostics, by one road whatever its size.

A big Datumaro 1.0 file goes through the column pass (:mod:`dlint.columns`), which flags the rows a
rule might report on; any other file is parsed whole. Either way the precise walk
(:mod:`dlint.walk`) runs the rules, and the findings are located in the text and stamped into
diagnostics, judged under the readers targeted."""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from dlint import limits as run_limits
from dlint import memory
from dlint.diagnostics import Diagnostic, Location, is_index, split_pointer
from dlint.document import Document, Refused, collector_paused, parse
from dlint.parsecheck import SYNTAX_BEFORE_COLUMNS, ends_early, malformed
from dlint.parsediag import failure_diagnostics, merged, note_diagnostics, rule_diagnostic
from dlint.readers import Targets, inferred
from dlint.rules.base import Context, DatasetState, FileContext, Reference, Rule
from dlint.schemas import detect_dialect
from dlint.validation import compiled
from dlint.walk import Found, label_count, walk

if TYPE_CHECKING:
    from dlint import columns

#: The dialect the column pass reads (see :mod:`dlint.columns`), and the size from which it pays for
#: itself (a smaller file is read whole and every row checked precisely: no numpy to import for it).
COLUMN_DIALECT = "datumaro-1.0"
COLUMN_MIN_SIZE = 1 << 20
#: The size from which two processes share the column pass, where they can.
SHARE_SIZE = 8 << 20

#: Top-level keys every subset file of a dataset must declare alike (kept from the first file).
SHARED_KEYS = ("categories", "infos", "media_type")


def preload(size: int) -> Callable[[], None]:
    """Before a file of ``size`` bytes is read: for a big one, the column pass's modules (numpy
    among them, about a tenth of a check) are imported by a thread meanwhile, since reading a file
    mostly waits on the system and leaves the interpreter free. Returns the function that waits
    for the import (call it before the check: a fork needs this thread gone)."""
    if size < COLUMN_MIN_SIZE:
        return _nothing
    thread = threading.Thread(target=_import_columns, daemon=True)
    thread.start()
    return thread.join


def _import_columns() -> None:
    with contextlib.suppress(Exception):  # (the check imports it again, and says what went wrong)
        importlib.import_module("dlint.columns")


def _nothing() -> None:
    return None


def lint_bytes(
    raw: bytes,
    *,
    file: str,
    subset: str,
    rules: Sequence[type[Rule]],
    dialect: str | None = None,
    dataset: DatasetState | None = None,
    share: bool | None = None,
    targets: Targets | None = None,
) -> list[Diagnostic]:
    """Lint one annotation file given as bytes; ``file`` is the name diagnostics carry. ``targets``:
    the readers the file must satisfy (None: the one its dialect is written for; see
    :mod:`dlint.readers`).

    ``dataset`` is shared by the subset files of one dataset, linted one after the other: the first
    one that declares categories becomes the reference the others are compared with. A big file goes
    through the column pass (see :mod:`dlint.columns`); ``share``: whether two processes share it
    (None: from :data:`SHARE_SIZE`), only ever where forking is safe.
    """
    big = len(raw) >= COLUMN_MIN_SIZE and not isinstance(raw, Refused)
    if big:
        memory.for_big_work()
    with collector_paused():
        broken = malformed(raw) if big and len(raw) >= SYNTAX_BEFORE_COLUMNS else None
        if broken is not None:  # named at the cost of reading the text
            return failure_diagnostics(broken, raw, file=file, subset=subset, rules=rules, targets=targets)
        if big and not ends_early(raw):
            found = lint_columns(
                raw,
                file=file,
                subset=subset,
                rules=rules,
                dialect=dialect,
                dataset=dataset,
                share=share,
                targets=targets,
            )
            if found is not None:
                return found
        document = parse(raw)
        if isinstance(document, Document):
            diagnostics = lint_document(
                document,
                file=file,
                subset=subset,
                rules=rules,
                dialect=dialect,
                dataset=dataset,
                targets=targets,
            )
            if document.notes:  # what the parse accepted silently: repeated keys, huge integers
                notes = note_diagnostics(document, file=file, subset=subset, rules=rules, targets=targets)
                diagnostics = merged(diagnostics, notes)
            if big:
                memory.release(document)
            del document  # freed (or held) while the collector is still paused
            return diagnostics
    return failure_diagnostics(document, raw, file=file, subset=subset, rules=rules, targets=targets)


def lint_document(
    document: Document,
    *,
    file: str,
    subset: str,
    rules: Sequence[type[Rule]],
    dialect: str | None = None,
    dataset: DatasetState | None = None,
    targets: Targets | None = None,
) -> list[Diagnostic]:
    """Lint a parsed file, every row precisely (call it with the collector paused when the file may
    be large)."""
    dialect = dialect or detect_dialect(document.data, document.raw)
    context = FileContext(dialect, subset, {}, None, dataset)
    judged = targets or inferred(dialect)
    diagnostics = _stamp(walk(document.data, rules, context), document, file, subset, judged)
    _remember_reference(context, file)
    return diagnostics


def lint_columns(
    raw: bytes,
    *,
    file: str,
    subset: str,
    rules: Sequence[type[Rule]],
    dialect: str | None = None,
    dataset: DatasetState | None = None,
    share: bool | None = None,
    targets: Targets | None = None,
) -> list[Diagnostic] | None:
    """Lint a big file through the column pass: the top level and the flagged rows precisely, the
    other rows not at all (no rule's column form flagged them). None when the pass cannot serve the
    file (then it is read whole)."""
    found = _through_columns(raw, file, subset, rules, dialect, dataset, share, targets, form=False)
    return None if found is None else found[0]


def clean_and_canonical(
    raw: bytes,
    *,
    file: str,
    subset: str,
    rules: Sequence[type[Rule]],
    dialect: str | None = None,
    dataset: DatasetState | None = None,
    share: bool | None = None,
) -> bool:
    """Whether the column pass finds nothing to report in a big file, and finds its text in canonical
    compact form (then ``dlint fix`` has nothing to write): told from the same decode, by each
    process for its part of the items (see :mod:`dlint.columns.form`). ``share`` as for
    :func:`lint_columns`."""
    found = _through_columns(raw, file, subset, rules, dialect, dataset, share, None, form=True)
    return found is not None and not found[0] and found[1].canonical is True


def _through_columns(
    raw: bytes,
    file: str,
    subset: str,
    rules: Sequence[type[Rule]],
    dialect: str | None,
    dataset: DatasetState | None,
    share: bool | None,
    targets: Targets | None,
    *,
    form: bool,
) -> tuple[list[Diagnostic], columns.Decoded] | None:
    """The column pass's diagnostics, and the file as decoded (see :func:`lint_columns`); with
    ``form``, the decoded file also tells whether the text is in canonical compact form."""
    from dlint import columns  # imported only for files large enough to need it
    from dlint.columns import split

    active = run_limits.current()
    if not columns.eligible(raw, active):
        return None
    memory.for_big_work()
    # (shared only where forking is safe: no other thread, which reading the parts in place needs too)
    share = (len(raw) >= SHARE_SIZE if share is None else share) and split.can_fork()
    decoded = columns.decode(raw, active, share=share)
    if decoded is None:
        return None
    # a skeleton annotation makes the file CVAT's; the typed decode takes none, so only the rows it
    # could not take may hold one (and where two processes share the items, both parts were taken)
    checked_as = dialect or detect_dialect({**decoded.top, "items": list(decoded.rows.values())})
    if checked_as != COLUMN_DIALECT:
        return None
    context = FileContext(checked_as, subset, decoded.top, label_count(decoded.top), dataset)
    try:
        flagged = columns.flagged(decoded, Context(context), rules, lambda: compiled(checked_as), form=form)
    except columns.Malformed:
        return None  # the whole-file read names the problem (at the cost of reading the text)
    if flagged is None and decoded.cut is not None:  # a part does not fit the typed shape: no sharing
        return _through_columns(raw, file, subset, rules, dialect, dataset, False, targets, form=form)
    rows = None if flagged is None else columns.read_rows(decoded, flagged)
    if rows is None:
        return None
    from dlint.columns.view import RowsView

    view = RowsView(decoded, rows)
    judged = targets or inferred(checked_as)
    found = walk(view.data, rules, context, rows, decoded.checks)
    diagnostics = _stamp(found, view, file, subset, judged)
    _remember_reference(context, file)
    memory.release(decoded)
    return diagnostics, decoded


def _remember_reference(context: FileContext, file: str) -> None:
    """Make this file the one its dataset's other subset files are compared with, if it is the first."""
    dataset = context.dataset
    if dataset is not None and dataset.reference is None and context.is_dataset_file():
        shared = {key: context.data[key] for key in SHARED_KEYS if key in context.data}
        dataset.reference = Reference(file, context.dialect, shared)


class Located(Protocol):
    """What diagnostics are stamped from: a parsed document, or the rows the column pass read."""

    raw: bytes

    def item(self, index: int) -> Any: ...
    def offsets(self, pointers: Iterable[str]) -> dict[str, int]: ...
    def locations(self, offsets: Iterable[int]) -> dict[int, Location]: ...
    def snippet(self, offset: int) -> tuple[str, int]: ...


def _stamp(
    found: list[Found], document: Located, file: str, subset: str, targets: Targets
) -> list[Diagnostic]:
    """Turn findings into diagnostics: locate each pointer in the text, name the item and annotation,
    judge the severity under the targets."""
    if not found:
        return []
    found = list({(raw.rule, raw.pointer): raw for raw in reversed(found)}.values())[::-1]  # one per place
    offsets = document.offsets(raw.pointer for raw in found)
    locations = document.locations(offsets.values())
    result = []
    severities = {rule: rule.judged(targets) for rule in {raw.rule for raw in found}}
    for raw in found:
        offset = offsets[raw.pointer]
        item_id, annotation_id = _owners(document, raw.pointer)
        at = locations[offset]
        own = raw.readers is None
        severity, note = severities[raw.rule] if own else raw.rule.judged(targets, raw.readers)
        result.append(  # one construction per diagnostic: there may be hundreds of thousands
            rule_diagnostic(
                raw.rule,
                raw.message + note,
                file,
                subset,
                raw.pointer,
                at.line,
                at.column,
                severity,
                item_id=item_id,
                annotation_id=annotation_id,
                fix=raw.fix.under(targets) if raw.fix is not None else None,
                excerpt=document.snippet(offset),
            )
        )
    return sorted(result, key=Diagnostic.sort_key)


def _owners(document: Located, pointer: str) -> tuple[str | None, int | None]:
    """The id of the item and of the annotation a pointer lies in (when it lies in them)."""
    tokens = split_pointer(pointer)
    if len(tokens) < 2 or tokens[0] != "items" or not is_index(tokens[1]):
        return None, None
    item = document.item(int(tokens[1]))
    if not isinstance(item, dict):
        return None, None
    item_id = item.get("id") if isinstance(item.get("id"), str) else None
    if len(tokens) < 4 or tokens[2] != "annotations" or not is_index(tokens[3]):
        return item_id, None
    annotations = item.get("annotations")
    position = int(tokens[3])
    if (
        not isinstance(annotations, list)
        or position >= len(annotations)
        or not isinstance(annotations[position], dict)
    ):
        return item_id, None
    annotation_id = annotations[position].get("id")
    return item_id, annotation_id if type(annotation_id) is int else None

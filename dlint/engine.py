"""One walk over a parsed file, dispatching each node to the rules that asked for it."""

from __future__ import annotations

import contextlib
import functools
import importlib
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from dlint import limits as run_limits
from dlint import memory
from dlint.diagnostics import Diagnostic, Finding, Fix, Location, is_index, split_pointer
from dlint.document import Document, Refused, collector_paused, parse
from dlint.media import locate
from dlint.parsecheck import SYNTAX_BEFORE_COLUMNS, ends_early, malformed
from dlint.parsediag import failure_diagnostics, merged, note_diagnostics, rule_diagnostic
from dlint.readers import Claim, Reader, Targets, inferred
from dlint.rules.base import (
    SCHEMA_CHECK,
    Context,
    DatasetState,
    FileContext,
    Reference,
    Rule,
    Scope,
    declared_size,
)
from dlint.rules.structure import SchemaViolation
from dlint.schemas import detect_dialect
from dlint.validation import SchemaFailure, item_failures, schema_failures

Check = Callable[[Any, Context], Iterable[Finding]]

#: The dialect the column pass reads (see :mod:`dlint.columns`), and the size from which it pays for
#: itself (a smaller file is read whole and every row checked precisely: no numpy to import for it).
COLUMN_DIALECT = "datumaro-1.0"
COLUMN_MIN_SIZE = 1 << 20
#: The size from which two processes share the column pass, where they can.
SHARE_SIZE = 8 << 20

#: Top-level keys every subset file of a dataset must declare alike (kept from the first file).
SHARED_KEYS = ("categories", "infos", "media_type")


@dataclass
class _Invalid:
    """Nodes the schema rejected: semantic rules skip them quietly (one defect, one diagnostic)."""

    categories: bool = False
    items: set[int] = field(default_factory=set)
    whole_items: set[int] = field(default_factory=set)
    annotations: dict[int, set[int]] = field(default_factory=dict)

    def add(self, pointer: str) -> None:
        tokens = pointer.split("/")[1:]
        if not tokens:
            return
        if tokens[0] == "categories":
            self.categories = True
        elif tokens[0] != "items" or len(tokens) < 2 or not is_index(tokens[1]):
            return
        elif len(tokens) == 2 or (len(tokens) == 3 and tokens[2] == "annotations"):
            self.whole_items.add(int(tokens[1]))
        elif tokens[2] == "annotations" and is_index(tokens[3]):
            self.annotations.setdefault(int(tokens[1]), set()).add(int(tokens[3]))
        else:
            self.items.add(int(tokens[1]))


@dataclass
class _Raw:
    """A finding with absolute pointers and the rule that made it."""

    rule: type[Rule]
    pointer: str
    message: str
    fix: Fix | None = None
    readers: Mapping[Reader, Claim] | None = None

    @classmethod
    def of(cls, rule: type[Rule], finding: Finding, base: str) -> _Raw:
        fix = finding.fix.moved(base) if finding.fix is not None and base else finding.fix
        return cls(rule, base + finding.pointer, finding.message, fix, finding.readers)


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
    (None: from :data:`SHARE_SIZE`, where forking is safe).
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
    diagnostics = _stamp(_walk(document.data, rules, context), document, file, subset, judged)
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
    from dlint import columns  # imported only for files large enough to need it
    from dlint.columns import split

    active = run_limits.current()
    if not columns.eligible(raw, active):
        return None
    memory.for_big_work()
    if share is None:
        share = len(raw) >= SHARE_SIZE and split.can_fork()
    decoded = columns.decode(raw, active, share=share)
    if decoded is None:
        return None
    # a skeleton annotation makes the file CVAT's; the typed decode takes none, so only the rows it
    # could not take may hold one (and where two processes share the items, both parts were taken)
    checked_as = dialect or detect_dialect({**decoded.top, "items": list(decoded.rows.values())})
    if checked_as != COLUMN_DIALECT:
        return None
    context = FileContext(checked_as, subset, decoded.top, _label_count(decoded.top), dataset)
    try:
        flagged = columns.flagged(decoded, Context(context), rules)
    except columns.Malformed:
        return None  # the whole-file read names the problem (at the cost of reading the text)
    if flagged is None and decoded.cut is not None:  # a part does not fit the typed shape: no sharing
        return lint_columns(
            raw,
            file=file,
            subset=subset,
            rules=rules,
            dialect=dialect,
            dataset=dataset,
            share=False,
            targets=targets,
        )
    rows = None if flagged is None else columns.read_rows(decoded, flagged)
    if rows is None:
        return None
    from dlint.columns.view import RowsView

    view = RowsView(decoded, rows)
    judged = targets or inferred(checked_as)
    found = _walk(view.data, rules, context, rows, decoded.checks)
    diagnostics = _stamp(found, view, file, subset, judged)
    _remember_reference(context, file)
    memory.release(decoded)
    return diagnostics


def _remember_reference(context: FileContext, file: str) -> None:
    """Make this file the one its dataset's other subset files are compared with, if it is the first."""
    dataset = context.dataset
    if dataset is not None and dataset.reference is None and context.is_dataset_file():
        shared = {key: context.data[key] for key in SHARED_KEYS if key in context.data}
        dataset.reference = Reference(file, context.dialect, shared)


def _walk(
    data: Any,
    rules: Sequence[type[Rule]],
    file: FileContext,
    rows: dict[int, Any] | None = None,
    checks: Mapping[int, frozenset[str]] | None = None,
) -> list[_Raw]:
    """Every selected rule over the file: the schema, the top level, and the items (only ``rows``,
    by file index, when given: the rows the column pass flagged; ``checks``: for each of those rows,
    the codes of the rules that flagged it and whether the schema might reject it, when only those
    need to look at it; see :attr:`dlint.columns.Decoded.checks`)."""
    top = data if isinstance(data, dict) else {}
    if rows is None:
        file.data, file.label_count = top, _label_count(top)
    ctx = Context(file)
    instances = [rule() for rule in rules if rule.scope not in (Scope.PARSE, Scope.SCHEMA)]
    found: list[_Raw] = []
    invalid = _Invalid()
    selected = set(rules)
    failures = schema_failures(file.data if rows is not None else data, file.dialect)
    for index, row in (rows or {}).items():
        if checks is None or SCHEMA_CHECK in checks.get(index, EVERY_CHECK):
            failures.extend(item_failures(row, index, file.dialect))
    for failure in failures:
        invalid.add(failure.pointer)
        owner = _claimant(failure)
        if owner in selected:
            message, fix = owner.explain(failure, data), owner.repair(failure, data)
            found.append(_Raw(owner, failure.pointer, message, fix, owner.readers_of(failure, data)))

    def run(rule: Rule, node: Any, base: str) -> None:
        for finding in rule.check(node, ctx):
            found.append(_Raw.of(type(rule), finding, base))

    for rule in (r for r in instances if r.scope is Scope.DOCUMENT):
        run(rule, data, "")
    categories = top.get("categories")
    if isinstance(categories, dict) and not invalid.categories:
        for rule in (r for r in instances if r.scope is Scope.CATEGORIES):
            run(rule, categories, "/categories")
    items = top.get("items")
    if rows is not None:
        _walk_items(rows.items(), instances, ctx, invalid, found, checks)
    elif isinstance(items, list):
        _walk_items(enumerate(items), instances, ctx, invalid, found)
    for rule in instances:
        found.extend(_Raw.of(type(rule), finding, "") for finding in rule.finish(ctx))
    return found


@functools.cache
def _claims() -> tuple[tuple[re.Pattern[str], str, type[Rule]], ...]:
    """Every claim of every rule: a pointer pattern, an optional schema keyword, the rule."""
    from dlint.rules import ALL_RULES

    claims = []
    for rule in ALL_RULES:
        for claim in rule.claims:
            pattern, _, keyword = claim.partition("@")
            claims.append((re.compile(pattern), keyword, rule))
    return tuple(claims)


def _claimant(failure: SchemaFailure) -> type[Rule]:
    """The rule that reports a schema failure: the one claiming it, else schema-violation."""
    for pattern, keyword, rule in _claims():
        if pattern.fullmatch(failure.target) and keyword in ("", failure.keyword):
            return rule
    return SchemaViolation


def _walk_items(
    items: Iterable[tuple[int, Any]],
    instances: list[Rule],
    ctx: Context,
    invalid: _Invalid,
    found: list[_Raw],
    checks: Mapping[int, frozenset[str]] | None = None,
) -> None:
    """The hot loop: every item, every annotation, each handed to the checks registered for its type
    (with ``checks``, only those of the rules that flagged the item, where it says which)."""
    dispatch = _Dispatch(instances)
    no_skip: set[int] = set()
    for i, item in items:
        if type(item) is not dict or i in invalid.whole_items:
            continue
        item_checks, generic, typed = dispatch.of(
            checks.get(i, EVERY_CHECK) if checks is not None else EVERY_CHECK
        )
        ctx.item, ctx.item_index, ctx.annotation_index = item, i, -1
        ctx.image_size = _image_size(item, ctx)
        if i not in invalid.items:
            for check in item_checks:
                result = check(item, ctx)
                if result:
                    _collect(check, result, f"/items/{i}", found)
        annotations = item.get("annotations")
        if type(annotations) is not list:
            continue
        skip = invalid.annotations.get(i, no_skip)
        for j, ann in enumerate(annotations):
            if type(ann) is not dict or j in skip:
                continue
            ann_type = ann.get("type")
            ctx.annotation_index = j
            for check in typed.get(ann_type, generic) if type(ann_type) is str else generic:
                result = check(ann, ctx)
                if result:  # rules return () when they find nothing: no iterator for the common case
                    _collect(check, result, f"/items/{i}/annotations/{j}", found)
    ctx.item, ctx.item_index, ctx.annotation_index, ctx.image_size = None, -1, -1, None


#: The checks of a row that did not say which it needs: all of them, the schema's included.
EVERY_CHECK: frozenset[str] = frozenset({SCHEMA_CHECK, "*"})


class _Dispatch:
    """The checks to run on an item and on each type of annotation, for every set of rules that
    flagged items alike (made once per set)."""

    def __init__(self, instances: list[Rule]) -> None:
        self._instances = instances
        self._made: dict[frozenset[str], tuple[list[Check], list[Check], dict[str, list[Check]]]] = {}

    def of(self, codes: frozenset[str]) -> tuple[list[Check], list[Check], dict[str, list[Check]]]:
        made = self._made.get(codes)
        if made is None:
            chosen = [r for r in self._instances if codes is EVERY_CHECK or r.code in codes]
            item_checks: list[Check] = [r.check for r in chosen if r.scope is Scope.ITEM]
            annotation_rules = [r for r in chosen if r.scope is Scope.ANNOTATION]
            generic: list[Check] = [r.check for r in annotation_rules if not r.annotation_types]
            typed: dict[str, list[Check]] = {}
            for rule in (r for r in annotation_rules if r.annotation_types):
                for kind in rule.annotation_types:
                    typed.setdefault(kind, list(generic)).append(rule.check)
            made = self._made[codes] = (item_checks, generic, typed)
        return made


def _collect(check: Check, findings: Iterable[Finding], base: str, found: list[_Raw]) -> None:
    rule = type(check.__self__)  # type: ignore[attr-defined]
    found.extend(_Raw.of(rule, finding, base) for finding in findings)


def _label_count(top: dict[str, Any]) -> int | None:
    categories = top.get("categories")
    if not isinstance(categories, dict):
        return None
    label = categories.get("label")
    if label is None or label == {}:
        return 0
    labels = label.get("labels") if isinstance(label, dict) else None
    return len(labels) if isinstance(labels, list) else None


def _image_size(item: dict[str, Any], ctx: Context) -> tuple[int, int] | None:
    """The image size geometry is checked against: the declared one, unless the image file is in the
    dataset and says otherwise (then nothing is measured against a size known to be wrong)."""
    declared = declared_size(item)
    dataset = ctx.file.dataset
    store = dataset.media if dataset is not None else None
    if declared is None or store is None or not store.carries("images"):
        return declared
    image = item["image"]
    path = image.get("path")
    found = locate(store, "images", ctx.file.subset, path) if isinstance(path, str) else None
    real = store.header_size(found) if found is not None else None
    return declared if real is None or real == declared else None


class Located(Protocol):
    """What diagnostics are stamped from: a parsed document, or the rows the column pass read."""

    raw: bytes

    def item(self, index: int) -> Any: ...
    def offsets(self, pointers: Iterable[str]) -> dict[str, int]: ...
    def locations(self, offsets: Iterable[int]) -> dict[int, Location]: ...
    def snippet(self, offset: int) -> tuple[str, int]: ...


def _stamp(
    found: list[_Raw], document: Located, file: str, subset: str, targets: Targets
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

"""The precise walk: every selected rule over a parsed file's nodes, or over the rows the column pass
flagged, each row by the rules that flagged it; findings with absolute pointers, not yet located."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dlint.diagnostics import Finding, Fix, is_index
from dlint.media import locate
from dlint.readers import Claim, Reader
from dlint.rules.base import SCHEMA_CHECK, Context, FileContext, Rule, Scope, declared_size
from dlint.rules.structure import SchemaViolation
from dlint.validation import SchemaFailure, item_failures, schema_failures

Check = Callable[[Any, Context], Iterable[Finding]]


@dataclass
class Invalid:
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
class Found:
    """A finding with absolute pointers and the rule that made it."""

    rule: type[Rule]
    pointer: str
    message: str
    fix: Fix | None = None
    readers: Mapping[Reader, Claim] | None = None

    @classmethod
    def of(cls, rule: type[Rule], finding: Finding, base: str) -> Found:
        fix = finding.fix.moved(base) if finding.fix is not None and base else finding.fix
        return cls(rule, base + finding.pointer, finding.message, fix, finding.readers)


def walk(
    data: Any,
    rules: Sequence[type[Rule]],
    file: FileContext,
    rows: dict[int, Any] | None = None,
    checks: Mapping[int, frozenset[str]] | None = None,
) -> list[Found]:
    """Every selected rule over the file: the schema, the top level, and the items (only ``rows``,
    by file index, when given: the rows the column pass flagged; ``checks``: for each of those rows,
    the codes of the rules that flagged it and whether the schema might reject it, when only those
    need to look at it; see :attr:`dlint.columns.Decoded.checks`)."""
    top = data if isinstance(data, dict) else {}
    if rows is None:
        file.data, file.label_count = top, label_count(top)
    ctx = Context(file)
    instances = [rule() for rule in rules if rule.scope not in (Scope.PARSE, Scope.SCHEMA)]
    found: list[Found] = []
    invalid = Invalid()
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
            found.append(Found(owner, failure.pointer, message, fix, owner.readers_of(failure, data)))

    def run(rule: Rule, node: Any, base: str) -> None:
        for finding in rule.check(node, ctx):
            found.append(Found.of(type(rule), finding, base))

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
        found.extend(Found.of(type(rule), finding, "") for finding in rule.finish(ctx))
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
    invalid: Invalid,
    found: list[Found],
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


def _collect(check: Check, findings: Iterable[Finding], base: str, found: list[Found]) -> None:
    rule = type(check.__self__)  # type: ignore[attr-defined]
    found.extend(Found.of(rule, finding, base) for finding in findings)


def label_count(top: dict[str, Any]) -> int | None:
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

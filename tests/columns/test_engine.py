"""The engine's two roads to a verdict agree, for every rule of the registry: soundness both ways.

1. Every row where a rule's precise check reports is flagged by that rule's column form (or by the
   schema's: rows the typed decode could not take, arrays of numbers the schema rejects), on every
   YAML case, generated file and hypothesis mutation.
2. The engine's diagnostics through the column pass equal those of a precise walk of every row, under
   several rule selections: all, one family, each rule ignored in turn, and random ones.

Both go through the registry: a new rule is covered without touching this file.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks import generate
from dlint import columns, engine, limits
from dlint.columns.table import Table
from dlint.diagnostics import Diagnostic, Severity, is_index, split_pointer
from dlint.document import Document, parse
from dlint.media import MediaStore
from dlint.rules import ALL_RULES, Rule, Scope
from dlint.rules.base import Context, DatasetState, FileContext
from dlint.sources import discover
from dlint.walk import label_count
from tests.rules.datasets import make_dataset
from tests.rules.test_cases import _cases, build

#: The whole-file read does not look for repeated keys in the files the column pass serves: compare alike.
NO_KEY_SCAN = limits.Limits(duplicate_key_scan=0)
GENERATE = generate
CODES = [rule.code for rule in ALL_RULES]
#: Rule selections every case is checked under: all rules, and each family alone.
FAMILIES = [tuple(ALL_RULES)] + [
    tuple(r for r in ALL_RULES if r.code.startswith(prefix)) for prefix in sorted({c[:3] for c in CODES})
]


def _dataset(media: MediaStore | None) -> DatasetState | None:
    """A fresh dataset state carrying ``media`` (None without media)."""
    return DatasetState("d", media) if media is not None else None


def precise(raw: bytes, rules: Sequence[type[Rule]], media: MediaStore | None = None) -> list[Diagnostic]:
    """Every row checked precisely: the whole file read and walked."""
    with limits.use(NO_KEY_SCAN):
        document = parse(raw)
        assert isinstance(document, Document)
        return engine.lint_document(
            document, file="t.json", subset="default", rules=rules, dataset=_dataset(media)
        )


def through_columns(
    raw: bytes, rules: Sequence[type[Rule]], media: MediaStore | None = None, share: bool = False
) -> list[Diagnostic] | None:
    """The engine's verdict through the column pass (None: the pass does not serve the file)."""
    with limits.use(NO_KEY_SCAN):
        return engine.lint_columns(
            raw, file="t.json", subset="default", rules=rules, dataset=_dataset(media), share=share
        )


def agrees(raw: bytes, selections: Sequence[Sequence[type[Rule]]], media: MediaStore | None = None) -> bool:
    """Whether the column pass serves the file; where it does, its diagnostics equal the precise walk's
    under every selection, whether one process flags the rows or two share them."""
    served = through_columns(raw, ALL_RULES, media)
    if served is None:
        return False
    for rules in selections:
        expected = precise(raw, rules, media)
        assert through_columns(raw, rules, media) == expected, [r.code for r in rules]
    assert through_columns(raw, ALL_RULES, media, share=True) == served
    return True


def reported_rows(raw: bytes, rule: type[Rule], media: MediaStore | None = None) -> set[int]:
    """The rows (item indices) on which the rule's precise check reports."""
    rows = set()
    for diagnostic in precise(raw, [rule], media):
        tokens = split_pointer(diagnostic.pointer)
        if len(tokens) > 1 and tokens[0] == "items" and is_index(tokens[1]):
            rows.add(int(tokens[1]))
    return rows


def flagged_rows(raw: bytes, rule: type[Rule], media: MediaStore | None = None) -> set[int] | None:
    """The rows the rule's column form flags, with those the schema's flags (None: not served)."""
    with limits.use(NO_KEY_SCAN):
        decoded = columns.decode(raw, NO_KEY_SCAN)
    if decoded is None or decoded.items is None or engine.detect_dialect(decoded.top) != "datumaro-1.0":
        return None
    file = FileContext("datumaro-1.0", "default", decoded.top, label_count(decoded.top), _dataset(media))
    table = Table(decoded.items, decoded.media_type, Context(file))
    form = rule.columns(table, Context(file))
    rows = table.all() if form is None else form | table.schema_rows
    return {int(i) for i in rows.nonzero()[0]} | set(decoded.rows) | set(rule.across(table.ids))


def forms_are_sound(raw: bytes, media: MediaStore | None = None) -> None:
    """Every rule's reported rows are among its flagged ones."""
    for rule in ALL_RULES:
        flagged = flagged_rows(raw, rule, media)
        if flagged is None:
            return
        missed = reported_rows(raw, rule, media) - flagged
        assert not missed, f"{rule.code} reports on rows its column form did not flag: {sorted(missed)}"


def without_cuboid_2d(raw: bytes) -> bytes | None:
    """The same document without its cuboid_2d annotations (a type the typed decode leaves alone)."""
    try:
        doc = json.loads(raw)
        for item in doc["items"]:
            item["annotations"] = [a for a in item["annotations"] if a.get("type") != "cuboid_2d"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return json.dumps(doc).encode()


def _variants(raw: bytes) -> list[bytes]:
    return [v for v in (raw, without_cuboid_2d(raw)) if v is not None]


def test_every_rule_case_agrees() -> None:
    served = 0
    for param in _cases():
        for raw in _variants(build(param.values[1])):
            served += agrees(raw, FAMILIES)
            forms_are_sound(raw)
    assert served >= 100  # the column pass took most cases (else this would prove little)


def test_every_dataset_case_agrees_with_its_media(tmp_path: Path) -> None:
    """The cases with image files: the media rules' column forms where the dataset has images."""
    with_images = 0
    for number, param in enumerate(_cases()):
        case = param.values[1]
        if "dataset" not in case:
            continue
        root = tmp_path / str(number)
        make_dataset(root, case["dataset"], build)
        for source in discover([str(root)]):
            media = source.dataset.media
            for raw in _variants(source.read()):
                served = agrees(raw, FAMILIES, media)
                forms_are_sound(raw, media)
                with_images += served and media is not None and media.carries("images")
    assert with_images >= 2  # files checked against real image files: the media branch ran


@pytest.mark.parametrize("seed", range(3))
def test_generated_files_agree_with_each_rule_ignored(seed: int) -> None:
    raw, errors = GENERATE.generate(120, seed, 14)
    assert len(errors) == 14
    ignored_in_turn = [tuple(r for r in ALL_RULES if r is not rule) for rule in ALL_RULES]
    assert agrees(raw, [*FAMILIES, *ignored_in_turn])
    forms_are_sound(raw)
    clean, _ = GENERATE.generate(60, seed, 0)
    assert precise(clean, ALL_RULES) == [] and through_columns(clean, ALL_RULES) == []


@pytest.mark.parametrize("share", [False, True])
def test_injected_warnings_are_reported_as_warnings_at_their_pointers(share: bool) -> None:
    raw, injected = GENERATE.generate(120, 5, 0, 4)
    found = through_columns(raw, ALL_RULES, share=share)
    assert found is not None and found == precise(raw, ALL_RULES)
    assert [(d.code, d.severity, d.pointer) for d in found] == [
        ("DL211", Severity.WARNING, record["pointer"]) for record in injected
    ]


def test_big_files_take_the_column_pass() -> None:
    raw, _ = GENERATE.generate(400, 11, 0)
    assert len(raw) >= engine.COLUMN_MIN_SIZE
    dataset = DatasetState("d")
    with limits.use(NO_KEY_SCAN):
        assert engine.lint_bytes(raw, file="t.json", subset="default", rules=ALL_RULES, dataset=dataset) == []
    assert dataset.reference is not None and set(dataset.reference.top) == {
        "categories",
        "infos",
        "media_type",
    }
    assert dataset.reference.top["categories"] == orjson.loads(raw)["categories"]
    broken, errors = GENERATE.generate(400, 11, 9)
    with limits.use(NO_KEY_SCAN):
        found = engine.lint_bytes(broken, file="t.json", subset="default", rules=ALL_RULES)
    assert found == precise(broken, ALL_RULES) and len(found) >= len(errors)


@pytest.mark.parametrize("share", [False, True])
def test_an_item_id_used_in_both_parts_is_reported(share: bool) -> None:
    doc = copy.deepcopy(SMALL_DOC)
    doc["items"][-1]["id"] = doc["items"][0]["id"]
    raw = orjson.dumps(doc)
    expected = [f"DL402 /items/{len(doc['items']) - 1}/id"]
    assert [f"{d.code} {d.pointer}" for d in precise(raw, ALL_RULES)] == expected
    found = through_columns(raw, ALL_RULES, share=share)
    assert found is not None and [f"{d.code} {d.pointer}" for d in found] == expected


def test_an_item_the_typed_decode_cannot_take_is_checked_precisely() -> None:
    doc = copy.deepcopy(SMALL_DOC)
    doc["items"][3]["annotations"][0]["id"] = "seven"  # a schema failure: the typed decode refuses it
    doc["items"][5]["extra"] = {"free": [1, 2]}
    raw = orjson.dumps(doc)
    assert agrees(raw, FAMILIES)
    with limits.use(NO_KEY_SCAN):
        decoded = columns.decode(raw, NO_KEY_SCAN)
    assert decoded is not None and set(decoded.rows) == {3, 5}


@pytest.mark.parametrize("share", [False, True])
def test_a_skeleton_in_a_big_file_makes_it_cvats_whether_or_not_processes_share_it(share: bool) -> None:
    doc = orjson.loads(GENERATE.generate(500, 4, 0)[0])
    skeleton = {"id": 99, "type": "skeleton", "attributes": {}, "group": 0, "label_id": 0, "z_order": 0}
    doc["items"][-3]["annotations"].append(skeleton)  # in the second part, where the items are cut
    raw = orjson.dumps(doc)
    assert len(raw) >= engine.COLUMN_MIN_SIZE
    with limits.use(NO_KEY_SCAN):
        found = engine.lint_bytes(raw, file="t.json", subset="default", rules=ALL_RULES, share=share)
    where = f"/items/{len(doc['items']) - 3}/annotations/{len(doc['items'][-3]['annotations']) - 1}"
    assert found == precise(raw, ALL_RULES) and [d.pointer for d in found] == [where]


def test_small_key_scan_limit_reads_the_file_whole() -> None:
    raw, _ = GENERATE.generate(20, 1, 0)
    with limits.use(limits.Limits(duplicate_key_scan=-1)):
        assert engine.lint_columns(raw, file="t.json", subset="default", rules=ALL_RULES) is None


# ------------------------------------------------------------------------------------ mutations

Doc = dict[str, Any]
SMALL, _ = GENERATE.generate(8, 5, 0)
SMALL_DOC: Doc = orjson.loads(SMALL)


def _annotations(doc: Doc, kind: str | None = None) -> Iterator[Doc]:
    for item in doc["items"]:
        for ann in item["annotations"]:
            if kind is None or ann["type"] == kind:
                yield ann


def _values() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.integers(min_value=-3, max_value=700),
        st.sampled_from([2**63, 2**64 + 1, -(2**63) - 1, 1.0, 0.5, -0.0, 1e300]),
        st.floats(allow_nan=False, allow_infinity=False, width=32),
        st.sampled_from(["", " ", "1", "x", "../a", "/abs", "C:x", "a\\b", "é", None, True, False, [], {}]),
        st.lists(st.integers(-2, 700), max_size=9),
        st.lists(st.floats(-5, 700, allow_nan=False), max_size=9),
    )


def _set_somewhere(doc: Doc, rnd: random.Random, value: Any) -> None:
    """Replace a random value (or add a key) somewhere below the top level."""
    node: Any = doc
    path: list[Any] = []
    for _ in range(rnd.randint(1, 7)):
        if isinstance(node, dict) and node:
            key = rnd.choice(sorted(node))
        elif isinstance(node, list) and node:
            key = rnd.randrange(len(node))
        else:
            break
        path.append(key)
        node = node[key]
    if not path:
        return
    parent: Any = doc
    for key in path[:-1]:
        parent = parent[key]
    if isinstance(parent, dict) and rnd.random() < 0.2:
        parent[rnd.choice(["extra", "bbox", "points", "z_order", "id", "media", "info", "visibility"])] = (
            value
        )
    else:
        parent[path[-1]] = value


def _rle_char(doc: Doc, rnd: random.Random, value: Any) -> None:
    masks = list(_annotations(doc, "mask"))
    if masks:
        rle = rnd.choice(masks)["rle"]
        counts = rle["counts"]
        at = rnd.randrange(len(counts))
        rle["counts"] = counts[:at] + rnd.choice("0o_`O1~ ") + counts[at + 1 :]


def _points(doc: Doc, rnd: random.Random, value: Any) -> None:
    shapes = [a for a in _annotations(doc) if "points" in a]
    if shapes:
        shape = rnd.choice(shapes)
        points = shape["points"]
        choice = rnd.randrange(4)
        if choice == 0:
            points.append(points[0])
        elif choice == 1:
            shape["points"] = points[:2] + points[:2] + points[:2]
        elif choice == 2:
            shape["points"] = [points[0], points[1], points[0] + 1, points[1], points[0] + 2, points[1]]
        else:
            shape["points"] = points + points[:2]


def _duplicate(doc: Doc, rnd: random.Random, value: Any) -> None:
    items = doc["items"]
    if rnd.random() < 0.5:
        items.append(copy.deepcopy(rnd.choice(items)))
    else:
        item = rnd.choice(items)
        if item["annotations"]:
            item["annotations"].append(copy.deepcopy(rnd.choice(item["annotations"])))


MUTATIONS: list[Callable[[Doc, random.Random, Any], None]] = [_set_somewhere, _rle_char, _points, _duplicate]


def _mutated(mutations: list[Any], rnd: random.Random) -> Doc:
    """A copy of the small generated file with the mutations applied."""
    doc = copy.deepcopy(SMALL_DOC)
    for mutate, value in mutations:
        try:
            mutate(doc, rnd, value)
        except (TypeError, KeyError, IndexError, AttributeError, ValueError):
            continue  # an earlier mutation left nothing this one applies to
    return doc


def _raw(doc: Doc) -> bytes:
    try:
        return orjson.dumps(doc)
    except TypeError:  # an integer beyond 64 bits: written by the standard library instead
        return json.dumps(doc).encode()


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.sampled_from(MUTATIONS), _values()), min_size=1, max_size=3),
    st.randoms(),
    st.sets(st.sampled_from(CODES)),
)
def test_mutated_files_agree(mutations: list[Any], rnd: random.Random, codes: set[str]) -> None:
    raw = _raw(_mutated(mutations, rnd))
    selection = tuple(r for r in ALL_RULES if r.code in codes)
    agrees(raw, [ALL_RULES, selection])


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(MUTATIONS), _values()), min_size=1, max_size=3), st.randoms())
def test_mutated_files_are_flagged_where_rules_report(mutations: list[Any], rnd: random.Random) -> None:
    forms_are_sound(_raw(_mutated(mutations, rnd)))


def test_keypoints_without_points_agree() -> None:
    doc = copy.deepcopy(SMALL_DOC)
    for ann in _annotations(doc, "points"):
        ann["points"] = []
        ann.pop("visibility", None)
    assert agrees(orjson.dumps(doc), FAMILIES)


def test_every_item_and_annotation_rule_has_a_column_form() -> None:
    """A rule without one is checked precisely on every row: correct, but it would make every big file
    slow. The catalogue's rules all have one (a test, not a requirement of the engine)."""
    decoded = columns.decode(SMALL, NO_KEY_SCAN)
    assert decoded is not None and decoded.items is not None
    file = FileContext("datumaro-1.0", "default", decoded.top, label_count(decoded.top))
    table = Table(decoded.items, decoded.media_type, Context(file))
    missing = [
        r.code
        for r in ALL_RULES
        if r.scope in (Scope.ITEM, Scope.ANNOTATION) and r.columns(table, Context(file)) is None
    ]
    assert missing == []


def test_a_broken_text_of_a_gigabyte_is_named_before_any_decode(monkeypatch: pytest.MonkeyPatch) -> None:
    raw, _ = GENERATE.generate(400, 11, 0)
    middle = raw.index(b'"bbox":[', len(raw) // 2) + len(b'"bbox":[')
    broken = raw[:middle] + b"}" + raw[middle + 1 :]  # a stray brace in the middle of the items
    with limits.use(NO_KEY_SCAN):
        decoded = engine.lint_bytes(broken, file="t.json", subset="default", rules=ALL_RULES)
        monkeypatch.setattr(engine, "SYNTAX_BEFORE_COLUMNS", len(broken))  # as if it were that big

        def no_decode(*args: Any, **kwargs: Any) -> None:
            raise AssertionError("the items were decoded")

        monkeypatch.setattr(engine, "lint_columns", no_decode)
        named = engine.lint_bytes(broken, file="t.json", subset="default", rules=ALL_RULES)
    assert [(d.code, d.line, d.column) for d in named] == [("DL001", 1, middle + 1)]
    assert [(d.code, d.line, d.column) for d in decoded] == [("DL001", 1, middle + 1)]
    assert named[0].message.startswith("invalid JSON: unexpected character")

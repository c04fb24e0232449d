"""The fast path against the ordinary path and the JSON Schema, on every rule case and on generated files.

The fast path may only say "clean" of a file in which the ordinary path finds nothing and that the
reference JSON Schema validator accepts; it may send clean files to the ordinary path, but then it must
still take realistic clean files (else it is useless, and these tests would prove nothing).
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import msgspec
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlint import engine, limits
from dlint.fastpath.canonical import is_canonical
from dlint.fixer import fix_bytes
from dlint.media import MediaStore
from dlint.rules import ALL_RULES
from dlint.rules.base import DatasetState
from dlint.schemas import load_schema
from dlint.sources import discover
from dlint.writer import canonical, dumps
from tests.conftest import benchmark_generator
from tests.rules.datasets import make_dataset
from tests.rules.test_cases import _cases, build

#: The ordinary path does not look for repeated keys in the files the fast path serves: compare alike.
NO_KEY_SCAN = limits.Limits(duplicate_key_scan=0)


GENERATE = benchmark_generator()
SCHEMA_VALIDATOR = jsonschema.Draft202012Validator(load_schema("datumaro-1.0"))


def _dataset(media: MediaStore | None) -> DatasetState | None:
    """A fresh dataset state carrying ``media`` (None without media)."""
    return DatasetState("d", media) if media is not None else None


def fast_clean(raw: bytes, media: MediaStore | None = None) -> bool:
    """The fast path's verdict, the same whether one process checks the items or two share them."""
    with limits.use(NO_KEY_SCAN):
        verdicts = {
            engine.screened_clean(
                raw, file="t.json", subset="default", rules=ALL_RULES, dataset=_dataset(media), share=share
            )
            for share in (False, True)
        }
    assert len(verdicts) == 1
    return verdicts.pop()


def ordinary(raw: bytes, media: MediaStore | None = None) -> list[str]:
    """The codes the ordinary path reports with every rule on (small files never take the fast path)."""
    assert len(raw) < engine.FAST_PATH_MIN_SIZE
    with limits.use(NO_KEY_SCAN):
        found = engine.lint_bytes(
            raw, file="t.json", subset="default", rules=ALL_RULES, dataset=_dataset(media)
        )
    return [f"{d.code} {d.pointer}" for d in found]


def assert_agrees(raw: bytes, media: MediaStore | None = None) -> bool:
    """The fast path's verdict, checked against the ordinary path and the schema when it is "clean"."""
    clean = fast_clean(raw, media)
    if clean:
        assert ordinary(raw, media) == []
        assert SCHEMA_VALIDATOR.is_valid(orjson.loads(raw))
    return clean


def without_cuboid_2d(raw: bytes) -> bytes | None:
    """The same document without its cuboid_2d annotations (a type the fast path leaves alone)."""
    try:
        doc = json.loads(raw)
        for item in doc["items"]:
            item["annotations"] = [a for a in item["annotations"] if a.get("type") != "cuboid_2d"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return json.dumps(doc).encode()


def test_every_rule_case_agrees() -> None:
    accepted = 0
    for param in _cases():
        raw = build(param.values[1])
        variants = [raw, without_cuboid_2d(raw)]
        accepted += sum(assert_agrees(v) for v in variants if v is not None)
    assert accepted >= 20  # the passing cases of many rules: the fast path took them


def test_every_dataset_case_agrees_with_its_media(tmp_path: Path) -> None:
    """The cases with image files: the fast path runs the media rules where the dataset has images."""
    with_images = 0
    for number, param in enumerate(_cases()):
        case = param.values[1]
        if "dataset" not in case:
            continue
        root = tmp_path / str(number)
        make_dataset(root, case["dataset"], build)
        for source in discover([str(root)]):
            media = source.dataset.media
            raw = source.read()
            for variant in (raw, without_cuboid_2d(raw)):
                clean = variant is not None and assert_agrees(variant, media)
                with_images += clean and media is not None and media.carries("images")
    assert with_images >= 2  # clean files checked against real image files: the media branch ran


@pytest.mark.parametrize("seed", range(6))
def test_generated_clean_files_are_taken(seed: int) -> None:
    raw, _ = GENERATE.generate(60, seed, 0)
    assert ordinary(raw) == []
    assert fast_clean(raw)


@pytest.mark.parametrize("seed", range(4))
def test_generated_files_with_injected_errors_are_left(seed: int) -> None:
    raw, errors = GENERATE.generate(200, seed, 7)
    assert len(errors) == 7
    assert not fast_clean(raw)


def test_big_clean_file_takes_the_fast_path() -> None:
    raw, _ = GENERATE.generate(400, 11, 0)
    assert len(raw) >= engine.FAST_PATH_MIN_SIZE
    dataset = DatasetState("d")
    with limits.use(NO_KEY_SCAN):
        assert engine.screened_clean(raw, file="t.json", subset="default", rules=ALL_RULES, dataset=dataset)
        assert engine.lint_bytes(raw, file="t.json", subset="default", rules=ALL_RULES) == []
    assert dataset.reference is not None and set(dataset.reference.top) == {
        "categories",
        "infos",
        "media_type",
    }
    assert dataset.reference.top["categories"] == orjson.loads(raw)["categories"]


@pytest.mark.parametrize("share", [False, True])
def test_an_item_id_used_in_both_halves_is_not_clean(share: bool) -> None:
    doc = copy.deepcopy(SMALL_DOC)
    doc["items"][-1]["id"] = doc["items"][0]["id"]
    raw = orjson.dumps(doc)
    assert ordinary(raw) == [f"DL402 /items/{len(doc['items']) - 1}/id"]
    with limits.use(NO_KEY_SCAN):
        assert not engine.screened_clean(raw, file="t.json", subset="default", rules=ALL_RULES, share=share)


def test_small_key_scan_limit_keeps_the_ordinary_path() -> None:
    raw, _ = GENERATE.generate(20, 1, 0)
    with limits.use(limits.Limits(duplicate_key_scan=-1)):
        assert not engine.screened_clean(raw, file="t.json", subset="default", rules=ALL_RULES)


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


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(MUTATIONS), _values()), min_size=1, max_size=3), st.randoms())
def test_mutated_files_agree(mutations: list[Any], rnd: random.Random) -> None:
    doc = _mutated(mutations, rnd)
    try:
        raw = orjson.dumps(doc)
    except TypeError:  # an integer beyond 64 bits: written by the standard library instead
        raw = json.dumps(doc).encode()
    assert_agrees(raw)


# ------------------------------------------------------------------------------------ canonical form


def writer_keeps(raw: bytes) -> bool:
    """Whether the canonical compact writer writes ``raw`` back unchanged."""
    return dumps(canonical(orjson.loads(raw))) == raw


@pytest.mark.parametrize("seed", range(3))
def test_generated_files_are_canonical(seed: int) -> None:
    raw, _ = GENERATE.generate(40, seed, 0)
    assert writer_keeps(raw)
    assert is_canonical(raw)


def test_other_layouts_and_orders_are_not_canonical() -> None:
    doc = orjson.loads(SMALL)
    assert not is_canonical(json.dumps(doc).encode())  # spaces after separators
    assert not is_canonical(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    assert not is_canonical(SMALL + b"\n")
    reordered = copy.deepcopy(doc)
    first = reordered["items"][0]["annotations"][0]
    reordered["items"][0]["annotations"][0] = dict(reversed(list(first.items())))
    assert not is_canonical(orjson.dumps(reordered))
    floats = SMALL.replace(b'"size":[480,640]', b'"size":[480,6.4e2]', 1)
    assert floats != SMALL and not is_canonical(floats)


def test_strings_and_integers_are_encoded_alike() -> None:
    text = "".join(map(chr, range(0x800))) + "\u2028\u2029\ufeff\U0001f600"
    assert msgspec.json.encode(text) == orjson.dumps(text)
    for number in (0, -1, 2**63 - 1, -(2**63)):
        assert msgspec.json.encode(number) == orjson.dumps(number)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(MUTATIONS), _values()), min_size=1, max_size=3), st.randoms())
def test_canonical_verdict_agrees_with_the_writer(mutations: list[Any], rnd: random.Random) -> None:
    doc = _mutated(mutations, rnd)
    try:
        raw = orjson.dumps(doc)
    except TypeError:
        return
    if fast_clean(raw) and is_canonical(raw):
        assert writer_keeps(raw)


def test_fix_leaves_a_big_clean_canonical_file_alone() -> None:
    raw, _ = GENERATE.generate(600, 12, 0)
    assert len(raw) >= engine.FAST_PATH_MIN_SIZE
    with limits.use(NO_KEY_SCAN):
        kept = fix_bytes(raw, file="t.json", subset="default", rules=ALL_RULES)
        assert kept.fixed is None and not kept.changed and kept.remaining == []
        spaced = json.dumps(orjson.loads(raw)).encode()
        rewritten = fix_bytes(spaced, file="t.json", subset="default", rules=ALL_RULES)
    assert rewritten.changed and rewritten.fixed == raw


def test_keypoints_without_points_agree() -> None:
    doc = copy.deepcopy(SMALL_DOC)
    for ann in _annotations(doc, "points"):
        ann["points"] = []
        ann.pop("visibility", None)
    assert assert_agrees(orjson.dumps(doc))

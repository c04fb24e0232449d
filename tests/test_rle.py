"""Tests for dlint.rle: the reference RLE decoder and the vectorised checker, against pycocotools."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pycocotools.mask as mask_utils
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlint import rle
from dlint.rle import (
    BAD_CHAR,
    MAX_GROUP_CHARS,
    NEGATIVE_RUN,
    OK,
    TRUNCATED,
    RleError,
    decode_runs,
    measure_counts,
)

# pycocotools' decode trips a numpy 2 deprecation warning on every call.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

INT64_MAX = 2**63 - 1
EXAMPLE_82 = "d0d0:F\\0"  # the 8 characters d 0 d 0 : F backslash 0
CONTINUATION = chr(48 + 0x20)  # 'P': value 0 with the "more characters follow" bit


def check_counts(counts: list[str]) -> tuple[Any, Any]:
    """The totals and status :func:`measure_counts` finds."""
    measures = measure_counts(counts)
    return measures.totals, measures.status


def encode_runs(runs: list[int]) -> str:
    """Mirror of pycocotools' rleToString on exact integers (negative runs and deltas allowed)."""
    out = []
    for i, run in enumerate(runs):
        x = run - runs[i - 2] if i > 2 else run
        more = True
        while more:
            c = x & 0x1F
            x >>= 5
            more = x != -1 if c & 0x10 else x != 0
            out.append(chr(48 + (c | 0x20 if more else c)))
    return "".join(out)


def expand(runs: list[int]) -> np.ndarray:
    """The flat (column-major) mask described by ``runs``."""
    return np.repeat(np.arange(len(runs)) % 2, runs).astype(np.uint8)


def coco_counts(mask: np.ndarray) -> str:
    return str(mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))["counts"].decode("ascii"))


def reference(counts: list[str]) -> tuple[list[int], list[int]]:
    """What measure_counts must return (totals and status), computed string by string with decode_runs."""
    totals, _, status = reference_measures(counts)
    return totals, status


def reference_measures(counts: list[str]) -> tuple[list[int], list[int], list[int]]:
    """What measure_counts must return (totals, foreground, status), string by string with decode_runs."""
    totals, foreground, status = [], [], []
    for s in counts:
        try:
            runs = decode_runs(s)
        except RleError as exc:
            totals.append(0)
            foreground.append(0)
            status.append(exc.status)
        else:
            totals.append(min(sum(runs), INT64_MAX))
            foreground.append(min(sum(runs[1::2]), INT64_MAX))
            status.append(OK)
    return totals, foreground, status


@contextlib.contextmanager
def block_chars(size: int) -> Iterator[None]:
    """Make measure_counts cut its input into blocks of about ``size`` characters."""
    saved = rle.BLOCK_CHARS
    rle.BLOCK_CHARS = size
    try:
        yield
    finally:
        rle.BLOCK_CHARS = saved


def assert_matches_reference(counts: list[str]) -> None:
    totals, status = check_counts(counts)
    assert totals.dtype == np.int64 and status.dtype == np.int8
    assert (totals.tolist(), status.tolist()) == reference(counts)
    measures = measure_counts(counts)
    assert measures.foreground.dtype == np.int64
    assert measures.totals.tolist() == totals.tolist() and measures.status.tolist() == status.tolist()
    assert measures.foreground.tolist() == reference_measures(counts)[1]


# --- documented examples -----------------------------------------------------------------------------


def test_documented_examples() -> None:
    assert len(EXAMPLE_82) == 8
    assert decode_runs(EXAMPLE_82) == [20, 20, 10, 10, 22]
    assert decode_runs("833000f0") == [8, 3, 3, 3, 3, 3, 25]
    totals, status = check_counts([EXAMPLE_82, "833000f0"])
    assert totals.tolist() == [82, 48]
    assert status.tolist() == [OK, OK]
    assert measure_counts([EXAMPLE_82, "833000f0"]).foreground.tolist() == [30, 9]


def test_pycocotools_encodes_the_documented_runs() -> None:
    rle = mask_utils.frPyObjects({"counts": [8, 3, 3, 3, 3, 3, 25], "size": [6, 8]}, 6, 8)
    assert rle["counts"] == b"833000f0"
    assert encode_runs([8, 3, 3, 3, 3, 3, 25]) == "833000f0"


def test_delta_starts_at_run_three() -> None:
    # Runs 0..2 are stored as is: "5" "3" "3" are 5, 3, 3; then "1" is +1 over run 1 and "0" +0 over run 2.
    assert decode_runs("533") == [5, 3, 3]
    assert decode_runs("53310") == [5, 3, 3, 4, 3]


def test_empty() -> None:
    assert decode_runs("") == []
    totals, status = check_counts([])
    assert totals.shape == (0,) and status.shape == (0,)
    assert totals.dtype == np.int64 and status.dtype == np.int8
    totals, status = check_counts(["", "", ""])
    assert totals.tolist() == [0, 0, 0] and status.tolist() == [OK, OK, OK]
    measures = measure_counts([])
    assert measures.foreground.shape == (0,) and measures.foreground.dtype == np.int64
    assert measure_counts(["", "", ""]).foreground.tolist() == [0, 0, 0]


# --- against pycocotools -----------------------------------------------------------------------------


def _check_mask(mask: np.ndarray) -> None:
    h, w = mask.shape
    counts = coco_counts(mask)
    runs = decode_runs(counts)
    assert sum(runs) == h * w
    assert all(r >= 0 for r in runs)
    assert np.array_equal(expand(runs), mask.flatten(order="F"))
    assert encode_runs(runs) == counts
    assert mask_utils.frPyObjects({"counts": runs, "size": [h, w]}, h, w)["counts"].decode() == counts
    totals, status = check_counts([counts])
    assert totals.tolist() == [h * w] and status.tolist() == [OK]
    area = int(mask_utils.area({"counts": counts.encode(), "size": [h, w]}))
    assert area == int(mask.sum())
    assert measure_counts([counts]).foreground.tolist() == [area]


@st.composite
def masks(draw: st.DrawFn) -> np.ndarray:
    h = draw(st.integers(1, 40))
    w = draw(st.integers(1, 40))
    kind = draw(st.sampled_from(["random", "zeros", "ones", "pixel", "block"]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if kind == "random":
        return rng.random((h, w)) < rng.random()
    mask = np.full((h, w), kind == "ones")
    if kind == "pixel":
        mask[rng.integers(h), rng.integers(w)] = True
    elif kind == "block":
        y0, x0 = rng.integers(h), rng.integers(w)
        mask[y0 : rng.integers(y0, h + 1), x0 : rng.integers(x0, w + 1)] = True
    return mask


@settings(deadline=None)
@given(masks())
def test_decode_matches_pycocotools_on_masks(mask: np.ndarray) -> None:
    _check_mask(mask)


@pytest.mark.parametrize(
    "shape", [(1, 1), (1, 257), (257, 1), (1000, 1000), (3, 700)], ids=lambda s: f"{s[0]}x{s[1]}"
)
@pytest.mark.parametrize("fill", ["zeros", "ones", "first", "last"])
def test_decode_matches_pycocotools_on_large_runs(shape: tuple[int, int], fill: str) -> None:
    mask = np.full(shape, fill == "ones")
    if fill == "first":
        mask[0, 0] = True
    elif fill == "last":
        mask[-1, -1] = True
    _check_mask(mask)


def test_one_megapixel_run() -> None:
    counts = coco_counts(np.ones((1000, 1000), bool))
    assert decode_runs(counts) == [0, 10**6]
    assert check_counts([counts])[0].tolist() == [10**6]
    assert measure_counts([counts]).foreground.tolist() == [10**6]


def test_foreground_is_the_sum_of_odd_runs() -> None:
    empty = coco_counts(np.zeros((6, 8), bool))
    assert decode_runs(empty) == [48]
    counts = [empty, encode_runs([48, 0]), encode_runs([5, 0, 43]), "833000f0", EXAMPLE_82, "0", ""]
    measures = measure_counts(counts)
    assert measures.totals.tolist() == [48, 48, 48, 48, 82, 0, 0]
    assert measures.foreground.tolist() == [0, 0, 0, 9, 30, 0, 0]
    assert measures.status.tolist() == [OK] * 7
    # Broken strings count no foreground, whatever their runs before the defect.
    broken = [EXAMPLE_82 + "z", "0" + CONTINUATION, encode_runs([1, 5, -3])]
    assert measure_counts(broken).foreground.tolist() == [0, 0, 0]


# pycocotools' rleToString allocates 6 characters per run (plus none for the NUL), so runs or deltas
# needing 6 or 7 characters overflow its buffer and crash the process: stay below 2**24 (5 characters).
@settings(deadline=None)
@given(st.lists(st.integers(0, 2**24 - 1), max_size=30))
def test_test_encoder_mirrors_pycocotools(runs: list[int]) -> None:
    counts = mask_utils.frPyObjects({"counts": runs, "size": [1, 1]}, 1, 1)["counts"].decode()
    assert encode_runs(runs) == counts
    assert decode_runs(counts) == runs


@settings(deadline=None)
@given(st.lists(st.integers(0, 60), min_size=1, max_size=40))
def test_pycocotools_decodes_the_same_pixels(runs: list[int]) -> None:
    total = sum(runs)
    if total == 0:
        return
    counts = encode_runs(runs)
    decoded = mask_utils.decode({"counts": counts.encode(), "size": [1, total]})
    assert np.array_equal(decoded.flatten(order="F"), expand(decode_runs(counts)))


# --- error cases -------------------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["z", "~", " ", "é", "/", "p", "\x00", "\ud800", "\U0001f600"])
def test_bad_char(char: str) -> None:
    counts = "833" + char + "000f0"
    with pytest.raises(RleError, match=re.escape(f"invalid character {char!r} at index 3,")) as info:
        decode_runs(counts)
    assert info.value.status == BAD_CHAR
    assert isinstance(info.value, ValueError)
    totals, status = check_counts(["833000f0", counts, EXAMPLE_82])
    assert status.tolist() == [OK, BAD_CHAR, OK]
    assert totals.tolist() == [48, 0, 82]


def test_alphabet_edges() -> None:
    assert decode_runs("0") == [0]
    assert decode_runs("0?") == [0, 15]  # '?' = 0x0F: the largest one-character value
    assert decode_runs("0o1") == [0, 63]  # 'o' = 0x3F: 31 and "more follows"
    assert check_counts(["0?", "0o1", "o"])[1].tolist() == [OK, OK, TRUNCATED]


def test_truncated() -> None:
    counts = "0" + CONTINUATION
    with pytest.raises(RleError, match="ends inside the group starting at index 1") as info:
        decode_runs(counts)
    assert info.value.status == TRUNCATED
    # A truncated string must not swallow the first group of the next string.
    totals, status = check_counts([counts, "833000f0", "8" + CONTINUATION * 3, EXAMPLE_82])
    assert status.tolist() == [TRUNCATED, OK, TRUNCATED, OK]
    assert totals.tolist() == [0, 48, 0, 82]


def test_negative_run() -> None:
    counts = encode_runs([4, 2, -3, 9])
    with pytest.raises(RleError, match=r"run 2 is negative \(-3\)") as info:
        decode_runs(counts)
    assert info.value.status == NEGATIVE_RUN
    # Through a delta: run 4 = run 2 - 5 = -1, while every stored value but the delta is positive.
    counts = encode_runs([1, 2, 4, 3, -1])
    with pytest.raises(RleError, match=r"run 4 is negative \(-1\)"):
        decode_runs(counts)
    assert check_counts([counts, "833000f0"])[1].tolist() == [NEGATIVE_RUN, OK]
    # Run 0 and the runs of the other parity do not feed a chain they are not part of.
    assert check_counts([encode_runs([3, 0, 5, 1, 5])])[0].tolist() == [14]


def test_sign_extension() -> None:
    assert [decode_runs(s)[3] for s in ("000?", "0000")] == [15, 0]
    with pytest.raises(RleError, match=r"run 3 is negative \(-16\)"):
        decode_runs("000@")  # '@' = 0x10: one character, sign bit set
    with pytest.raises(RleError, match=r"run 1 is negative \(-1\)"):
        decode_runs("0O")  # 'O' = 0x1F = -1


def test_group_length_limit() -> None:
    longest = CONTINUATION * (MAX_GROUP_CHARS - 1) + "1"  # 12 characters: 1 << 55
    assert decode_runs("0" + longest) == [0, 1 << 55]
    too_long = "0" + CONTINUATION * MAX_GROUP_CHARS + "1"
    message = "character '1' at index 13 makes the group starting at index 1 longer than 12 characters"
    with pytest.raises(RleError, match=message) as info:
        decode_runs(too_long)
    assert info.value.status == BAD_CHAR
    unterminated_12 = "0" + CONTINUATION * MAX_GROUP_CHARS
    unterminated_13 = unterminated_12 + CONTINUATION
    assert check_counts(["0" + longest, too_long, unterminated_12, unterminated_13])[1].tolist() == [
        OK,
        BAD_CHAR,
        TRUNCATED,
        BAD_CHAR,
    ]


def test_precedence() -> None:
    negative = encode_runs([1, 2, -3])
    cases = {
        negative + "z": BAD_CHAR,  # a bad character anywhere beats everything
        negative + CONTINUATION: TRUNCATED,  # truncation beats a negative run
        "0" + CONTINUATION * 13 + "0" + negative + CONTINUATION: BAD_CHAR,
    }
    for counts, expected in cases.items():
        with pytest.raises(RleError) as info:
            decode_runs(counts)
        assert info.value.status == expected
    assert check_counts(list(cases))[1].tolist() == list(cases.values())


def test_non_ascii_keeps_string_boundaries() -> None:
    counts = ["é", EXAMPLE_82, "\ud800", "833000f0", "\U0001f600x", "", "00é", "0"]
    totals, status = check_counts(counts)
    assert status.tolist() == [BAD_CHAR, OK, BAD_CHAR, OK, BAD_CHAR, OK, BAD_CHAR, OK]
    assert totals.tolist() == [0, 82, 0, 48, 0, 0, 0, 0]


def test_huge_runs_are_exact_or_saturated() -> None:
    # 128 runs of 2**57 plus 100 sum to 2**64 + 100: int64 arithmetic would wrap to exactly 100, which
    # is the pixel count of a 10x10 mask.
    wraps = encode_runs([1 << 57] * 128 + [100])
    big = encode_runs([1 << 55] * 40)
    totals, status = check_counts([wraps, big, "833000f0"])
    assert status.tolist() == [OK, OK, OK]
    assert totals.tolist() == [INT64_MAX, 40 << 55, 48]
    assert measure_counts([wraps, big, "833000f0"]).foreground.tolist() == [INT64_MAX, 20 << 55, 9]
    negative_late = encode_runs([1 << 57] * 128 + [-1])
    assert check_counts([negative_late])[1].tolist() == [NEGATIVE_RUN]


def test_seven_character_groups() -> None:
    # What pycocotools writes for the largest uint32 run: 33 bits with the sign need 7 characters.
    assert decode_runs("0oooooo35") == [0, 2**32 - 1, 5]
    assert encode_runs([0, 2**32 - 1, 5]) == "0oooooo35"
    assert check_counts(["0oooooo35"])[0].tolist() == [2**32 + 4]


def test_runs_beyond_uint32_are_kept_exact() -> None:
    # pycocotools would store 2**32 + 5 as 5; here it stays exact and breaks the total.
    assert decode_runs(encode_runs([0, 2**32 + 5])) == [0, 2**32 + 5]


# --- vectorised checker against the reference ----------------------------------------------------------

ALPHABET = st.characters(min_codepoint=48, max_codepoint=111)
OUTSIDE = st.sampled_from(["z", "~", " ", "/", "p", "é", "\x00", "\ud800", "\U0001f600", "\\"])
runs_lists = st.lists(st.integers(-(2**40), 2**40) | st.integers(0, 300), max_size=25)


@st.composite
def counts_strings(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["arbitrary", "valid", "encoded", "truncated", "huge"]))
    if kind == "arbitrary":
        return draw(st.text(ALPHABET | OUTSIDE, max_size=40))
    if kind == "valid":
        return draw(st.text(ALPHABET, max_size=60))
    if kind == "huge":
        return encode_runs(draw(st.lists(st.integers(0, 2**58), max_size=200)))
    counts = encode_runs(draw(runs_lists))
    if kind == "truncated":
        counts += draw(st.text(st.sampled_from([chr(c) for c in range(48 + 0x20, 112)]), min_size=1))
    return counts


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(counts_strings(), max_size=30))
def test_check_counts_matches_decode_runs(counts: list[str]) -> None:
    assert_matches_reference(counts)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(counts_strings(), max_size=30), st.integers(1, 80))
def test_check_counts_matches_decode_runs_across_blocks(counts: list[str], size: int) -> None:
    with block_chars(size):
        assert_matches_reference(counts)


def test_blocks_hold_whole_strings() -> None:
    counts = ["833000f0", EXAMPLE_82, "", "0" + CONTINUATION, encode_runs([7] * 50), "", "z", "833000f0"]
    expected = ([48, 82, 0, 0, 350, 0, 0, 48], [OK, OK, OK, TRUNCATED, OK, OK, BAD_CHAR, OK])
    for size in (1, 2, 3, 8, 9, 10, 1000):
        with block_chars(size):
            totals, status = check_counts(counts)
        assert (totals.tolist(), status.tolist()) == expected, size


@settings(deadline=None)
@given(runs_lists)
def test_round_trip_of_encoded_runs(runs: list[int]) -> None:
    counts = encode_runs(runs)
    negative = [m for m, r in enumerate(runs) if r < 0]
    if negative:
        with pytest.raises(RleError, match=rf"run {negative[0]} is negative \({runs[negative[0]]}\)"):
            decode_runs(counts)
        assert check_counts([counts])[1].tolist() == [NEGATIVE_RUN]
    else:
        assert decode_runs(counts) == runs
        assert check_counts([counts])[0].tolist() == [sum(runs)]


def test_many_real_masks_in_one_call() -> None:
    rng = np.random.default_rng(7)
    counts, sizes, areas = [], [], []
    for _ in range(300):
        h, w = (int(v) for v in rng.integers(1, 120, 2))
        mask = rng.random((h, w)) < rng.random() if rng.random() < 0.5 else np.zeros((h, w), bool)
        if not mask.any():
            y, x = rng.integers(h), rng.integers(w)
            mask[y : y + rng.integers(1, h + 1), x : x + rng.integers(1, w + 1)] = True
        counts.append(coco_counts(mask))
        sizes.append(h * w)
        areas.append(int(mask_utils.area({"counts": counts[-1].encode(), "size": [h, w]})))
    corrupt = [counts[0][:-1], counts[1] + "z", EXAMPLE_82]
    totals, status = check_counts(counts + corrupt)
    assert totals[:300].tolist() == sizes
    assert status[:300].tolist() == [OK] * 300
    assert_matches_reference(counts + corrupt)
    assert status[301] == BAD_CHAR and totals[302] == 82
    measures = measure_counts(counts + corrupt)
    assert measures.foreground.tolist() == [*areas, *reference_measures(corrupt)[1]]
    assert measures.foreground[-1] == 30
    with block_chars(500):
        again = check_counts(counts + corrupt)
        again_measures = measure_counts(counts + corrupt)
    assert again[0].tolist() == totals.tolist() and again[1].tolist() == status.tolist()
    assert again_measures.foreground.tolist() == measures.foreground.tolist()

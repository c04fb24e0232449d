"""Tests for dlint.visual.draw and dlint.visual.thumbs: thumbnails and mask layers decoded back with
Pillow, and the SVG of an item parsed as XML."""

from __future__ import annotations

import base64
import io
import math
import struct
import xml.etree.ElementTree as ET
import zlib
from typing import Any

import numpy as np
import pycocotools.mask as coco
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from dlint.rle import valid_totals
from dlint.visual.draw import Drawing, draw
from dlint.visual.shapes import MAX_ANNOTATIONS, NO_LABEL_COLOR, PALETTE
from dlint.visual.thumbs import MASK_ALPHA, MaskLayer, Thumbnail, mask_layer, thumbnail
from tests.test_rle import encode_runs

# pycocotools' decode trips a numpy 2 deprecation warning on every call.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

SVG = "{http://www.w3.org/2000/svg}"
CVAT_EXAMPLE_82 = "d0d0:F\\0"  # the broken mask of CVAT's documentation: 82 pixels for a 10x10 size
HUGE = encode_runs([1 << 57] * 128 + [100])  # 128 runs of 2**57, then 100: 2**64 + 100 pixels
RED = (255, 0, 0)


# Helpers.


def encoded(image: Image.Image, fmt: str) -> io.BytesIO:
    out = io.BytesIO()
    image.save(out, fmt)
    out.seek(0)
    return out


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int, idat: bytes) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` (8-bit RGB) followed by ``idat``."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")
    )


class Tracking(io.BytesIO):
    """A stream that remembers the furthest offset read."""

    furthest = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.furthest = max(self.furthest, self.tell())
        return data


def coco_rle(mask: np.ndarray[Any, Any]) -> dict[str, Any]:
    """``mask`` compressed by pycocotools, with string counts as Datumaro writes them."""
    rle = coco.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"counts": rle["counts"].decode("ascii"), "size": [int(v) for v in rle["size"]]}


def layer_pixels(layer: MaskLayer) -> np.ndarray[Any, Any]:
    """The layer's pixels as RGBA (it is stored as a two-colour palette image with transparency)."""
    image = opened(layer.png)
    assert image.mode == "P" and "transparency" in image.info
    return np.asarray(image.convert("RGBA"))


def parse(drawing: Drawing | None) -> ET.Element:
    assert drawing is not None
    root = ET.fromstring(drawing.svg)
    assert root.tag == f"{SVG}svg"
    return root


def groups(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if "ann" in g.get("class", "").split()]


def group(root: ET.Element, index: int) -> ET.Element:
    (found,) = [g for g in groups(root) if g.get("data-index") == str(index)]
    return found


def view_box(root: ET.Element) -> tuple[float, float, float, float]:
    x, y, w, h = (float(v) for v in root.get("viewBox", "").split())
    return x, y, w, h


def segments(path: ET.Element) -> set[frozenset[tuple[float, float]]]:
    """The segments of a ``M x y L x y ...`` path, each as an unordered pair of points."""
    found = set()
    for part in path.get("d", "").split("M")[1:]:
        start, end = part.split("L")
        p = tuple(float(v) for v in start.split())
        q = tuple(float(v) for v in end.split())
        found.add(frozenset({p, q}))
    return found  # type: ignore[return-value]


def item(*annotations: Any) -> dict[str, Any]:
    return {"id": "img1", "image": {"size": [80, 100]}, "annotations": list(annotations)}


CATEGORIES = {
    "label": {"labels": [{"name": "car", "parent": ""}, {"name": "person", "parent": ""}]},
    "mask": {
        "colormap": [{"label_id": 0, "r": 0, "g": 0, "b": 0}, {"label_id": 1, "r": 10, "g": 20, "b": 30}]
    },
}


# thumbnail()


@pytest.mark.parametrize(
    ("fmt", "mode", "mime"), [("JPEG", "RGB", "image/jpeg"), ("PNG", "RGBA", "image/png")]
)
def test_thumbnail_downscales_and_reports_the_original_size(fmt: str, mode: str, mime: str) -> None:
    source = Image.new(mode, (2000, 1000), (200, 30, 40, 255)[: len(mode)])
    thumb = thumbnail(encoded(source, fmt))
    assert thumb is not None
    assert (thumb.width, thumb.height, thumb.mime) == (2000, 1000, mime)
    small = opened(thumb.data)
    assert small.format == fmt
    assert small.size == (512, 256)
    assert small.mode == mode
    r, g, b = small.convert("RGB").getpixel((256, 128))  # type: ignore[misc]
    assert abs(r - 200) < 8 and abs(g - 30) < 8 and abs(b - 40) < 8


def test_thumbnail_never_upscales() -> None:
    thumb = thumbnail(encoded(Image.new("L", (100, 40), 128), "PNG"))
    assert thumb is not None
    assert (thumb.width, thumb.height, thumb.mime) == (100, 40, "image/jpeg")
    assert opened(thumb.data).size == (100, 40)


def test_thumbnail_keeps_palette_transparency_as_png() -> None:
    source = Image.new("P", (30, 20), 0)
    source.info["transparency"] = 0
    thumb = thumbnail(encoded(source, "PNG"))
    assert thumb is not None and thumb.mime == "image/png"


@pytest.mark.parametrize(
    "data", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, b"\xff\xd8\xff"]
)
def test_thumbnail_of_garbage_is_none(data: bytes) -> None:
    assert thumbnail(io.BytesIO(data)) is None


def test_thumbnail_of_a_truncated_image_is_none() -> None:
    whole = encoded(Image.effect_noise((300, 300), 50), "PNG").getvalue()
    assert thumbnail(io.BytesIO(whole[: len(whole) // 2])) is None


@pytest.mark.parametrize(
    "side",
    [
        20_000,  # beyond Pillow's own decompression bomb limit
        11_000,  # 121 million pixels: only a warning for Pillow, over our 100 million
    ],
)
def test_thumbnail_refuses_a_decompression_bomb_without_reading_it(side: int) -> None:
    stream = Tracking(png_claiming(side, side, b"\0" * 2_000_000))
    assert thumbnail(stream) is None
    assert stream.furthest < 10_000  # the header only, not the 2 MB of image data


def test_thumbnail_honours_max_pixels() -> None:
    data = encoded(Image.new("RGB", (100, 100)), "PNG").getvalue()
    assert thumbnail(io.BytesIO(data), max_pixels=9_999) is None
    assert thumbnail(io.BytesIO(data), max_pixels=10_000) is not None


def test_thumbnail_honours_max_side() -> None:
    thumb = thumbnail(encoded(Image.new("RGB", (300, 900)), "JPEG"), max_side=90)
    assert thumb is not None
    assert opened(thumb.data).size == (30, 90)


# mask_layer()


def test_mask_layer_colours_exactly_the_mask() -> None:
    rng = np.random.default_rng(7)
    mask = rng.random((30, 40)) < 0.3
    layer = mask_layer(coco_rle(mask), RED)
    assert isinstance(layer, MaskLayer)
    assert (layer.height, layer.width) == (30, 40)
    pixels = layer_pixels(layer)
    assert pixels.shape == (30, 40, 4)
    assert (pixels[mask] == (*RED, MASK_ALPHA)).all()
    assert (pixels[~mask][:, 3] == 0).all()


def test_mask_layer_downscales_nearest_but_keeps_the_rle_size() -> None:
    mask = np.zeros((600, 1200), bool)
    mask[:, :600] = True  # the left half
    layer = mask_layer(coco_rle(mask), (0, 128, 255))
    assert isinstance(layer, MaskLayer)
    assert (layer.height, layer.width) == (600, 1200)
    pixels = layer_pixels(layer)
    assert pixels.shape == (256, 512, 4)
    assert (pixels[:, :256] == (0, 128, 255, MASK_ALPHA)).all()
    assert (pixels[:, 256:, 3] == 0).all()


def test_mask_layer_takes_uncompressed_counts() -> None:
    mask = np.zeros((4, 5), bool)
    mask[1:3, 2:4] = True
    # Column-major runs: 9 unset (two columns and the top of the third), 2 set, 2 unset, 2 set, 5 unset.
    layer = mask_layer({"counts": [9, 2, 2, 2, 5], "size": [4, 5]}, RED)
    assert isinstance(layer, MaskLayer)
    assert (layer_pixels(layer)[:, :, 3] != 0).tolist() == mask.tolist()


def test_mask_layer_explains_counts_that_fall_short() -> None:
    reason = mask_layer({"counts": CVAT_EXAMPLE_82, "size": [10, 10]}, RED)
    assert reason == "its counts cover 82 pixels, its size 10x10 = 100"
    assert mask_layer({"counts": [50, 49], "size": [10, 10]}, RED) == (
        "its counts cover 99 pixels, its size 10x10 = 100"
    )


@pytest.mark.parametrize(
    ("rle", "start"),
    [
        ({"counts": "hello world!", "size": [10, 10]}, "its counts are not valid RLE: invalid character ' '"),
        ({"counts": "0P", "size": [10, 10]}, "its counts are not valid RLE: string ends inside"),
        ({"counts": [1, -1, 100], "size": [10, 10]}, "its counts are neither"),
        ({"counts": 42, "size": [10, 10]}, "its counts are neither"),
        ({"counts": "52"}, "it has no size"),
        ({"counts": "52", "size": [10]}, "its size is not two non-negative integers"),
        ({"counts": "52", "size": [10, True]}, "its size is not two non-negative integers"),
        ({"size": [10, 10]}, "it has no counts"),
        ({"counts": [], "size": [0, 7]}, "it is empty"),
        ({"counts": [100_000 * 100_000], "size": [100_000, 100_000]}, "its size 100000x100000 is too large"),
        ("52", "its rle is not an object"),
    ],
)
def test_mask_layer_explains_what_cannot_be_decoded(rle: Any, start: str) -> None:
    reason = mask_layer(rle, RED)
    assert isinstance(reason, str)
    assert reason.startswith(start)


def test_masks_measured_at_once_are_judged_as_one_by_one() -> None:
    rng = np.random.default_rng(3)
    good = coco_rle(rng.random((30, 40)) < 0.3)
    rles = [
        good,
        {"counts": good["counts"], "size": [40, 30]},  # the same counts, the size swapped: still fits
        {"counts": good["counts"], "size": [30, 41]},  # one column too many
        {"counts": CVAT_EXAMPLE_82, "size": [10, 10]},
        {"counts": "hello world!", "size": [10, 10]},
        {"counts": "0P", "size": [10, 10]},
        {"counts": [9, 2, 2, 2, 5], "size": [4, 5]},
        {"size": [3, 3]},
        "not an object",
        {"counts": HUGE, "size": [10, 10]},  # beyond int64: measured at once, its sum saturates
    ]
    totals = valid_totals(
        r["counts"] for r in rles if isinstance(r, dict) and isinstance(r.get("counts"), str)
    )
    assert totals == {good["counts"]: 1200, CVAT_EXAMPLE_82: 82}  # (not HUGE: no exact sum)
    for rle in rles:
        assert mask_layer(rle, RED, totals=totals) == mask_layer(rle, RED)
    assert mask_layer(rles[-1], RED, totals=totals) == (
        f"its counts cover {2**64 + 100} pixels, its size 10x10 = 100"
    )
    # what was measured is what counts: a string said to cover fewer pixels is not drawn
    assert mask_layer(good, RED, totals={good["counts"]: 1199}) == (
        "its counts cover 1199 pixels, its size 30x40 = 1200"
    )


# draw(): geometry


def test_bbox_is_a_rect_at_its_coordinates() -> None:
    root = parse(draw(item({"id": 1, "type": "bbox", "label_id": 0, "bbox": [10, 20, 30, 40]}), CATEGORIES))
    (rect,) = group(root, 0).iter(f"{SVG}rect")
    assert [float(rect.get(k, "nan")) for k in ("x", "y", "width", "height")] == [10, 20, 30, 40]
    assert rect.get("vector-effect") == "non-scaling-stroke"


def test_without_a_thumbnail_the_image_is_a_grey_rect_outlined() -> None:
    root = parse(draw(item(), CATEGORIES, size=(80, 100)))
    areas = [r for r in root.iter(f"{SVG}rect") if (r.get("x"), r.get("y")) == ("0", "0")]
    assert {(r.get("width"), r.get("height")) for r in areas} == {("100", "80")}
    assert any(r.get("fill") not in (None, "none") for r in areas)  # the image area
    assert any(r.get("fill") == "none" and r.get("stroke") for r in areas)  # its outline
    assert not list(root.iter(f"{SVG}image"))


def test_geometry_outside_the_image_widens_the_view() -> None:
    polygon = {"id": 1, "type": "polygon", "label_id": 1, "points": [-50, 10, 30, 10, 30, 60]}
    root = parse(draw(item(polygon), CATEGORIES, size=(80, 100)))
    x, y, w, h = view_box(root)
    assert -60 < x < -50  # the polygon, plus a small margin
    assert 100 < x + w < 110 and -10 < y < 0 and 80 < y + h < 90
    # The image rectangle's long side (100) displays at 512 pixels; the outside adds proportionally.
    assert float(root.get("width", "0")) == pytest.approx(w * 512 / 100, abs=0.1)
    (shape,) = group(root, 0).iter(f"{SVG}polygon")
    assert shape.get("points") == "-50,10 30,10 30,60"


def test_the_view_extends_by_at_most_one_image_size_each_way() -> None:
    far = {"type": "polyline", "points": [-1e6, -5e5, 1e300, 4e9]}
    root = parse(draw(item(far), None, size=(80, 100)))
    x, y, w, h = view_box(root)
    assert -105 < x <= -100 and -85 < y <= -80
    assert 200 <= x + w < 205 and 160 <= y + h < 165
    assert float(root.get("width", "0")) == pytest.approx(w * 512 / 100, abs=0.1)
    assert group(root, 0).find(f"{SVG}polyline") is not None  # drawn, clipped by the view


def test_a_thumbnail_is_the_image_area_and_its_size_wins() -> None:
    thumb = Thumbnail(b"\xff\xd8fake", "image/jpeg", 1000, 500)
    root = parse(draw(item(), None, image=thumb, size=(80, 100)))
    (image,) = root.iter(f"{SVG}image")
    assert image.get("href") == "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8fake").decode()
    assert [image.get(k) for k in ("x", "y", "width", "height")] == ["0", "0", "1000", "500"]
    assert image.get("preserveAspectRatio") == "none"
    x, _y, w, _h = view_box(root)
    assert (
        x < 0
        and 1000 < x + w < 1050
        and float(root.get("width", "0")) == pytest.approx(w * 512 / 1000, abs=0.1)
    )


def test_shapes_of_every_drawn_type() -> None:
    cuboid = [[0, 0], [10, 0], [10, 10], [0, 10], [5, -5], [15, -5], [15, 5], [5, 5]]
    root = parse(
        draw(
            item(
                {"type": "polyline", "points": [1, 2, 3, 4, 5, 6]},
                {"type": "points", "points": [1, 1, 2, 2, 3, 3], "visibility": [0, 1, 2]},
                {"type": "ellipse", "points": [10, 20, 30, 60]},
                {"type": "cuboid_2d", "points": cuboid},
                {"type": "points", "points": [7, 8]},
            ),
            CATEGORIES,
            size=(80, 100),
        )
    )
    (polyline,) = group(root, 0).iter(f"{SVG}polyline")
    assert polyline.get("fill") == "none" and polyline.get("points") == "1,2 3,4 5,6"
    circles = list(group(root, 1).iter(f"{SVG}circle"))
    assert [(c.get("cx"), c.get("fill")) for c in circles] == [("2", "none"), ("3", None)]  # 0 is not drawn
    (ellipse,) = group(root, 2).iter(f"{SVG}ellipse")
    assert [float(ellipse.get(k, "nan")) for k in ("cx", "cy", "rx", "ry")] == [20, 40, 10, 20]
    (path,) = group(root, 3).iter(f"{SVG}path")
    edges = segments(path)
    assert len(edges) == 12
    assert frozenset({(0.0, 0.0), (5.0, -5.0)}) in edges and frozenset({(15.0, -5.0), (15.0, 5.0)}) in edges
    (circle,) = group(root, 4).iter(f"{SVG}circle")  # no visibility: visible
    assert circle.get("fill") is None and (circle.get("cx"), circle.get("cy")) == ("7", "8")


def test_keypoints_all_absent_give_a_note() -> None:
    drawing = draw(item({"type": "points", "points": [1, 1, 2, 2], "visibility": [0, 0]}), None, size=(8, 8))
    assert not groups(parse(drawing))
    assert drawing is not None
    assert drawing.notes == (
        "annotation 0 (points): all of its points have visibility 0 (absent): nothing to draw",
    )


SKELETON = {"type": "skeleton", "label_id": 1, "points": [10, 10, 2, 20, 20, 2, 30, 10, 1, 0, 0, 0]}


@pytest.mark.parametrize(
    ("joints", "expected"),
    [
        ([[1, 2], [2, 3], [3, 4]], [((10, 10), (20, 20)), ((20, 20), (30, 10))]),  # 1-based (CVAT)
        ([[0, 1], [1, 2], [2, 3]], [((10, 10), (20, 20)), ((20, 20), (30, 10))]),  # 0-based
        ([[0, 2]], [((10, 10), (30, 10))]),
    ],
)
def test_skeleton_edges_follow_the_template(joints: list[list[int]], expected: list[Any]) -> None:
    categories = {
        "label": {"labels": [{"name": "a"}, {"name": "body"}]},
        "points": {"items": [{"label_id": 0, "joints": [[1, 3]]}, {"label_id": 1, "joints": joints}]},
    }
    drawing = draw(item(SKELETON), categories, size=(80, 100))
    root = parse(drawing)
    (path,) = group(root, 0).iter(f"{SVG}path")
    assert segments(path) == {
        frozenset({(float(a), float(b)), (float(c), float(d))}) for (a, b), (c, d) in expected
    }
    # The 4th point has visibility 0: not drawn, nor its edges; the 3rd (1) is hollow.
    assert [(c.get("cx"), c.get("fill")) for c in group(root, 0).iter(f"{SVG}circle")] == [
        ("10", None),
        ("20", None),
        ("30", "none"),
    ]
    assert drawing is not None and drawing.notes == ()


def test_points_get_the_edges_of_their_template_and_bad_joints_a_note() -> None:
    categories = {"points": {"items": [{"label_id": 0, "joints": [[0, 1], [1, 5]]}]}}
    ann = {"type": "points", "label_id": 0, "points": [1, 1, 5, 5]}
    drawing = draw(item(ann), categories, size=(80, 100))
    (path,) = group(parse(drawing), 0).iter(f"{SVG}path")
    assert segments(path) == {frozenset({(1.0, 1.0), (5.0, 5.0)})}
    assert drawing is not None
    assert drawing.notes == ("annotation 0 (points): 1 joints of its template name points it does not have",)


# draw(): masks


def test_a_faithful_mask_is_an_image_of_its_own_size() -> None:
    mask = np.zeros((10, 12), bool)
    mask[2:5, 3:9] = True
    drawing = draw(item({"type": "mask", "label_id": 1, "rle": coco_rle(mask)}), CATEGORIES, size=(80, 100))
    (image,) = group(parse(drawing), 0).iter(f"{SVG}image")
    assert [image.get(k) for k in ("x", "y", "width", "height")] == ["0", "0", "12", "10"]
    href = image.get("href", "")
    assert href.startswith("data:image/png;base64,")
    pixels = np.asarray(opened(base64.b64decode(href.split(",", 1)[1])).convert("RGBA"))
    assert (pixels[mask] == (10, 20, 30, MASK_ALPHA)).all()  # the colormap's colour of label 1
    assert drawing is not None and drawing.notes == ()


def test_a_mask_of_the_wrong_size_shows_misaligned() -> None:
    rle = coco_rle(np.ones((100, 80), bool))  # [w, h] swapped
    root = parse(draw(item({"type": "mask", "rle": rle}), None, size=(80, 100)))
    (image,) = root.iter(f"{SVG}image")
    assert (image.get("width"), image.get("height")) == ("80", "100")
    _x, y, _w, h = view_box(root)
    assert y + h > 100  # the view extends below the image to show it


def test_an_unfaithful_mask_gives_a_note_and_no_image() -> None:
    bad = {"type": "mask", "label_id": 0, "rle": {"counts": CVAT_EXAMPLE_82, "size": [10, 10]}}
    drawing = draw(
        item({"type": "bbox", "bbox": [1, 1, 2, 2]}, bad, {"type": "mask"}), CATEGORIES, size=(10, 10)
    )
    root = parse(drawing)
    assert not list(root.iter(f"{SVG}image"))
    assert [g.get("data-index") for g in groups(root)] == ["0"]
    assert drawing is not None
    assert drawing.notes == (
        "annotation 1 (mask): its counts cover 82 pixels, its size 10x10 = 100",
        "annotation 2 (mask): it has no rle",
    )


# draw(): highlight, titles, colours


def test_highlight_marks_its_group_draws_it_last_and_dims_the_others() -> None:
    anns = [{"id": i, "type": "bbox", "label_id": 0, "bbox": [i, i, 5, 5]} for i in range(3)]
    root = parse(draw(item(*anns), CATEGORIES, highlight=1))
    found = groups(root)
    assert [g.get("data-index") for g in found] == ["0", "2", "1"]
    assert found[-1].get("class") == "ann hl"
    assert [g.get("class") for g in found[:2]] == ["ann dim", "ann dim"]
    assert all(float(g.get("opacity", "1")) < 0.5 for g in found[:2])
    assert float(found[-1].get("stroke-width", "0")) > float(found[0].get("stroke-width", "0"))
    plain = parse(draw(item(*anns), CATEGORIES))
    assert [g.get("class") for g in groups(plain)] == ["ann", "ann", "ann"]


def test_z_order_decides_what_is_on_top() -> None:
    anns = [{"type": "bbox", "bbox": [0, 0, 5, 5], "z_order": z} for z in (2, 0, 1)]
    root = parse(draw(item(*anns), None))
    assert [g.get("data-index") for g in groups(root)] == ["1", "2", "0"]


def test_titles_name_the_label_type_and_id() -> None:
    anns = [
        {"id": 7, "type": "bbox", "label_id": 1, "bbox": [0, 0, 1, 1]},
        {"id": 8, "type": "bbox", "label_id": 5, "bbox": [0, 0, 1, 1]},
        {"id": 9, "type": "polygon", "points": [0, 0, 1, 0, 1, 1]},
    ]
    root = parse(draw(item(*anns), CATEGORIES))
    titles = [g.findtext(f"{SVG}title") for g in groups(root)]
    assert titles == [
        "person (bbox, id 7, annotation 0)",
        "label 5 (bbox, id 8, annotation 1)",
        "polygon (polygon, id 9, annotation 2)",
    ]


def test_colours_come_from_the_colormap_else_the_palette() -> None:
    anns = [{"type": "bbox", "label_id": label, "bbox": [0, 0, 1, 1]} for label in (0, 1, 3, None)]
    root = parse(draw(item(*anns), CATEGORIES))
    # Label 0's colormap entry is black (the background): the palette colour is used instead.
    assert [g.get("stroke") for g in groups(root)] == [PALETTE[0], "#0a141e", PALETTE[3], NO_LABEL_COLOR]


def test_hostile_text_is_only_ever_escaped() -> None:
    hostile = "<script>alert(1)</script>"
    categories = {"label": {"labels": [{"name": hostile}, {"name": '" onmouseover="alert(2)'}]}}
    anns = [
        {"id": hostile, "type": "bbox", "label_id": 0, "bbox": [1, 2, 3, 4]},
        {"id": 2, "type": "bbox", "label_id": 1, "bbox": [1, 2, 3, 4]},
        {"id": 3, "type": hostile, "points": [1, 2]},
    ]
    drawing = draw(item(*anns), categories, size=(80, 100))
    assert drawing is not None
    assert "<script" not in drawing.svg and 'onmouseover="' not in drawing.svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in drawing.svg
    root = parse(drawing)
    assert group(root, 0).findtext(f"{SVG}title") == f"{hostile} (bbox, id {hostile}, annotation 0)"
    assert group(root, 1).findtext(f"{SVG}title", "").startswith('" onmouseover="alert(2) (bbox')
    assert all(set(e.attrib) <= {"class", "data-index", "stroke", "stroke-width", "fill", "fill-opacity",
                                  "opacity"} for e in groups(root))  # fmt: skip
    assert len(groups(root)) == 2
    assert drawing.notes == ("annotation 2 (<script>alert(1)</script>): not a type that can be drawn",)


# draw(): untrusted input


def test_non_numbers_are_skipped_with_notes() -> None:
    anns = [
        {"type": "bbox", "bbox": [True, 0, 1, 1]},
        {"type": "bbox", "bbox": [math.nan, 0, 1, 1]},
        {"type": "polygon", "points": [0, 0, "1", 0, 1, 1, math.inf, 2, 5, 5]},
        {"type": "ellipse", "points": [0, 0, 10**400, 1]},
        {"type": "bbox", "bbox": [10, 10, -5, 3]},
    ]
    drawing = draw(item(*anns), None, size=(80, 100))
    root = parse(drawing)
    assert [g.get("data-index") for g in groups(root)] == ["2", "4"]
    (polygon,) = group(root, 2).iter(f"{SVG}polygon")
    assert polygon.get("points") == "0,0 1,1 5,5"
    (rect,) = group(root, 4).iter(f"{SVG}rect")
    assert [rect.get(k) for k in ("x", "y", "width", "height")] == ["5", "10", "5", "3"]
    assert drawing is not None
    assert drawing.notes == (
        "annotation 0 (bbox): its bbox is not 4 finite numbers [x, y, w, h]",
        "annotation 1 (bbox): its bbox is not 4 finite numbers [x, y, w, h]",
        "annotation 2 (polygon): 2 of its points are not pairs of finite numbers and are left out",
        "annotation 3 (ellipse): its points are not 4 finite numbers [x1, y1, x2, y2]",
        "annotation 4 (bbox): its width or height is negative: drawn from the other side",
    )


def test_not_drawn_types() -> None:
    anns = [
        {"type": "label", "label_id": 0},
        {"type": "caption", "caption": "a car"},
        {"type": "cuboid_3d", "position": [1, 2, 3]},
        {"type": "hash_key"},
        {"label_id": 0},
        "a string",
    ]
    drawing = draw(item(*anns), CATEGORIES, size=(80, 100))
    assert not groups(parse(drawing))
    assert drawing is not None
    assert drawing.notes == (
        "annotation 2 (cuboid_3d): a 3D shape has no place on the image",
        "annotation 3 (hash_key): not a type that can be drawn",
        "annotation 4: it has no type",
        "annotation 5 is not an object",
    )


def test_nothing_to_draw_is_none() -> None:
    assert draw({"id": "a", "annotations": []}, CATEGORIES) is None
    assert draw({"id": "a", "annotations": [{"type": "label", "label_id": 0}]}, CATEGORIES) is None
    assert draw({"id": "a"}, None) is None
    assert draw({"id": "a", "annotations": [{"type": "bbox", "bbox": "x"}]}, None, size=(0, 10)) is None


def test_without_a_size_the_view_covers_the_geometry() -> None:
    drawing = draw({"annotations": [{"type": "bbox", "bbox": [200, 100, 50, 20]}]}, None)
    root = parse(drawing)
    x, y, w, h = view_box(root)
    assert 190 < x < 200 and 90 < y < 100 and 250 < x + w < 260 and 120 < y + h < 130
    assert drawing is not None and "the image size is unknown" in drawing.notes[0]


def test_work_is_capped() -> None:
    many = [{"type": "bbox", "bbox": [i % 50, 0, 1, 1]} for i in range(MAX_ANNOTATIONS + 100)]
    drawing = draw(item(*many), None, size=(80, 100), highlight=MAX_ANNOTATIONS + 50)
    root = parse(drawing)
    assert len(groups(root)) == MAX_ANNOTATIONS + 1
    assert groups(root)[-1].get("data-index") == str(MAX_ANNOTATIONS + 50)
    assert drawing is not None and drawing.notes == (
        "99 of its 2100 annotations are not drawn (at most 2000 per item)",
    )

    long = {"type": "polyline", "points": list(range(30_000))}
    drawing = draw(item(long), None, size=(80, 100))
    (polyline,) = parse(drawing).iter(f"{SVG}polyline")
    assert len(polyline.get("points", "").split()) == 10_000
    assert drawing is not None and drawing.notes == (
        "annotation 0 (polyline): only the first 10000 of its 15000 points are drawn",
    )


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=30,
)
FIELDS = st.sampled_from(["type", "bbox", "points", "label_id", "visibility", "rle", "z_order", "id"])
TYPES = st.sampled_from(["bbox", "polygon", "polyline", "points", "ellipse", "cuboid_2d", "skeleton", "mask"])
ANNOTATION = st.dictionaries(FIELDS, JSON, max_size=5).flatmap(
    lambda ann: st.builds(lambda kind: {**ann, "type": kind}, TYPES) if "type" not in ann else st.just(ann)
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    annotations=st.lists(ANNOTATION | JSON, max_size=5),
    categories=JSON,
    size=st.none() | st.tuples(st.integers(-5, 50), st.integers(-5, 50)),
    highlight=st.none() | st.integers(-2, 6),
)
def test_draw_never_raises_and_always_writes_xml(
    annotations: list[Any], categories: Any, size: tuple[int, int] | None, highlight: int | None
) -> None:
    drawing = draw({"annotations": annotations}, categories, size=size, highlight=highlight)
    if drawing is not None:
        root = parse(drawing)
        for value in [*root.get("viewBox", "").split(), root.get("width", ""), root.get("height", "")]:
            assert math.isfinite(float(value))

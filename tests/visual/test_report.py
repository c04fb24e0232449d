"""The visual report, opened in a real browser: what a person sees, and that the page asks for nothing."""

from __future__ import annotations

import base64
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from markdown_it import MarkdownIt
from PIL import Image
from pycocotools import mask as mask_utils

from dlint.rules import RULES_BY_CODE
from tests.browser import opened, pixel
from tests.conftest import run_console
from tests.rules.datasets import zip_folder

WIDTH, HEIGHT = 1600, 800  # the image: downscaled to 512 x 256 in the report
BOX = [400.0, 200.0, 400.0, 300.0]  # x, y, width, height
HOSTILE = "<img src=x onerror=alert(1)>"


def _mask() -> dict[str, Any]:
    """A mask filling the rectangle x 1000..1400, y 100..500 of the image."""
    pixels = bytearray(WIDTH * HEIGHT)
    grid = memoryview(pixels).cast("B", (HEIGHT, WIDTH))
    for y in range(100, 500):
        for x in range(1000, 1400):
            grid[y, x] = 1
    import numpy as np

    encoded = mask_utils.encode(
        np.asfortranarray(np.frombuffer(bytes(pixels), np.uint8).reshape(HEIGHT, WIDTH))
    )
    return {"counts": encoded["counts"].decode("ascii"), "size": [HEIGHT, WIDTH]}


def _annotation(index: int, kind: str, **geometry: Any) -> dict[str, Any]:
    base = {"id": index, "type": kind, "attributes": {}, "group": 0, "label_id": 0, "z_order": 0}
    return base | geometry


def _dataset(root: Path, items: int = 3) -> Path:
    """A dataset with a white 1600 x 800 image per item and three defects: an undeclared attribute on
    a box (item a), the same on a mask (item b), a polygon leaving the image (item c)."""
    box = _annotation(1, "bbox", bbox=BOX, attributes={"colour": "red"})
    mask = _annotation(2, "mask", rle=_mask(), attributes={"colour": "red"})
    outside = _annotation(3, "polygon", points=[-400.0, 100.0, 600.0, 100.0, 600.0, 700.0, -400.0, 700.0])
    annotations = {"a": [box], "b": [mask], "c": [outside]}
    doc = {
        "dm_format_version": "1.0",
        "media_type": 2,
        "infos": {},
        "categories": {
            "label": {
                "labels": [{"name": HOSTILE, "parent": "", "attributes": []}],
                "attributes": [],
                "label_groups": [],
            },
            "mask": {"colormap": [{"label_id": 0, "r": 0, "g": 160, "b": 0}]},
        },
        "items": [
            {
                "id": name,
                "annotations": annotations[name],
                "image": {"path": f"{name}.jpg", "size": [HEIGHT, WIDTH]},
            }
            for name in "abc"[:items]
        ],
    }
    (root / "annotations").mkdir(parents=True)
    (root / "annotations" / "train.json").write_bytes(orjson.dumps(doc))
    (root / "images" / "train").mkdir(parents=True)
    for name in "abc":
        Image.new("RGB", (WIDTH, HEIGHT), "white").save(root / "images" / "train" / f"{name}.jpg", quality=95)
    return root


def _report(target: Path, out: Path, *more: str) -> str:
    done = run_console("check", str(target), "--no-cache", "--output-format", "html", "-o", str(out), *more)
    assert done.code == 0, done.err  # warnings only
    assert not done.out
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _dataset(tmp_path_factory.mktemp("visual") / "ds")
    out = root.parent / "report.html"
    _report(root, out)
    return out


def _scene(watched: Any, item: str) -> Any:
    return watched.page.locator(f'.block[data-item="{item}"] figure.scene svg').first


def _to_screen(watched: Any, svg: Any, x: float, y: float) -> tuple[int, int]:
    """Where an image point is drawn, in the svg element's own screenshot."""
    box = svg.evaluate(
        "s => { const v = s.viewBox.baseVal, r = s.getBoundingClientRect();"
        " return [v.x, v.y, v.width, v.height, r.width, r.height]; }"
    )
    vx, vy, vw, vh, width, height = box
    return round((x - vx) / vw * width), round((y - vy) / vh * height)


def test_the_page_opens_offline_without_a_request_or_an_error(report: Path) -> None:
    with opened() as watched:
        watched.page.goto(report.as_uri())
        assert watched.page.locator(".row").count() == 3
        assert watched.requests_beyond(report.as_uri()) == []
        assert watched.errors == []
        # the hostile label name is shown as text, never run
        fired: list[str] = []
        watched.page.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))
        titles = watched.page.locator("svg title").all_text_contents()
        assert any(HOSTILE in title for title in titles), titles
        watched.page.wait_for_timeout(200)
        assert fired == []
    assert "<img src=x" not in report.read_text(encoding="utf-8")


def test_the_filters_change_what_is_listed(report: Path) -> None:
    with opened() as watched:
        page = watched.page
        page.goto(report.as_uri())
        visible = page.locator(".row:visible")
        assert visible.count() == 3 and page.locator("#shown").text_content() == "3 of 3 shown"
        page.fill("input[name=item]", "b")
        assert visible.count() == 1 and page.locator(".block:visible").get_attribute("data-item") == "b"
        page.fill("input[name=item]", "")
        page.select_option("select[name=rule]", "DL210")
        assert visible.count() == 1 and "outside the image" in visible.first.text_content()
        page.select_option("select[name=rule]", "")
        page.uncheck("input[name=severity][value=warning]")
        assert visible.count() == 0 and page.locator("#shown").text_content() == "0 of 3 shown"
        page.check("input[name=severity][value=warning]")
        assert visible.count() == 3
        assert watched.errors == []


def test_a_box_and_a_mask_land_where_they_are(report: Path) -> None:
    with opened() as watched:
        watched.page.goto(report.as_uri())
        box_svg = _scene(watched, "a")
        shot = box_svg.screenshot()
        x, y, w, h = BOX
        left = _to_screen(watched, box_svg, x, y + h / 2)
        inside = _to_screen(watched, box_svg, x + w / 2, y + h / 2)
        red, green, blue = pixel(shot, *left)
        assert (red, green, blue) != (255, 255, 255) and green > red and green > blue  # the label's green
        assert pixel(shot, *inside)[0] > 200  # the box is an outline: its middle shows the white image

        mask_svg = _scene(watched, "b")
        shot = mask_svg.screenshot()
        red, green, blue = pixel(shot, *_to_screen(watched, mask_svg, 1200, 300))  # inside the mask
        assert green > red + 40 and green > blue + 40
        assert (
            pixel(shot, *_to_screen(watched, mask_svg, 700, 300)) == (255, 255, 255)
            or min(pixel(shot, *_to_screen(watched, mask_svg, 700, 300))) > 240
        )  # beside it: the image
        assert watched.errors == []


def test_a_polygon_outside_the_image_is_drawn_outside_it(report: Path) -> None:
    with opened() as watched:
        watched.page.goto(report.as_uri())
        svg = _scene(watched, "c")
        view = svg.evaluate("s => s.viewBox.baseVal.x")
        assert view < 0  # the drawing widens to show what lies left of the image
        image = svg.locator("image").first.bounding_box()
        shape = svg.locator("g.ann polygon").first.bounding_box()
        assert image is not None and shape is not None
        assert shape["x"] < image["x"] - 20
        shot = svg.screenshot()
        red, green, blue = pixel(shot, *_to_screen(watched, svg, -200, 100))  # on its top edge, outside
        assert green > red and green > blue, (red, green, blue)


def test_the_image_is_a_thumbnail_and_the_drawings_are_bounded(tmp_path: Path) -> None:
    root = _dataset(tmp_path / "ds")
    page = _report(root, tmp_path / "report.html")
    thumbnails = re.findall(r'href="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(thumbnails) == 3
    with Image.open(io.BytesIO(base64.b64decode(thumbnails[0]))) as image:
        assert max(image.size) <= 512 and image.size == (512, 256)

    bounded = _report(root, tmp_path / "bounded.html", "--max-thumbnails", "1")
    assert bounded.count('<figure class="scene">') == 1
    assert "the diagnostics of 2 other items are listed without a drawing" in bounded


def test_text_from_the_file_never_stands_for_a_drawing(tmp_path: Path) -> None:
    # the page is made with marks where the drawings go, filled once they are drawn: an item id
    # written as a mark must show as text, and take no drawing's place
    root = _dataset(tmp_path / "ds")
    file = root / "annotations" / "train.json"
    doc = orjson.loads(file.read_bytes())
    marks = ["<!--dl-figure-0-->", "<!--dl-undrawn-->", "<!--dl-figure-1-->"]
    for item, mark in zip(doc["items"], marks, strict=True):
        item["id"] = mark
    file.write_bytes(orjson.dumps(doc))
    page = _report(root, tmp_path / "report.html", "--max-thumbnails", "2")
    assert page.count('<figure class="scene">') == 2
    assert page.count("the diagnostics of 1 other item are listed without a drawing") == 1
    for mark in marks:
        assert mark not in page and mark.replace("<", "&lt;").replace(">", "&gt;") in page


@pytest.mark.parametrize("items", [1, 24])  # drawn in this process alone, and shared with a forked one
def test_every_rule_that_reported_is_documented_in_the_page(tmp_path: Path, items: int) -> None:
    doc = orjson.loads((_dataset(tmp_path / "ds") / "annotations" / "train.json").read_bytes())
    outside = doc["items"][2]
    doc["items"] = [{**outside, "id": f"item{index}"} for index in range(items)]
    del doc["categories"]["mask"]
    (tmp_path / "ds" / "annotations" / "train.json").write_bytes(orjson.dumps(doc))
    page = _report(tmp_path / "ds", tmp_path / "report.html", "--ignore", "DL407")
    assert page.count('<figure class="scene">') == items
    codes = re.findall(r'<details class="rule" id="rule-(DL\d+)">', page)
    assert codes
    markdown = MarkdownIt("commonmark", {"html": False})
    for code in codes:
        docs = markdown.render(RULES_BY_CODE[code].docs())
        assert f'<details class="rule" id="rule-{code}">' in page.split(docs)[0].rsplit("</details>", 1)[-1]
    assert "<!--dl-" not in page


def test_a_zip_archive_gives_the_same_drawings(tmp_path: Path) -> None:
    root = _dataset(tmp_path / "ds")
    archive = zip_folder(root, tmp_path / "ds.zip")
    page = _report(archive, tmp_path / "report.html")
    assert page.count("data:image/jpeg;base64,") == 3


def test_an_image_that_is_not_there_is_said_and_the_item_still_drawn(tmp_path: Path) -> None:
    root = _dataset(tmp_path / "ds")
    (root / "images" / "train" / "a.jpg").unlink()
    page = _report(root, tmp_path / "report.html", "--ignore", "DL407")
    assert "Image not drawn: a.jpg: not in the dataset." in page
    assert page.count('<figure class="scene">') == 3


def test_a_diagnostic_clicked_highlights_its_annotation(tmp_path: Path) -> None:
    root = _dataset(tmp_path / "ds")
    doc = orjson.loads((root / "annotations" / "train.json").read_bytes())
    first = doc["items"][0]["annotations"][0]
    second = _annotation(
        5, "polygon", points=[1500.0, 700.0, 1700.0, 700.0, 1600.0, 900.0]
    )  # leaves the image
    doc["items"][0]["annotations"] = [first, second]
    (root / "annotations" / "train.json").write_bytes(orjson.dumps(doc))
    page = tmp_path / "report.html"
    _report(root, page)
    with opened() as watched:
        watched.page.goto(page.as_uri())
        block = watched.page.locator('.block[data-item="a"]')
        groups = block.locator("svg g.ann")
        assert block.locator(".row").count() == 2
        # drawn highlighting the first diagnostic's annotation
        assert "hl" in (groups.and_(watched.page.locator('[data-index="0"]')).get_attribute("class") or "")
        block.locator('.row[data-annotation="1"]').click()
        assert "hl" in (block.locator('svg g.ann[data-index="1"]').get_attribute("class") or "")
        assert "dim" in (block.locator('svg g.ann[data-index="0"]').get_attribute("class") or "")
        assert "focus" in (block.locator('.row[data-annotation="1"]').get_attribute("class") or "")
        # the rule's documentation opens from its code
        block.locator('.row[data-annotation="1"] a.code').click()
        assert watched.page.locator("#rule-DL210").evaluate("d => d.open")
        assert watched.errors == []


def test_the_list_is_bounded_by_the_configuration(tmp_path: Path) -> None:
    root = _dataset(tmp_path / "ds")
    page = _report(root, tmp_path / "report.html", "--config", "report.max-diagnostics = 2")
    assert page.count('<li class="row ') == 2
    assert "1 more diagnostic counted above but not listed" in page
    assert "<b>3</b> warnings" in page  # the counts cover them all


def test_an_image_linked_out_of_the_dataset_is_never_read(tmp_path: Path) -> None:
    root = _dataset(tmp_path / "ds")
    outside = tmp_path / "elsewhere.jpg"
    Image.new("RGB", (WIDTH, HEIGHT), "black").save(outside)
    linked = root / "images" / "train" / "a.jpg"
    linked.unlink()
    linked.symlink_to(outside)
    page = _report(root, tmp_path / "report.html", "--ignore", "DL407")
    assert "Image not drawn: a.jpg: not in the dataset." in page
    assert page.count("data:image/jpeg;base64,") == 2


def test_every_item_of_an_archive_is_drawn_over_its_own_image(tmp_path: Path) -> None:
    """Many items read from one archive: each drawing holds its own image (none read for another)."""
    count = 24
    colours = [(10 * i, 255 - 10 * i, (70 * i) % 256) for i in range(count)]
    outside = [-50.0, 10.0, 30.0, 10.0, 30.0, 60.0]
    items = [
        {
            "id": f"i{i}",
            "annotations": [_annotation(1, "polygon", points=outside)],
            "image": {"path": f"i{i}.png", "size": [80, 100]},
        }
        for i in range(count)
    ]
    doc = {"categories": {"label": {"labels": [{"name": "car", "parent": ""}]}}, "items": items}
    archive = tmp_path / "ds.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(
            "annotations/train.json",
            orjson.dumps({"dm_format_version": "1.0", "media_type": 2, "infos": {}, **doc}),
        )
        for i, colour in enumerate(colours):
            picture = io.BytesIO()
            Image.new("RGB", (100, 80), colour).save(picture, "PNG")
            zipped.writestr(f"images/train/i{i}.png", picture.getvalue())
    page = _report(archive, tmp_path / "report.html")
    for i, colour in enumerate(colours):
        block = page.split(f'data-item="i{i}"', 1)[1].split("</article>", 1)[0]
        found = re.search(r'href="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"', block)
        assert found is not None, f"item i{i} has no image"
        with Image.open(io.BytesIO(base64.b64decode(found.group(1)))) as image:
            got = image.convert("RGB").getpixel((50, 40))
        assert all(abs(a - b) < 12 for a, b in zip(got, colour, strict=True)), (i, got, colour)


def test_a_damaged_image_in_an_archive_is_said_not_fatal(tmp_path: Path) -> None:
    root = _dataset(tmp_path / "ds")
    archive = zip_folder(root, tmp_path / "ds.zip")
    raw = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zipped:
        offset = zipped.getinfo("images/train/b.jpg").header_offset
    raw[offset : offset + 4] = b"XXXX"  # the member's local header, broken
    archive.write_bytes(bytes(raw))
    page = _report(archive, tmp_path / "report.html", "--ignore", "DL407")
    assert "Image not drawn: b.jpg: cannot be read from the archive" in page
    assert page.count('<figure class="scene">') == 3

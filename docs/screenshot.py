"""Make the README's picture of the visual report (docs/report.png).

A small dataset is drawn with the image library (two street scenes), given the defects the report is
for (a polygon leaving its image, a mask whose size is swapped, a box on a label that does not exist),
checked with ``--output-format html``, and the page is photographed in the system's headless Chromium.

    python docs/screenshot.py [--out docs/report.png]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw
from pycocotools import mask as coco

WIDTH, HEIGHT = 960, 540


def _scene(seed: int) -> Image.Image:
    """A street: sky, road, two cars and a pedestrian, in flat colours."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (135, 180, 225))
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, 300, WIDTH, HEIGHT), fill=(90, 90, 96))
    pen.rectangle((0, 290, WIDTH, 310), fill=(170, 170, 160))
    shift = 60 * seed
    pen.rounded_rectangle((120 + shift, 330, 380 + shift, 440), 18, fill=(190, 40, 40))
    pen.rounded_rectangle((560 - shift, 350, 820 - shift, 470), 18, fill=(40, 90, 170))
    pen.ellipse((455, 200, 485, 230), fill=(240, 200, 160))
    pen.rectangle((455, 230, 485, 330), fill=(60, 130, 70))
    return image


def _rle(box: tuple[int, int, int, int], height: int, width: int) -> dict[str, Any]:
    pixels = np.zeros((height, width), np.uint8)
    x0, y0, x1, y1 = box
    pixels[y0:y1, x0:x1] = 1
    encoded = coco.encode(np.asfortranarray(pixels))
    return {"counts": encoded["counts"].decode("ascii"), "size": [height, width]}


def _annotation(index: int, kind: str, label: int, **fields: Any) -> dict[str, Any]:
    return {"id": index, "type": kind, "attributes": {}, "group": 0, "label_id": label, "z_order": 0} | fields


def _dataset(root: Path) -> None:
    items = [
        {
            "id": "street_001",
            "image": {"path": "street_001.jpg", "size": [HEIGHT, WIDTH]},
            "annotations": [
                _annotation(1, "bbox", 0, bbox=[120, 330, 260, 110]),
                _annotation(2, "polygon", 0, points=[560, 350, 820, 350, 1010, 470, 560, 470]),
                _annotation(3, "mask", 1, rle=_rle((455, 200, 485, 330), HEIGHT, WIDTH)),
                _annotation(4, "points", 1, points=[470, 215, 462, 280, 478, 280], visibility=[2, 2, 2]),
            ],
        },
        {
            "id": "street_002",
            "image": {"path": "street_002.jpg", "size": [HEIGHT, WIDTH]},
            "annotations": [
                _annotation(1, "bbox", 7, bbox=[180, 330, 260, 110]),
                _annotation(2, "bbox", 0, bbox=[500, 350, 260, 120]),
                _annotation(3, "mask", 1, rle=_rle((200, 455, 330, 485), WIDTH, HEIGHT)),
            ],
        },
    ]
    doc = {
        "dm_format_version": "1.0",
        "media_type": 2,
        "infos": {},
        "categories": {
            "label": {
                "labels": [
                    {"name": "car", "parent": "", "attributes": []},
                    {"name": "person", "parent": "", "attributes": []},
                ],
                "attributes": [],
                "label_groups": [],
            },
            "mask": {
                "colormap": [
                    {"label_id": 0, "r": 250, "g": 200, "b": 0},
                    {"label_id": 1, "r": 0, "g": 220, "b": 120},
                ]
            },
            "points": {
                "items": [
                    {"label_id": 1, "labels": ["head", "left foot", "right foot"], "joints": [[0, 1], [0, 2]]}
                ]
            },
        },
        "items": items,
    }
    (root / "annotations").mkdir(parents=True)
    (root / "annotations" / "train.json").write_text(json.dumps(doc, indent=1))
    (root / "images" / "train").mkdir(parents=True)
    for seed, item in enumerate(items):
        _scene(seed).save(root / "images" / "train" / item["image"]["path"], quality=90)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).with_name("report.png")))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "streets"
        _dataset(root)
        page = Path(folder) / "report.html"
        command = [sys.executable, "-m", "dlint", "check", str(root), "--no-cache", "--output-format", "html"]
        subprocess.run([*command, "-o", str(page)], cwd=folder, check=False)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium"), args=["--no-sandbox"]
            )
            view = browser.new_page(viewport={"width": 1280, "height": 1560}, device_scale_factor=1)
            view.goto(page.as_uri())
            view.screenshot(path=args.out)
            browser.close()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

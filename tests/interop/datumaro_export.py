"""Build a dataset holding every annotation type with Datumaro itself and export it in its format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from datumaro.components.annotation import (
    AnnotationType,
    Bbox,
    Caption,
    Cuboid2D,
    Cuboid3d,
    Ellipse,
    GroupType,
    Label,
    LabelCategories,
    Mask,
    MaskCategories,
    Points,
    PointsCategories,
    Polygon,
    PolyLine,
)
from datumaro.components.dataset import Dataset
from datumaro.components.dataset_base import DatasetItem
from datumaro.components.media import Image


def _image(height: int, width: int) -> Image:
    return Image.from_numpy(np.zeros((height, width, 3), dtype=np.uint8))


def build() -> Dataset:
    """Two subsets; train holds one annotation of every type Datumaro can write in this format."""
    labels = LabelCategories(attributes={"occluded"})
    labels.add("car", attributes={"make", "color"})
    labels.add("person")
    labels.add("body")
    labels.add_label_group("kind", ["person", "car"], group_type=GroupType.EXCLUSIVE)
    mask = np.zeros((6, 8), dtype=np.uint8)
    mask[2:5, 1:4] = 1
    cuboid = [(1, 1), (2, 1), (2, 2), (1, 2), (1.5, 1.5), (2.5, 1.5), (2.5, 2.5), (1.5, 2.5)]
    train = [
        Label(0, id=1, attributes={"make": "acme"}),
        Bbox(1.5, 2, 3, 2.5, label=1, id=2, group=7, z_order=1, object_id=42, attributes={"occluded": False}),
        Polygon([0, 0, 4, 0, 4, 3, 0, 3], label=1, id=3, group=7, z_order=2),
        PolyLine([0, 5, 3, 5, 7, 1], label=0, id=4),
        Points([1, 1, 2, 2, 3, 3], [2, 1, 0], label=2, id=5),
        Mask(mask, label=1, id=6, z_order=3),
        Caption("a red car", id=7),
        Ellipse(1, 1, 5, 4, label=2, id=8),
        Cuboid2D(cuboid, label=1, id=9),
    ]
    val = [
        Mask(mask, label=0, id=1, group=1),
        Cuboid3d([1, 2, 3], [0, 0, 0.5], [2, 1, 1], label=1, id=2),
        Label(1, id=3),
    ]
    items = [
        DatasetItem(
            id="img_001", subset="train", media=_image(6, 8), attributes={"frame": 0}, annotations=train
        ),
        DatasetItem(id="dir/img_002", subset="train", media=_image(5, 7)),
        DatasetItem(id="img_101", subset="val", media=_image(6, 8), annotations=val),
    ]
    categories = {
        AnnotationType.label: labels,
        AnnotationType.mask: MaskCategories.generate(3),
        AnnotationType.points: PointsCategories.from_iterable(
            [(2, ["head", "l_hand", "r_hand"], [[0, 1], [0, 2]])]
        ),
    }
    return Dataset.from_iterable(items, categories=categories)


def export(target: Path, *, save_media: bool = True, stream: bool = False) -> Path:
    """Export with Datumaro's own exporter; returns the dataset directory."""
    build().export(str(target), "datumaro", save_media=save_media, stream=stream)
    return target

"""Datumaro is the judge: what its own exporter writes is clean, and what dlint flags it mishandles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import datumaro
import pytest

from tests.interop.datumaro_export import export


def test_the_pinned_release_is_installed() -> None:
    assert datumaro.__version__ == "1.13.12"


@pytest.mark.parametrize(("save_media", "stream"), [(True, False), (False, False), (True, True)])
def test_a_real_export_of_every_annotation_type_is_clean(
    dlint: Any, tmp_path: Path, save_media: bool, stream: bool
) -> None:
    dataset = export(tmp_path / "export", save_media=save_media, stream=stream)
    files = sorted(p.name for p in (dataset / "annotations").glob("*.json"))
    assert files == ["train.json", "val.json"]
    written = json.loads((dataset / "annotations" / "train.json").read_text())
    kinds = {a["type"] for item in written["items"] for a in item["annotations"]}
    assert kinds == {
        "label",
        "bbox",
        "polygon",
        "polyline",
        "points",
        "mask",
        "caption",
        "ellipse",
        "cuboid_2d",
    }
    run = dlint("check", str(dataset), "--output-format", "json")
    assert (run.code, run.json()) == (0, [])


def test_a_mask_dlint_flags_really_decodes_wrong_in_datumaro(dlint: Any, tmp_path: Path) -> None:
    dataset = export(tmp_path / "export")
    path = dataset / "annotations" / "train.json"
    doc = json.loads(path.read_text())
    mask = next(a for a in doc["items"][0]["annotations"] if a["type"] == "mask")
    mask["rle"]["size"] = [10, 10]  # the image is 6 x 8
    path.write_text(json.dumps(doc))
    run = dlint("check", str(dataset), "--output-format", "json")
    assert run.code == 1
    assert {(d["code"], d["pointer"]) for d in run.json()} == {
        ("DL301", "/items/0/annotations/5/rle/size"),
        ("DL302", "/items/0/annotations/5/rle"),
    }
    imported = datumaro.Dataset.import_from(str(dataset), "datumaro")
    item = imported.get("img_001", subset="train")
    [decoded] = [a for a in item.annotations if a.type == datumaro.AnnotationType.mask]
    assert decoded.image.shape == (10, 10)  # accepted silently, at the wrong size


@pytest.mark.parametrize("dialect", ["legacy-infos", "legacy-info"])
def test_legacy_point_clouds_and_skeletons_fail_datumaro_as_dlint_says(dlint: Any, dialect: str) -> None:
    """The writer-shaped legacy datasets hold point clouds without a media type (and CVAT's, skeletons):
    mainline Datumaro 1.13.12 refuses both, and a check for it says so."""
    root = Path(__file__).resolve().parents[1] / "data" / "dialects" / dialect
    with pytest.raises(datumaro.components.errors.DatasetImportError):
        datumaro.Dataset.import_from(str(root), "datumaro")
    run = dlint("check", str(root), "--target", "datumaro", "--output-format", "json", "--no-cache")
    assert run.code == 1
    said = {d["code"] for d in run.json() if "mainline Datumaro fails to import it" in d["message"]}
    assert said == ({"DL605", "DL604"} if dialect == "legacy-info" else {"DL605"})

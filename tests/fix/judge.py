"""Datumaro as the judge: import a dataset with Datumaro 1.13.12 and describe what it holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datumaro
import numpy as np


def imported(path: Path) -> dict[tuple[str, str], list[Any]]:
    """Every item's annotations as Datumaro reads them (masks decoded to pixels), by (subset, id)."""
    dataset = datumaro.Dataset.import_from(str(path), "datumaro")
    result = {}
    for item in dataset:
        described = []
        for annotation in sorted(item.annotations, key=lambda a: (a.id, a.type.name)):
            entry: dict[str, Any] = {
                "type": annotation.type.name,
                "id": annotation.id,
                "group": annotation.group,
            }
            entry["attributes"] = dict(annotation.attributes)
            for name in (
                "label",
                "points",
                "z_order",
                "caption",
                "position",
                "rotation",
                "scale",
                "visibility",
            ):
                if hasattr(annotation, name):
                    value = getattr(annotation, name)
                    entry[name] = (
                        [getattr(v, "value", v) for v in value] if isinstance(value, list) else value
                    )
            if annotation.type.name == "mask":
                entry["pixels"] = np.asarray(annotation.image).tobytes()
            described.append(entry)
        result[(item.subset, item.id)] = described
    return result

"""The colours of the mask colormap, `categories.mask.colormap`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Finding
from dlint.readers import Claim, Reader, Reading, by_reader
from dlint.rules.base import Context, Rule, Scope, is_int
from dlint.rules.messages import describe

if TYPE_CHECKING:
    from dlint.validation import SchemaFailure

_CHANNELS = ("r", "g", "b")


def colormap_entries(categories: Any) -> list[Any]:
    """The entries of ``categories.mask.colormap`` (empty when there is no such list)."""
    mask = categories.get("mask") if isinstance(categories, dict) else None
    colormap = mask.get("colormap") if isinstance(mask, dict) else None
    return colormap if isinstance(colormap, list) else []


#: What the readers do with a colormap entry that lacks a component: a KeyError fails the import.
_MISSING = by_reader(
    datumaro=Claim(
        Reading.FAILS,
        "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_categories",
        "A missing component is a KeyError that fails the whole import.",
    ),
    cvat=Claim(
        Reading.FAILS,
        "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_categories",
        "The fork reads the colormap the same way.",
    ),
)


class InvalidColormapColor(Rule):
    """A colormap colour component is not an integer from 0 to 255.

    ## What it does
    Checks that `r`, `g` and `b` of every `categories.mask.colormap` entry are integers from 0 to 255.

    ## Why is this bad?
    Datumaro stores the values as given, silently (even a string such as `"red"`); painting masks
    with such a colormap then fails or gives wrong colours.

    ## Example
    ```json
    {"label_id": 0, "r": 300, "g": 0, "b": "0"}
    ```
    Colour components are integers from 0 to 255.
    """

    code = "DL112"
    name = "invalid-colormap-color"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_categories",
            "'red' and 300 are stored as given; painting fails later.",
        ),
        cvat=Claim(
            Reading.READS,
            "cvat/apps/dataset_manager/bindings.py: import_dm_annotations",
            "CVAT ignores the colormap.",
        ),
    )
    scope = Scope.CATEGORIES
    claims = (r"/categories/mask/colormap/\d+/[rgb]",)

    @classmethod
    def readers_of(cls, failure: SchemaFailure, document: Any) -> Mapping[Reader, Claim] | None:
        return _MISSING if failure.keyword == "required" else None

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        found = []
        for i, entry in enumerate(colormap_entries(node)):
            if not isinstance(entry, dict):
                continue
            for channel in _CHANNELS:
                value = entry.get(channel)
                if is_int(value) and not 0 <= value <= 255:
                    message = f"colormap {channel} is {value}, outside 0..255; Datumaro stores it silently"
                    found.append(Finding(f"/mask/colormap/{i}/{channel}", message))
        return found

    @classmethod
    def explain(cls, failure: SchemaFailure, document: Any) -> str:
        channel = failure.target.rsplit("/", 1)[1]
        if failure.keyword == "required":
            return f'colormap entry has no "{channel}"; Datumaro refuses the dataset (KeyError)'
        return (
            f"colormap {channel} must be an integer 0..255, got {describe(failure.instance)}; "
            "Datumaro stores it silently"
        )

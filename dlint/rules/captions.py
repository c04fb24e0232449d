"""Rules on caption annotations: a text, and not an empty one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Finding, Severity
from dlint.readers import Claim, Reading, by_reader
from dlint.rules.base import Context, Rule, Scope
from dlint.rules.messages import describe, short

if TYPE_CHECKING:
    from dlint.columns.table import Rows, Table
    from dlint.validation import SchemaFailure


class MissingCaption(Rule):
    """A caption annotation has no `caption` string.

    ## What it does
    Checks that every `caption` annotation has a `caption` key holding a string.

    ## Why is this bad?
    Datumaro converts the caption with `str()` without a word: a missing caption or `null` becomes
    the text `"None"`, a number its digits, and that text is what training and exports then see.

    ## Example
    ```json
    {"id": 7, "type": "caption", "attributes": {}, "group": 0}
    ```
    Add the text: `"caption": "a red car"`.
    """

    code = "DL207"
    name = "missing-caption"
    readers = by_reader(
        datumaro=Claim(
            Reading.CORRUPTS,
            "datumaro/components/annotation.py: Caption.caption",
            "A missing caption becomes 'None', 42 becomes '42'.",
        ),
        cvat=Claim(
            Reading.READS,
            "cvat/apps/dataset_manager/bindings.py: import_dm_annotations",
            "CVAT does not import captions at all (not in its shapes map, not a label), so the defect does "
            "not matter.",
        ),
    )
    scope = Scope.SCHEMA
    claims = (r"/items/\d+/annotations/\d+/caption",)

    @classmethod
    def explain(cls, failure: SchemaFailure, document: Any) -> str:
        if failure.keyword == "required":
            return 'caption annotation without a caption: Datumaro reads it silently as the text "None"'
        value = failure.instance
        return (
            f"caption must be a string, got {describe(value)}; Datumaro reads it silently as the text "
            f"{short(str(value))}"
        )


class EmptyCaption(Rule):
    """A caption annotation's text is empty or only white space.

    ## What it does
    Checks that the `caption` of every `caption` annotation has at least one character that is not
    white space.

    ## Why is this bad?
    An empty caption describes nothing. Datumaro keeps it as it is, and captioning models then
    learn to produce empty text for the image; it is usually a placeholder that was never filled in.

    ## Example
    ```json
    {"id": 7, "type": "caption", "caption": "  "}
    ```
    Write the caption, or remove the annotation.
    """

    code = "DL208"
    name = "empty-caption"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/components/annotation.py: Caption",
            "'  ' kept as is.",
        ),
        cvat=Claim(
            Reading.READS,
            "cvat/apps/dataset_manager/bindings.py: import_dm_annotations",
            "Captions are not imported.",
        ),
    )
    severity = Severity.WARNING
    scope = Scope.ANNOTATION
    annotation_types = frozenset({"caption"})

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        caption = node.get("caption")
        if type(caption) is not str or (caption and not caption.isspace()):
            return ()
        what = "empty" if not caption else f"only white space ({short(caption)})"
        return (Finding("/caption", f"caption is {what}; it describes nothing"),)

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        captions = [a.caption for a in table.of("caption")]
        return table.rows("caption", [not text or text.isspace() for text in captions])

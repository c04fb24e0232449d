"""Rules on the subset files of one dataset: they must be dataset files, and agree with each other."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Finding, Severity
from dlint.readers import Claim, Reading, by_reader
from dlint.rules.base import Context, Rule, Scope
from dlint.rules.messages import describe, short

if TYPE_CHECKING:
    from dlint.validation import SchemaFailure

#: What Datumaro reads when a key is absent.
_DEFAULTS: dict[str, Any] = {"infos": {}, "media_type": 2}


class NotADatasetFile(Rule):
    """A JSON file among the annotations is not a dataset file.

    ## What it does
    Checks that the file is an object with the two keys Datumaro's importer needs, `categories`
    and `items`.

    ## Why is this bad?
    Datumaro takes *every* `annotations/*.json` for a subset: one stray JSON file there (a config,
    a report) makes the whole import fail with `KeyError: 'categories'`.

    ## Example
    ```json
    {"task": "review", "reviewer": 3}
    ```
    Move the file out of `annotations/`.
    """

    code = "DL501"
    name = "not-a-dataset-file"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_categories ; "
            "plugins/data_formats/datumaro/importer.py: DatumaroImporter.find_sources",
            "Every annotations/*.json becomes a subset: KeyError 'categories' (object) or AttributeError "
            "(list), fatal.",
        ),
        cvat=Claim(
            Reading.FAILS,
            "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_categories; "
            "cvat/apps/dataset_manager/bindings.py: detect_dataset",
            "The same whole-import failure, or a detection failure (CvatDatasetNotFoundError).",
        ),
    )
    scope = Scope.SCHEMA
    claims = ("@type", "/categories@required", "/items@required")

    @classmethod
    def explain(cls, failure: SchemaFailure, document: Any) -> str:
        if failure.pointer == "" and failure.keyword == "type":
            return f"not a dataset file: the top level is {describe(failure.instance)}, not an object"
        missing = [
            key for key in ("categories", "items") if not isinstance(document, dict) or key not in document
        ]
        if failure.keyword == "required" and missing:
            keys = " and ".join(f'"{key}"' for key in missing)
            return f"not a dataset file: no {keys}; Datumaro fails on the whole dataset because of it"
        return f"{failure.message}; Datumaro fails on the whole dataset because of it"


class SubsetMismatch(Rule):
    """A subset file's `categories`, `infos` or `media_type` differ from the dataset's other subsets.

    ## What it does
    Compares every subset file of a dataset (`annotations/*.json` of one folder or archive) with
    the first one: `categories`, `infos` and `media_type` must be equal (the order of attribute
    names and of label group members does not matter, as in Datumaro). The first one is the
    dataset's, whether or not the run was given it: a file named alone (by a hook, in a commit
    that changes only that file) is compared with it all the same.

    ## Why is this bad?
    Datumaro merges the subsets and aborts the whole import when they differ (`All items in the
    sequence should be identical`); a label id would otherwise mean different labels in
    different subsets.

    ## Example
    `train.json` declares the labels `["car", "person"]`, `val.json` declares `["person", "car"]`.
    """

    code = "DL502"
    name = "subset-mismatch"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/components/merge/extractor_merger.py: check_identicalness",
            "'All items in the sequence should be identical' for infos, categories or media_type.",
        ),
        cvat=Claim(
            Reading.FAILS,
            "CVAT's fork: datumaro/components/merge/extractor_merger.py: check_identicalness",
            "Identical check in the fork.",
        ),
    )
    scope = Scope.DOCUMENT

    def check(self, node: Any, ctx: Context) -> Iterable[Finding]:
        dataset = ctx.file.dataset
        reference = dataset.reference if dataset is not None else None
        if reference is None or not ctx.file.is_dataset_file():
            return ()
        findings = []
        for key in ("categories", "infos", "media_type"):
            mine, theirs = (
                ctx.file.data.get(key, _DEFAULTS.get(key)),
                reference.top.get(key, _DEFAULTS.get(key)),
            )
            if _normal(mine) != _normal(theirs):
                pointer = f"/{key}" if key in ctx.file.data else ""
                findings.append(
                    Finding(pointer, f"{key} differ from those of {reference.file}{_hint(mine, theirs)}")
                )
        return findings


class MixedDialects(Rule):
    """The subset files of a dataset are written in different dialects.

    ## What it does
    Compares each subset file's dialect (see `dlint schema`) with the first subset file's (the
    dataset's first, whether or not the run was given it).

    ## Why is this bad?
    One export writes one dialect; a mix means files from different exports or tools were put
    together, and the differing top-level keys (`info`/`infos`, `media_type`) make the subsets
    disagree for Datumaro.

    ## Example
    `train.json` starts with `"dm_format_version": "1.0"`, `val.json` with `"info": {}`.
    """

    code = "DL503"
    name = "mixed-dialects"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_infos / _load_media_type; "
            "extractor_merger.py: check_identicalness",
            "A 1.0 file and a legacy 'info' file import together when their parsed infos/media_type agree "
            "(info is ignored).",
        ),
        cvat=Claim(
            Reading.READS,
            "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_items",
            "Same behaviour; legacy image files infer Image, which equals the 1.0 file's default.",
        ),
    )
    severity = Severity.WARNING
    scope = Scope.DOCUMENT

    def check(self, node: Any, ctx: Context) -> Iterable[Finding]:
        dataset = ctx.file.dataset
        reference = dataset.reference if dataset is not None else None
        if reference is None or _family(reference.dialect) == _family(ctx.file.dialect):
            return ()
        message = f"written in the {ctx.file.dialect} dialect, but {reference.file} in {reference.dialect}"
        return (Finding("", message),)


class InvalidSubsetName(Rule):
    """A subset file name that Datumaro cannot write or read back.

    ## What it does
    Checks the subset name (the file name without `.json`): not empty, no `\\` (Datumaro forbids
    path separators in subset names), not starting with a dot.

    ## Why is this bad?
    Datumaro refuses to export such subsets (`PathSeparatorInSubsetNameError`), and a hidden or
    empty name is usually a stray file.

    ## Example
    `annotations/train\\part1.json`
    """

    code = "DL504"
    name = "invalid-subset-name"
    readers = by_reader(
        datumaro=Claim(
            Reading.CORRUPTS,
            "datumaro/components/dataset_base.py: DatasetItem.subset ; importer.py: find_sources",
            "'train\\part1.json' is read as subset 'train/part1'.",
        ),
        cvat=Claim(
            Reading.READS,
            "CVAT's fork: datumaro/components/dataset_base.py: DatasetItem.subset",
            "The fork keeps the backslash; subsets do not matter for task import.",
        ),
    )
    scope = Scope.DOCUMENT

    def check(self, node: Any, ctx: Context) -> Iterable[Finding]:
        subset = ctx.file.subset
        if subset and "\\" not in subset and not subset.startswith("."):
            return ()
        return (Finding("", f"subset name {subset!r} is empty, hidden or holds a path separator"),)


def _family(dialect: str) -> str:
    """CVAT's 1.0 files are Datumaro 1.0 files that may hold skeletons: a subset without one is alike."""
    return "datumaro-1.0" if dialect == "cvat-1.0" else dialect


def _normal(value: Any) -> Any:
    """Categories as Datumaro compares them: attribute names and label group members as sets."""
    label = value.get("label") if isinstance(value, dict) else None
    if not isinstance(label, dict):
        return value
    normal = dict(label, attributes=_as_set(label.get("attributes")))
    if isinstance(label.get("labels"), list):
        normal["labels"] = [
            dict(entry, attributes=_as_set(entry.get("attributes"))) if isinstance(entry, dict) else entry
            for entry in label["labels"]
        ]
    if isinstance(label.get("label_groups"), list):
        normal["label_groups"] = [
            dict(group, labels=_as_set(group.get("labels"))) if isinstance(group, dict) else group
            for group in label["label_groups"]
        ]
    return dict(value, label=normal)


def _as_set(value: Any) -> Any:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return sorted(set(value))
    return value


def _hint(mine: Any, theirs: Any) -> str:
    labels = [_label_names(value) for value in (mine, theirs)]
    if labels[0] is None or labels[1] is None or labels[0] == labels[1]:
        return ""
    for index, (a, b) in enumerate(zip(labels[0], labels[1], strict=False)):
        if a != b:
            return f" (label {index} is {_name(a)} here, {_name(b)} there)"
    return f" ({len(labels[0])} labels here, {len(labels[1])} there)"


def _name(value: Any) -> str:
    """A label name for a message, cut short (a name can be megabytes long)."""
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:39] + "…")
    return short(value)


def _label_names(categories: Any) -> list[Any] | None:
    try:
        return [label.get("name") for label in categories["label"]["labels"]]
    except (KeyError, TypeError, AttributeError):
        return None

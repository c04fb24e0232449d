"""What a rule is: metadata, the node kind it visits, and a ``check`` that yields findings.

Rules never build diagnostics, locate text or walk the document: the engine hands each node to the
rules that asked for it and stamps code, severity and location onto what they report. A rule's class
docstring is its user documentation (``dlint rule CODE`` prints it).
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeGuard

from dlint.diagnostics import Applicability, Edit, Finding, Fix, Severity
from dlint.media import MediaStore
from dlint.readers import Claim, Reader, Targets, judged

if TYPE_CHECKING:  # the columns (and numpy) are imported only by runs that decode into columns
    from dlint.columns.table import Rows, Table
    from dlint.validation import SchemaFailure


#: Among the codes of the checks a row flagged by the column pass needs (see
#: :attr:`dlint.columns.Decoded.checks`), the schema's.
SCHEMA_CHECK = ""


class Scope(str, enum.Enum):
    """The kind of node a rule visits."""

    #: Produced by the engine itself (the file does not parse).
    PARSE = "parse"
    #: Reports schema failures at the locations it claims (or all others, for schema-violation).
    SCHEMA = "schema"
    #: The whole parsed file, once.
    DOCUMENT = "document"
    #: The ``categories`` object, once per file.
    CATEGORIES = "categories"
    #: Every entry of ``items``.
    ITEM = "item"
    #: Every annotation (of the types the rule names).
    ANNOTATION = "annotation"


class FixAvailability(str, enum.Enum):
    """Whether a rule's diagnostics carry a fix."""

    NONE = "none"
    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class Reference:
    """What the first subset file of a dataset declares, for comparing the other subset files with it."""

    file: str
    dialect: str
    #: Its ``categories``, ``infos`` and ``media_type`` (the keys it has of them; never its items).
    top: dict[str, Any]


@dataclass
class DatasetState:
    """What is known about a dataset while its subset files are linted one after the other."""

    name: str
    media: MediaStore | None = None
    reference: Reference | None = None


@dataclass
class FileContext:
    """What rules may know about the file being linted."""

    dialect: str
    subset: str
    data: dict[str, Any]
    #: Number of entries of ``categories.label.labels``, or None when there is no usable label list.
    label_count: int | None
    #: The dataset the file belongs to (its media, and the first subset file linted).
    dataset: DatasetState | None = None

    def is_dataset_file(self) -> bool:
        """Whether the file has the two keys Datumaro's importer needs to take it for a subset file."""
        return isinstance(self.data.get("categories"), dict) and isinstance(self.data.get("items"), list)


@dataclass
class Context:
    """The file, and for item and annotation rules the item being visited."""

    file: FileContext
    item: dict[str, Any] | None = None
    item_index: int = -1
    annotation_index: int = -1
    #: The item's ``image.size`` as (height, width) when it is two positive integers and, where the
    #: dataset carries the image, agrees with the file's header (see image-size-mismatch); else None.
    image_size: tuple[int, int] | None = None


class Rule:
    """Base class. Subclasses set the class attributes and override :meth:`check`.

    A fresh instance serves one file, so a rule may keep state across nodes and report it in
    :meth:`finish` (for example to check all masks of a file in one vectorised pass).
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    scope: ClassVar[Scope]
    #: For ANNOTATION rules: the annotation ``type`` values visited (empty: every annotation).
    annotation_types: ClassVar[frozenset[str]] = frozenset()
    fix: ClassVar[FixAvailability] = FixAvailability.NONE
    #: Regular expressions of pointers whose schema failures this rule reports under its own code
    #: (for a missing key, the pointer the key would have), each optionally followed by ``@keyword``
    #: to claim only failures of that schema keyword (``/items@required``). See :meth:`explain`.
    claims: ClassVar[tuple[str, ...]] = ()
    #: Whether the rule reports a refusal: a file or archive that could not be checked at all (it was
    #: not read, or does not parse). A refusal fails the run whatever the selection, per-file ignores,
    #: severity overrides or baseline say: those choose among findings in what was checked.
    refusal: ClassVar[bool] = False
    #: What each reader does with a file holding the defect (see :mod:`dlint.readers`): the severity
    #: of a finding follows from it and the run's targets. A rule that states no reader keeps its own.
    readers: ClassVar[Mapping[Reader, Claim]] = {}
    #: Whether the defect is wrong whoever reads it (the file names what it does not define): then a
    #: reader outside the target that reads it does not lower the rule's own severity.
    inherent: ClassVar[bool] = False

    def check(self, node: Any, ctx: Context) -> Iterable[Finding]:
        """Findings for one node; pointers are relative to the node ("" is the node itself)."""
        return ()

    def finish(self, ctx: Context) -> Iterable[Finding]:
        """Findings known only once every node was visited; pointers are absolute."""
        return ()

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows | None:
        """The column form of an item or annotation rule: the rows of a decoded table (see
        :mod:`dlint.columns.table`) where :meth:`check` might report something. It may flag more rows
        than the check reports on, never fewer; a rule that keeps state across rows flags every row
        that state depends on. None: no column form, every row is checked precisely.

        Rows the JSON Schema might reject are flagged by the engine whatever the rules (see
        :attr:`dlint.columns.table.Table.schema_rows`): a rule reporting schema failures it claims
        needs no column form for them."""
        return None if cls.scope in (Scope.ITEM, Scope.ANNOTATION) else table.none()

    @classmethod
    def across(cls, ids: list[str]) -> Iterable[int]:
        """For a rule comparing items with one another: the rows (file indices) it might report on,
        given the ids of every item of the file (the column form sees only part of the items when
        processes share them)."""
        return ()

    @classmethod
    def explain(cls, failure: SchemaFailure, document: Any) -> str:
        """The message for a schema failure this rule claims (by default the schema's own)."""
        return failure.message

    @classmethod
    def readers_of(cls, failure: SchemaFailure, document: Any) -> Mapping[Reader, Claim] | None:
        """What each reader does with a schema failure this rule claims, where that differs from
        what the rule states (None: as the rule states)."""
        return None

    @classmethod
    def repair(cls, failure: SchemaFailure, document: Any) -> Fix | None:
        """A fix for a schema failure this rule claims (edits with absolute pointers), if it has one."""
        return None

    @classmethod
    def judged(cls, targets: Targets, readers: Mapping[Reader, Claim] | None = None) -> tuple[Severity, str]:
        """The severity of this rule's findings under these targets, and what to add to their
        message (see :func:`dlint.readers.judged`); ``readers``: a finding's own claims."""
        return judged(cls.severity, cls.readers if readers is None else readers, targets, cls.inherent)

    @classmethod
    def docs(cls) -> str:
        """The rule's documentation (its class docstring, dedented), with what each reader does."""
        text = inspect.cleandoc(cls.__doc__ or "")
        if not cls.readers:
            return text
        lines = ["", "", "Readers:"]
        for reader in Reader:
            claim = cls.readers.get(reader)
            if claim is not None:
                how = f" {claim.how}" if claim.how else ""
                lines.append(f"- {claim.said(reader)}.{how} (source: {claim.source})")
        if cls.inherent:
            lines.append("The defect is wrong whoever reads the file: it stays an error under every target.")
        return text + "\n".join(lines)

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """The rule as ``dlint rules --output-format json`` and the service's ``/v1/rules`` list it."""
        return {
            "code": cls.code,
            "name": cls.name,
            "summary": cls.summary(),
            "severity": cls.severity.value,
            "fix": cls.fix.value,
            "inherent": cls.inherent,
            "readers": {
                reader.value: {"reading": claim.reading.value, "source": claim.source, "how": claim.how}
                for reader, claim in cls.readers.items()
            },
            "docs": cls.docs(),
        }

    @classmethod
    def summary(cls) -> str:
        """The first line of the documentation."""
        return cls.docs().splitlines()[0] if cls.__doc__ else ""


def is_int(value: object) -> TypeGuard[int | float]:
    """A JSON integer (``true``/``false`` are not numbers; ``1.0`` counts, as JSON Schema says)."""
    kind = type(value)
    return kind is int or (kind is float and value.is_integer())  # type: ignore[attr-defined]


def remove_annotation(kind: str) -> Fix:
    """The unsafe fix for an annotation that cannot be repaired: remove it (relative to the annotation)."""
    return Fix(f"remove the {kind} annotation", Applicability.UNSAFE, (Edit("remove", ""),))


def declared_size(item: dict[str, Any]) -> tuple[int, int] | None:
    """An item's ``image.size`` as (height, width) when it is two positive integers, else None."""
    image = item.get("image")
    size = image.get("size") if type(image) is dict else None
    if (
        type(size) is list
        and len(size) == 2
        and is_int(size[0])
        and is_int(size[1])
        and size[0] > 0
        and size[1] > 0
    ):
        return int(size[0]), int(size[1])
    return None

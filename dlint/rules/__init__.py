"""The rule registry: one explicit list, in code order.

Codes are grouped by family: DL0xx the file and its structure, DL1xx categories and labels, DL2xx
annotations and shape geometry, DL3xx masks, DL4xx items and media, DL5xx agreement between the subset
files of a dataset, DL6xx dialect markers, DL9xx CVAT compatibility.
"""

from __future__ import annotations

from dlint.rules.annotation_ids import DuplicateAnnotationId
from dlint.rules.annotation_types import UnsupportedAnnotationType
from dlint.rules.annotations import AttributesNotObject, NonIntegerField
from dlint.rules.attribute_lists import InvalidAttributeList
from dlint.rules.attributes import UndefinedAttribute
from dlint.rules.base import FixAvailability, Rule, Scope
from dlint.rules.bounds import GeometryOutsideImage
from dlint.rules.captions import EmptyCaption, MissingCaption
from dlint.rules.categories import DuplicateLabelName, EmptyLabelName
from dlint.rules.category_labels import ColormapLabelOutOfRange, PointsLabelOutOfRange
from dlint.rules.colormap import InvalidColormapColor
from dlint.rules.cvat import CvatFrameNotInteger, CvatShapeWithoutLabel, SkeletonPointsMismatch
from dlint.rules.geometry import OddCoordinateCount, TooFewVertices, VisibilityMismatch
from dlint.rules.items import DuplicateItemId, InvalidItemId, MultipleMedia
from dlint.rules.label_groups import InvalidGroupType, UnknownGroupLabel
from dlint.rules.label_ids import LabelIdType, MissingLabelCategories
from dlint.rules.label_parents import ParentCycle, UndefinedParent
from dlint.rules.labels import LabelIdOutOfRange, LabelWithoutLabelId
from dlint.rules.markers import CvatSkeletons, IgnoredMediaKey, LegacyInfoIn10, UppercaseGroupType
from dlint.rules.mask_counts import EmptyMask, InvalidRleCounts
from dlint.rules.masks import RleSizeMismatch, UncompressedRleCounts
from dlint.rules.media_files import (
    ImageSizeMismatch,
    MediaTypeMismatch,
    MissingMediaFile,
    UndeclaredMediaType,
)
from dlint.rules.media_keys import InvalidImageSize, UnsafeMediaPath
from dlint.rules.normal_form import ClosedPolygon, MissingDefaultFields
from dlint.rules.points_templates import InvalidPositions, JointOutOfRange
from dlint.rules.shapes import NonPositiveBoxSize, ZeroAreaPolygon
from dlint.rules.structure import (
    DuplicateKey,
    HugeInteger,
    InvalidJson,
    RefusedInput,
    SchemaViolation,
)
from dlint.rules.subsets import InvalidSubsetName, MixedDialects, NotADatasetFile, SubsetMismatch
from dlint.rules.version import UnknownFormatVersion

FILE_RULES: tuple[type[Rule], ...] = (
    InvalidJson,
    SchemaViolation,
    UnknownFormatVersion,
    DuplicateKey,
    HugeInteger,
    RefusedInput,
)
CATEGORY_RULES: tuple[type[Rule], ...] = (
    LabelIdOutOfRange,
    LabelWithoutLabelId,
    LabelIdType,
    EmptyLabelName,
    DuplicateLabelName,
    UndefinedParent,
    ParentCycle,
    UnknownGroupLabel,
    InvalidGroupType,
    InvalidAttributeList,
    ColormapLabelOutOfRange,
    InvalidColormapColor,
    PointsLabelOutOfRange,
    JointOutOfRange,
    InvalidPositions,
    MissingLabelCategories,
    UndefinedAttribute,
)
ANNOTATION_RULES: tuple[type[Rule], ...] = (
    OddCoordinateCount,
    TooFewVertices,
    VisibilityMismatch,
    NonIntegerField,
    AttributesNotObject,
    UnsupportedAnnotationType,
    MissingCaption,
    EmptyCaption,
    NonPositiveBoxSize,
    GeometryOutsideImage,
    ZeroAreaPolygon,
    DuplicateAnnotationId,
)
MASK_RULES: tuple[type[Rule], ...] = (
    RleSizeMismatch,
    InvalidRleCounts,
    UncompressedRleCounts,
    EmptyMask,
)

ITEM_RULES: tuple[type[Rule], ...] = (
    InvalidItemId,
    DuplicateItemId,
    MultipleMedia,
    InvalidImageSize,
    MediaTypeMismatch,
    UnsafeMediaPath,
    MissingMediaFile,
    ImageSizeMismatch,
)
DATASET_RULES: tuple[type[Rule], ...] = (
    NotADatasetFile,
    SubsetMismatch,
    MixedDialects,
    InvalidSubsetName,
)
MARKER_RULES: tuple[type[Rule], ...] = (
    ClosedPolygon,
    MissingDefaultFields,
    LegacyInfoIn10,
    IgnoredMediaKey,
    UppercaseGroupType,
    CvatSkeletons,
    UndeclaredMediaType,
)
CVAT_RULES: tuple[type[Rule], ...] = (
    CvatFrameNotInteger,
    SkeletonPointsMismatch,
    CvatShapeWithoutLabel,
)

ALL_RULES: tuple[type[Rule], ...] = tuple(
    sorted(
        (
            *FILE_RULES,
            *CATEGORY_RULES,
            *ANNOTATION_RULES,
            *MASK_RULES,
            *ITEM_RULES,
            *DATASET_RULES,
            *MARKER_RULES,
            *CVAT_RULES,
        ),
        key=lambda rule: rule.code,
    )
)

RULES_BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "RULES_BY_CODE", "FixAvailability", "Rule", "Scope", "find_rule"]


def find_rule(code_or_name: str) -> type[Rule] | None:
    """A rule by its code (any case) or its kebab-case name."""
    wanted = code_or_name.strip()
    return RULES_BY_CODE.get(wanted.upper()) or next((r for r in ALL_RULES if r.name == wanted), None)

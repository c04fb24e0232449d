"""The readers an export is written for, what each does with a defect, and the severity that follows.

An export is imported by a reader: mainline Datumaro, or CVAT (through its own fork of Datumaro and its
own import code). The two accept different files. A run checks for a *target*, one reader or both:
given (``--target``, ``target = [...]``), or else the reader the file's dialect is written for: CVAT's
dialects (the legacy layout with ``info``, which CVAT's exports have, and the 1.0 layout with
skeletons) are written for ``cvat``, the others (``infos``, 1.0 without skeletons) for ``datumaro``.

A rule states, per reader, what that reader does with a file holding the defect it reports: the import
fails, it imports wrongly (silently), or it reads the file as written. The severity of a finding
follows from the target (:func:`judged`): a defect that breaks a targeted reader is an error; one that
breaks only a reader outside the target names that reader (a portability note) and is a warning,
unless the defect is wrong whoever reads it (a rule says so: ``inherent``, as for a label id that
names no label); one that breaks no reader keeps the rule's own severity.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from dlint.diagnostics import Severity


class Reader(str, enum.Enum):
    """An importer an export may be written for."""

    DATUMARO = "datumaro"
    CVAT = "cvat"

    @property
    def label(self) -> str:
        return _TITLES[self]


_TITLES = {Reader.DATUMARO: "mainline Datumaro", Reader.CVAT: "CVAT"}


class Reading(str, enum.Enum):
    """What a reader does with a file holding a defect."""

    #: The import fails, or the item or annotation is refused.
    FAILS = "fails"
    #: The import succeeds, but what is read is not what the file says, and nothing is said.
    CORRUPTS = "corrupts"
    #: The file is read as written.
    READS = "reads"

    @property
    def breaks(self) -> bool:
        return self is not Reading.READS


_SAID = {
    Reading.FAILS: "fails to import it",
    Reading.CORRUPTS: "imports it wrongly, without a word",
    Reading.READS: "reads it as written",
}


@dataclass(frozen=True)
class Claim:
    """What one reader does with a rule's defect, and where in its source that is decided (a file and
    a function, to re-check it), with a sentence on how."""

    reading: Reading
    source: str
    how: str = ""

    def said(self, reader: Reader) -> str:
        return f"{reader.label} {_SAID[self.reading]}"


def by_reader(**claims: Claim) -> Mapping[Reader, Claim]:
    """A rule's claims, by reader name (``datumaro=...``, ``cvat=...``), read-only."""
    return MappingProxyType({Reader(name): claim for name, claim in claims.items()})


Targets = frozenset[Reader]
#: Every reader.
ALL_READERS: Targets = frozenset(Reader)
#: The dialects whose files are written for CVAT's importer; the others are written for Datumaro's.
CVAT_DIALECTS = frozenset({"legacy-info", "cvat-1.0"})


def parse_targets(values: Iterable[str]) -> Targets:
    """Targets from their names (``datumaro``, ``cvat``, or ``all`` for both); ValueError for an
    unknown name or none at all."""
    found: set[Reader] = set()
    for value in values:
        name = value.strip().lower()
        if name == "all":
            found |= ALL_READERS
            continue
        try:
            found.add(Reader(name))
        except ValueError:
            known = ", ".join([*(reader.value for reader in Reader), "all"])
            raise ValueError(f"unknown target {value!r}; choose among {known}") from None
    if not found:
        raise ValueError("no target given; choose among datumaro, cvat, all")
    return frozenset(found)


def inferred(dialect: str) -> Targets:
    """The reader a dialect's files are written for."""
    return frozenset({Reader.CVAT if dialect in CVAT_DIALECTS else Reader.DATUMARO})


def judged(
    own: Severity, claims: Mapping[Reader, Claim], targets: Targets, inherent: bool = False
) -> tuple[Severity, str]:
    """The severity of a finding under these targets, and what to add to its message (the readers it
    breaks). A defect that breaks a targeted reader is an error. One that breaks only readers outside
    the target is a warning, and its message names those readers as a portability note; an
    ``inherent`` defect (wrong whoever reads it) keeps the rule's own severity if it is higher. One
    that breaks no reader keeps the rule's own severity."""
    broken = [reader for reader in Reader if reader in claims and claims[reader].reading.breaks]
    targeted = [reader for reader in broken if reader in targets]
    if targeted:
        return Severity.ERROR, " ({})".format("; ".join(claims[reader].said(reader) for reader in targeted))
    if broken:
        notes = "; ".join(claims[reader].said(reader) for reader in broken)
        severity = own if inherent and own is Severity.ERROR else Severity.WARNING
        return severity, f" (portability: {notes}; not a target of this check)"
    return own, ""


__all__ = [
    "ALL_READERS",
    "Claim",
    "Reader",
    "Reading",
    "Targets",
    "by_reader",
    "inferred",
    "judged",
    "parse_targets",
]

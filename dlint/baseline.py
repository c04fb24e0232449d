"""Baselines for legacy datasets: record today's diagnostics, then report only new ones.

A baseline is a JSON file listing one entry per diagnostic by its stable key (see :mod:`dlint.keys`):
file (relative to the baseline's folder), code, subset, item id, annotation id, and the pointer below
the annotation or item; never a line number. The message is kept for readers and is not compared.
Applying a baseline hides as many diagnostics of each key as it records, and returns the entries that
matched nothing, so the baseline can shrink as defects get fixed.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from dataclasses import dataclass
from typing import Any

import orjson

from dlint.api import OptionsError, Report
from dlint.diagnostics import Diagnostic
from dlint.keys import Key, stable_key
from dlint.rules import RULES_BY_CODE

VERSION = 1
_FIELDS = ("file", "code", "subset", "item_id", "annotation_id", "where")


class BaselineError(OptionsError):
    """A baseline file that cannot be read."""


@dataclass(frozen=True)
class Entry:
    """One recorded diagnostic."""

    file: str
    code: str
    subset: str | None
    item_id: str | None
    annotation_id: int | None
    where: str
    message: str = ""

    @property
    def key(self) -> Key:
        return (self.file, self.code, self.subset, self.item_id, self.annotation_id, self.where)

    def describe(self) -> str:
        owner = f", item {self.item_id}" if self.item_id is not None else ""
        owner += f", annotation {self.annotation_id}" if self.annotation_id is not None else ""
        return f"{self.file}: {self.code}{owner} at {self.where or '(document)'}"


@dataclass(frozen=True)
class Baseline:
    entries: tuple[Entry, ...]


def build(report: Report, folder: str) -> Baseline:
    """A baseline recording every diagnostic of a report but refusals (which a baseline cannot hide);
    file names relative to ``folder``."""
    entries = [
        Entry(*stable_key(d, _name(d.file, folder)), message=d.message)
        for d in report.diagnostics
        if not is_refusal(d)
    ]
    return Baseline(tuple(sorted(entries, key=_order)))


def dumps(baseline: Baseline) -> str:
    """The baseline file's text."""
    payload = {
        "dlint-baseline": VERSION,
        "diagnostics": [dataclasses.asdict(entry) for entry in baseline.entries],
    }
    return orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode() + "\n"


def load(path: str) -> Baseline:
    """Read a baseline file; a missing or malformed file is a :class:`BaselineError`."""
    try:
        with open(path, "rb") as handle:
            data = orjson.loads(handle.read())
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from exc
    except orjson.JSONDecodeError as exc:
        raise BaselineError(f"baseline {path} is not JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("dlint-baseline") != VERSION:
        raise BaselineError(f"{path} is not a dlint baseline (version {VERSION})")
    records = data.get("diagnostics")
    if not isinstance(records, list) or not all(_is_entry(r) for r in records):
        raise BaselineError(f"baseline {path}: 'diagnostics' must be a list of entries with {_FIELDS}")
    return Baseline(tuple(Entry(**{k: r[k] for k in (*_FIELDS, "message") if k in r}) for r in records))


def apply(report: Report, baseline: Baseline, folder: str) -> tuple[Report, tuple[Entry, ...]]:
    """The report without the diagnostics the baseline records, and the entries that matched none."""
    left = Counter(entry.key for entry in baseline.entries)
    kept: list[Diagnostic] = []
    for diagnostic in report.diagnostics:
        key = stable_key(diagnostic, _name(diagnostic.file, folder))
        if left[key] > 0 and not is_refusal(diagnostic):
            left[key] -= 1
        else:
            kept.append(diagnostic)
    stale: list[Entry] = []
    for entry in baseline.entries:
        if left[entry.key] > 0:
            left[entry.key] -= 1
            stale.append(entry)
    hidden = len(report.diagnostics) - len(kept)
    filtered = dataclasses.replace(report, diagnostics=tuple(kept), baselined=report.baselined + hidden)
    return filtered, tuple(stale)


def is_refusal(diagnostic: Diagnostic) -> bool:
    """Whether a diagnostic reports a file that could not be checked (see ``Rule.refusal``)."""
    rule = RULES_BY_CODE.get(diagnostic.code)
    return rule is not None and rule.refusal


def folder_of(path: str) -> str:
    """The folder a baseline file's names are relative to."""
    return os.path.dirname(os.path.abspath(path))


def _name(file: str, folder: str) -> str:
    """A diagnostic's file relative to the baseline's folder (``..`` when it lies elsewhere)."""
    try:
        return os.path.relpath(os.path.abspath(file), folder).replace(os.sep, "/")
    except ValueError:  # another drive
        return os.path.abspath(file).replace(os.sep, "/")


def _is_entry(record: Any) -> bool:
    return (
        isinstance(record, dict)
        and all(k in record for k in _FIELDS)
        and isinstance(record["file"], str)
        and isinstance(record["code"], str)
        and isinstance(record["where"], str)
        and (record["annotation_id"] is None or isinstance(record["annotation_id"], int))
    )


def _order(entry: Entry) -> tuple[str, ...]:
    return tuple("" if v is None else f"{v:>12}" if isinstance(v, int) else v for v in entry.key)

"""Stable identities of diagnostics, for baselines and for the fingerprints of CI reports.

Line numbers and array indices move when a file is edited or its items reordered; a key is made of
what does not: the file, the code, the subset, the item id, the annotation id, and the pointer below the
annotation (or below the item, or the whole pointer when the diagnostic lies outside any item).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable

from dlint.diagnostics import Diagnostic

Key = tuple[str, str, str | None, str | None, int | None, str]

_ITEM = re.compile(r"/items/\d+")
_ANNOTATION = re.compile(r"/items/\d+/annotations/\d+")


def where(diagnostic: Diagnostic) -> str:
    """The pointer below the item or annotation that the diagnostic's ids name."""
    pointer = diagnostic.pointer
    if diagnostic.item_id is not None and diagnostic.annotation_id is not None:
        found = _ANNOTATION.match(pointer)
        if found:
            return pointer[found.end() :]
    if diagnostic.item_id is not None:
        found = _ITEM.match(pointer)
        if found:
            return pointer[found.end() :]
    return pointer


def stable_key(diagnostic: Diagnostic, file: str | None = None) -> Key:
    """The key of a diagnostic; ``file`` replaces its file name (a name relative to some folder)."""
    return (
        diagnostic.file if file is None else file,
        diagnostic.code,
        diagnostic.subset,
        diagnostic.item_id,
        diagnostic.annotation_id,
        where(diagnostic),
    )


def fingerprints(diagnostics: Iterable[Diagnostic], path_of: Callable[[str], str]) -> list[str]:
    """A fingerprint per diagnostic, the same across runs; diagnostics with equal keys are told
    apart by their rank among them.
    """
    seen: dict[Key, int] = {}
    result = []
    for diagnostic in diagnostics:
        key = stable_key(diagnostic, path_of(diagnostic.file))
        rank = seen.get(key, 0)
        seen[key] = rank + 1
        text = json.dumps([*key, rank], ensure_ascii=False)
        result.append(hashlib.sha256(text.encode()).hexdigest())
    return result

"""What the endpoints do, as plain functions over spooled uploads: they call the API the CLI calls.

These run in worker processes (see ``dlint.server.jobs``). File names in results are relative to the upload
(``upload.zip/annotations/default.json``), never to the temporary folder that held it. Failures to
read an upload become problems (422); a file that does not parse is a lint result, as in the CLI.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from dlint.api import FixReport, FixSettings, LintOptions, OptionsError, Report, fix, lint, select_rules
from dlint.diagnostics import Diagnostic
from dlint.fixloop import FixResult
from dlint.rules import ALL_RULES, find_rule
from dlint.schemas import DIALECTS, catalog, schema_text
from dlint.server.problems import Problem
from dlint.server.uploads import Upload
from dlint.sources import Source, SourceError

#: What reading a damaged archive may raise besides :class:`SourceError`.
ARCHIVE_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError)


@functools.cache
def selectors() -> list[str]:
    """Every selector that names a rule: ``ALL``, the code prefixes and codes, and the names."""
    prefixes = {rule.code[:length] for rule in ALL_RULES for length in range(2, len(rule.code) + 1)}
    return ["ALL", *sorted(prefixes), *sorted(rule.name for rule in ALL_RULES)]


@dataclass(frozen=True)
class Selection:
    """The rules a request asks for: ``select`` (default: all), ``ignore``, a dialect pin, and the
    readers the files must satisfy (none: the reader of each file's dialect)."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    dialect: str | None = None
    target: tuple[str, ...] = ()

    def options(self) -> LintOptions:
        """The lint options; 400 for an unknown selector or dialect. Selectors are taken exactly as
        listed by :func:`selectors` (the OpenAPI description lists the same)."""
        known = frozenset(selectors())
        for selector in (*self.select, *self.ignore):
            if selector not in known:
                raise Problem(400, "invalid-options", f"unknown rule selector {selector!r}")
        options = LintOptions(
            select=self.select or ("ALL",),
            ignore=self.ignore,
            dialect=self.dialect,
            target=self.target or None,
        )
        try:
            select_rules(options)
        except OptionsError as exc:
            raise Problem(400, "invalid-options", str(exc)) from exc
        return options


@dataclass
class Fixed:
    """A fixed upload (its file holds what to send back: the original bytes when nothing changed)
    and what fixing did."""

    report: FixReport


def check(upload: Upload, options: LintOptions) -> Report:
    """Lint an uploaded annotation file or dataset archive. The report's sources read the spooled
    upload: use them (the visual report does) before the upload is removed."""
    with _refusals(upload):
        report = lint([str(upload.path)], options)
    if not report.files:
        raise _no_annotations()
    _refuse_broken_archive(upload, report.diagnostics)
    return Report(
        tuple(_renamed(d, upload) for d in report.diagnostics),
        tuple(local_name(name, upload) for name in report.files),
        inferred_target=report.inferred_target,
        sources=tuple(_renamed_source(source, upload) for source in report.sources),
    )


def fix_upload(upload: Upload, options: LintOptions, *, unsafe: bool, style: str) -> Fixed:
    """Fix an uploaded file or archive in its temporary folder."""
    with _refusals(upload):
        report = fix([str(upload.path)], options, FixSettings(style=style), unsafe=unsafe)
    if not report.results:
        raise _no_annotations()
    _refuse_broken_archive(upload, [d for result in report.results for d in result.remaining])
    results = [_renamed_result(result, upload) for result in report.results]
    return Fixed(FixReport(results, [local_name(name, upload) for name in report.written]))


def rules() -> list[dict[str, Any]]:
    return [rule.describe() for rule in ALL_RULES]


def rule(code: str) -> dict[str, Any]:
    """One rule by code or name; 404 when there is none."""
    found = find_rule(code)
    if found is None:
        raise Problem(404, "unknown-rule", f"no rule has the code or name {code!r}")
    return found.describe()


def schemas() -> list[dict[str, Any]]:
    """The latest schema of every dialect."""
    entries = catalog()
    return [
        {
            "dialect": dialect,
            "version": entries[dialect].version,
            "id": entries[dialect].id,
            "sha256": entries[dialect].sha256,
            "url": f"/v1/schemas/{dialect}",
        }
        for dialect in DIALECTS
    ]


def schema(dialect: str) -> str:
    """A dialect's JSON Schema, exactly as released; 404 for an unknown dialect."""
    if dialect not in DIALECTS:
        raise Problem(404, "unknown-dialect", f"no dialect {dialect!r}; the dialects: {', '.join(DIALECTS)}")
    return schema_text(dialect)


def local_name(name: str, upload: Upload) -> str:
    """A name below the upload's temporary folder, relative to that folder."""
    marker = f"{upload.folder.name}/"
    at = name.find(marker)
    return name[at + len(marker) :] if at >= 0 else name


def _renamed(diagnostic: Diagnostic, upload: Upload) -> Diagnostic:
    return dataclasses.replace(diagnostic, file=local_name(diagnostic.file, upload))


def _renamed_source(source: Source, upload: Upload) -> Source:
    """A source named as its diagnostics are (the visual report finds an item's file by that name);
    it still reads the spooled upload, which exists as long as the job runs."""
    return dataclasses.replace(source, name=local_name(source.name, upload))


def _renamed_result(result: FixResult, upload: Upload) -> FixResult:
    return dataclasses.replace(
        result,
        name=local_name(result.name, upload),
        remaining=[_renamed(d, upload) for d in result.remaining],
        refused=_local_text(result.refused, upload) if result.refused else None,
    )


def _local_text(text: str, upload: Upload) -> str:
    return re.sub(rf"\S*{re.escape(upload.folder.name)}/", "", text)


#: The rule that reports input dlint refuses to read (a corrupt or hostile archive member).
REFUSED_INPUT = "DL006"


def _refuse_broken_archive(upload: Upload, diagnostics: Iterable[Diagnostic]) -> None:
    """An archive with a member dlint refused to read is a broken upload: 422, not a lint result."""
    if upload.kind != "zip":
        return
    refused = [f"{local_name(d.file, upload)}: {d.message}" for d in diagnostics if d.code == REFUSED_INPUT]
    if refused:
        raise Problem(422, "unreadable-archive", "; ".join(refused[:5]))


def _no_annotations() -> Problem:
    detail = "the archive holds no annotation file (looked for annotations/*.json in it)"
    return Problem(422, "no-annotation-files", detail)


@contextlib.contextmanager
def _refusals(upload: Upload) -> Iterator[None]:
    """Failures to read the upload as 422 problems."""
    what = "archive" if upload.kind == "zip" else "upload"
    try:
        yield
    except OptionsError as exc:
        raise Problem(400, "invalid-options", str(exc)) from exc
    except SourceError as exc:
        raise Problem(422, f"unreadable-{what}", _local_text(str(exc), upload)) from exc
    except ARCHIVE_ERRORS as exc:
        if upload.kind != "zip":
            raise
        detail = f"cannot read the archive: {type(exc).__name__}: {_local_text(str(exc), upload)}"
        raise Problem(422, "unreadable-archive", detail) from exc

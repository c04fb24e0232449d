"""Results as HTTP responses: check reports (JSON, SARIF or the visual report, one HTML page), fixed
files with their fix headers.

``/v1/fix`` answers with the fixed file itself; what fixing did travels in headers, each a compact
JSON text:

- ``X-Dlint-Changed``: ``true`` when the file or archive changed.
- ``X-Dlint-Fixes-Count``: how many fixes were applied.
- ``X-Dlint-Fixes``: the fixes applied (``file``, ``code``, ``pointer``, ``title``), as many as fit
  the configured header size; the count tells when some were left out.
- ``X-Dlint-Summary``: the summary of the diagnostics that remain (the ``summary`` of ``/v1/check``).
- ``X-Dlint-Not-Fixed``: the files left as they were, and why (only when there are any).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import IO, Any

import orjson
from starlette.responses import Response, StreamingResponse

from dlint.api import LintOptions, Report, select_rules
from dlint.diagnostics import Applicability, Diagnostic, Severity
from dlint.reporters import sarif
from dlint.reporters.paths import project_root
from dlint.reporters.summary import INFERRED
from dlint.server.service import Fixed
from dlint.server.uploads import Upload
from dlint.visual.page import PageSettings, policy, render

SARIF_TYPE = "application/sarif+json"
HTML_TYPE = "text/html; charset=utf-8"
#: Sent with the visual report: the page's own policy (it asks for nothing), also as a header.
PAGE_HEADERS = {"Content-Security-Policy": policy(), "X-Content-Type-Options": "nosniff"}
SCHEMA_TYPE = "application/schema+json"
MEDIA_TYPES = {"json": "application/json", "zip": "application/zip"}
_CHUNK = 1024 * 1024


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(payload), status, media_type="application/json")


def summary(diagnostics: Sequence[Diagnostic], files: int) -> dict[str, Any]:
    """Counts per severity and of fixable diagnostics; ``passed`` when no error was found."""
    counts = {s: sum(1 for d in diagnostics if d.severity is s) for s in Severity}
    kinds = [d.fix.applicability for d in diagnostics if d.fix is not None]
    return {
        "passed": counts[Severity.ERROR] == 0,
        "files": files,
        "diagnostics": len(diagnostics),
        "errors": counts[Severity.ERROR],
        "warnings": counts[Severity.WARNING],
        "infos": counts[Severity.INFO],
        "fixable": kinds.count(Applicability.SAFE),
        "unsafe_fixable": kinds.count(Applicability.UNSAFE),
    }


def checked(report: Report, output_format: str) -> tuple[bytes, str]:
    """``{"diagnostics": [...], "summary": {...}}``, or a SARIF 2.1.0 log for ``sarif``: the body
    and its media type."""
    if output_format == "sarif":
        return _sarif(report).encode(), SARIF_TYPE
    payload = {
        "diagnostics": [d.as_dict() for d in report.diagnostics],
        "summary": summary(report.diagnostics, len(report.files)),
    }
    return orjson.dumps(payload), "application/json"


def report_page(report: Report, options: LintOptions) -> tuple[bytes, str]:
    """The visual report of a check (see :mod:`dlint.visual.page`), and its media type. The report's
    sources must still be readable: the items are drawn from them, over their images."""
    given = options.target or ()
    configuration = (
        ("Select", ", ".join(options.select) or "ALL"),
        ("Ignore", ", ".join(options.ignore) or "nothing"),
        ("Dialect", options.dialect or "detected per file"),
        ("Rules", f"{len(select_rules(options))} selected"),
    )
    settings = PageSettings(target=", ".join(given) if given else INFERRED, configuration=configuration)
    return render(report, settings).encode("utf-8"), HTML_TYPE


def _sarif(report: Report) -> str:
    """The SARIF reporter names files relative to the project root: place the upload's names there,
    so that they come out as they are (``upload.zip/annotations/default.json``)."""
    root = project_root()
    diagnostics = tuple(replace(d, file=os.path.join(root, d.file)) for d in report.diagnostics)
    return sarif.render(Report(diagnostics, report.files))


def fix_headers(result: Fixed, upload: Upload, header_limit: int) -> dict[str, str]:
    """The headers that say what fixing did (and how to name the file sent back)."""
    fix_report = result.report
    applied = [
        {"file": r.name, "code": f.code, "pointer": f.pointer, "title": f.title}
        for r in fix_report.results
        for f in r.applied
    ]
    remaining = [d for r in fix_report.results for d in r.remaining]
    headers = {
        "Content-Disposition": f'attachment; filename="{upload.name}"',
        "X-Dlint-Changed": "true" if fix_report.changed else "false",
        "X-Dlint-Fixes-Count": str(len(applied)),
        "X-Dlint-Fixes": bounded(applied, header_limit),
        "X-Dlint-Summary": _header(summary(remaining, len(fix_report.results))),
    }
    refused = [{"file": r.name, "reason": r.refused} for r in fix_report.results if r.refused]
    if refused:
        headers["X-Dlint-Not-Fixed"] = bounded(refused, header_limit)
    return headers


def streamed(stream: IO[bytes], media_type: str, headers: dict[str, str] | None = None) -> Response:
    """An open file sent in chunks (it may already be unlinked: the open file is what is read)."""
    size = os.fstat(stream.fileno()).st_size
    headers = {**(headers or {}), "Content-Length": str(size)}
    return StreamingResponse(_chunks(stream), headers=headers, media_type=media_type)


def bounded(entries: Iterable[dict[str, Any]], limit: int) -> str:
    """A JSON array of as many entries as fit in ``limit`` characters."""
    kept: list[str] = []
    size = 2
    for entry in entries:
        text = _header(entry)
        size += len(text) + (1 if kept else 0)
        if size > limit:
            break
        kept.append(text)
    return f"[{','.join(kept)}]"


def _header(value: Any) -> str:
    """Compact JSON in ASCII (headers carry Latin-1 at most)."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    with stream:
        while chunk := stream.read(_CHUNK):
            yield chunk

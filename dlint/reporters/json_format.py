"""A JSON array of diagnostic objects (see ``Diagnostic.as_dict``)."""

from __future__ import annotations

import orjson

from dlint.api import Report


def render(report: Report, quiet: bool = False) -> str:
    payload = [d.as_dict() for d in report.diagnostics]
    return orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode() + "\n"

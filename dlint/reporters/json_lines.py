"""One JSON object per line and per diagnostic (see ``Diagnostic.as_dict``); nothing when clean."""

from __future__ import annotations

import orjson

from dlint.api import Report


def render(report: Report, quiet: bool = False) -> str:
    return "".join(orjson.dumps(d.as_dict()).decode() + "\n" for d in report.diagnostics)

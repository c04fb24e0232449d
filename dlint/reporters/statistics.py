"""``--statistics``: how many diagnostics each rule gave, most frequent first."""

from __future__ import annotations

from collections import Counter
from typing import Any

import orjson

from dlint.api import Report
from dlint.rules import RULES_BY_CODE


def counts(report: Report) -> list[dict[str, Any]]:
    """One row per code: code, name, severity, count and fix availability."""
    tally = Counter(d.code for d in report.diagnostics)
    first = {d.code: d for d in reversed(report.diagnostics)}
    rows = []
    for code, count in sorted(tally.items(), key=lambda pair: (-pair[1], pair[0])):
        rule = RULES_BY_CODE.get(code)
        rows.append(
            {
                "code": code,
                "name": first[code].name,
                "severity": first[code].severity.value,
                "count": count,
                "fix": rule.fix.value if rule else "none",
            }
        )
    return rows


def render(report: Report, as_json: bool = False) -> str:
    rows = counts(report)
    if as_json:
        return orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n"
    if not rows:
        return ""
    width = max(len(str(row["count"])) for row in rows)
    name_width = max(len(row["name"]) for row in rows)
    return "".join(
        f"{str(row['count']).rjust(width)}  {row['code']}  {row['name'].ljust(name_width)}  "
        f"{row['severity']}\n"
        for row in rows
    )

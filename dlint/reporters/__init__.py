"""Output formats: one module per format, chosen by name from one registry."""

from __future__ import annotations

from typing import Protocol

from dlint.api import Report
from dlint.reporters import concise, full, github, gitlab, grouped, json_format, json_lines, junit, sarif


class Reporter(Protocol):
    """Renders a report; ``quiet`` leaves out everything but the diagnostics (the summary line)."""

    def __call__(self, report: Report, quiet: bool = False) -> str: ...


class TextReporter(Protocol):
    """A format for people, which colours what it prints on a terminal (see :mod:`.colors`)."""

    def __call__(self, report: Report, quiet: bool = False, color: bool = False) -> str: ...


#: The formats for people, by name.
TEXT_REPORTERS: dict[str, TextReporter] = {
    "full": full.render,
    "concise": concise.render,
    "grouped": grouped.render,
}


def _html(report: Report, quiet: bool = False) -> str:
    """The visual report with the default settings (the command line gives it the settings in force)."""
    from dlint.visual.page import render  # its templates and image library load only when asked for

    return render(report)


REPORTERS: dict[str, Reporter] = {
    "full": full.render,
    "concise": concise.render,
    "grouped": grouped.render,
    "json": json_format.render,
    "json-lines": json_lines.render,
    "sarif": sarif.render,
    "github": github.render,
    "gitlab": gitlab.render,
    "junit": junit.render,
    "html": _html,
}

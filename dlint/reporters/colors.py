"""Colour for the text formats on a terminal: whether to use it, and the few styles they need.

``--color auto`` (the default) colours a terminal and nothing else, following the two conventions
terminals share: ``NO_COLOR`` (set and not empty) turns colour off, ``FORCE_COLOR`` (set and not empty)
turns it on even through a pipe; a ``dumb`` terminal gets none. ``always`` and ``never`` decide alone.
"""

from __future__ import annotations

import enum
import os
from typing import TextIO

from dlint.diagnostics import Severity

_RESET = "\x1b[0m"
_CODES = {
    "bold": "1",
    "red": "1;31",
    "yellow": "1;33",
    "blue": "1;34",
    "cyan": "36",
    "dim": "2",
}
_SEVERITY = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


class ColorChoice(str, enum.Enum):
    auto = "auto"
    always = "always"
    never = "never"


def wanted(choice: ColorChoice, stream: TextIO) -> bool:
    """Whether to colour what is written to ``stream``."""
    if choice is not ColorChoice.auto:
        return choice is ColorChoice.always
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return terminal and os.environ.get("TERM") != "dumb"


class Palette:
    """Styles applied when ``enabled``; otherwise every method returns its text unchanged."""

    def __init__(self, enabled: bool = False) -> None:
        self.enabled = enabled

    def paint(self, text: str, style: str) -> str:
        return f"\x1b[{_CODES[style]}m{text}{_RESET}" if self.enabled and text else text

    def severity(self, text: str, severity: Severity) -> str:
        return self.paint(text, _SEVERITY[severity])


#: The palette of an uncoloured report.
PLAIN = Palette()

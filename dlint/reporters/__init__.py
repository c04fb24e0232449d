"""Output formats: one module per format, chosen by name from one registry."""

from __future__ import annotations

from collections.abc import Callable

from dlint.api import Report
from dlint.reporters import concise, full, json_format

Reporter = Callable[[Report], str]

REPORTERS: dict[str, Reporter] = {
    "full": full.render,
    "concise": concise.render,
    "json": json_format.render,
}

"""The visual report: one self-contained HTML page of a run's diagnostics.

The page opens offline and asks for nothing: its style and script are inline (the script allowed by
its hash in the page's Content-Security-Policy, which refuses every request), images are data URIs.
It holds a summary (counts by severity, rule and subset as small charts, the files checked, the
target and configuration), the documentation of every rule that reported, and every diagnostic
with its location, source excerpt and fix, grouped by the item it lies in; an item is drawn with its
annotations over its image (see :mod:`dlint.visual.draw`), up to ``max_thumbnails`` of them. Filters
by severity, rule, subset and file and a search by item id work in the page, without reloading.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from dlint import __version__
from dlint.api import Report
from dlint.diagnostics import Diagnostic, Severity
from dlint.reporters.summary import summary
from dlint.rules import RULES_BY_CODE
from dlint.visual.charts import bars
from dlint.visual.gather import Scene, annotation_index, item_index, scenes, wanted

if TYPE_CHECKING:
    import jinja2
    from markdown_it import MarkdownIt

#: Items drawn at most (past it, the other items' diagnostics are listed without a drawing).
MAX_THUMBNAILS = 200
#: Diagnostics listed at most, to keep the page bounded (the counts and charts cover them all).
MAX_ROWS = 20_000


@dataclass(frozen=True)
class PageSettings:
    """What a page shows besides the diagnostics, and its bounds."""

    max_thumbnails: int = MAX_THUMBNAILS
    max_rows: int = MAX_ROWS
    #: The target in force, as people read it ("datumaro", "inferred from each file's dialect").
    target: str = ""
    #: The configuration in force, as (name, value) pairs.
    configuration: tuple[tuple[str, str], ...] = ()
    title: str = "dlint report"


@dataclass
class Block:
    """The diagnostics of one item (or of a file outside its items), with the item's drawing."""

    file: str
    subset: str
    item: str
    scene: Scene | None
    rows: list[Diagnostic] = field(default_factory=list)


def render(report: Report, settings: PageSettings | None = None) -> str:
    """The report as one HTML page."""
    settings = settings or PageSettings()
    listed = report.diagnostics[: max(settings.max_rows, 0)]
    chosen = wanted(listed, max(settings.max_thumbnails, 0))
    ready: list[list[dict[str, Any]]] = []

    def prepare() -> None:
        """The page's own work, done while a forked process draws items: its template and the
        documentation of the rules that reported."""
        _template()
        ready.append(_rules(report.diagnostics))

    drawn = scenes(report.sources, chosen, meanwhile=prepare) if chosen else {}
    if not ready:
        prepare()
    blocks = _blocks(listed, drawn)
    script = _asset("report.js")
    page = _template().render(
        title=settings.title,
        version=__version__,
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        summary=summary(report),
        counts={severity.value: report.count(severity) for severity in Severity},
        charts=Markup("".join(_charts(report.diagnostics))),
        files=report.files,
        target=settings.target,
        configuration=settings.configuration,
        blocks=blocks,
        total=len(report.diagnostics),
        unlisted=len(report.diagnostics) - len(listed),
        undrawn=sum(1 for block in blocks if block.scene is None and block.item),
        max_thumbnails=settings.max_thumbnails,
        rules=ready[0],
        severities=[severity.value for severity in Severity],
        subsets=sorted({d.subset or "" for d in listed}),
        sources=sorted({d.file for d in listed}),
        style=Markup(_asset("report.css")),
        script=Markup(script),
        policy=Markup(policy()),  # our own text, in a double-quoted attribute
        annotation_index=annotation_index,
    )
    return page


def _blocks(listed: tuple[Diagnostic, ...], drawn: dict[tuple[str, int], Scene]) -> list[Block]:
    blocks: dict[tuple[str, int | None], Block] = {}
    for diagnostic in listed:
        index = item_index(diagnostic.pointer)
        where = (diagnostic.file, index)
        block = blocks.get(where)
        if block is None:
            scene = drawn.get((diagnostic.file, index)) if index is not None else None
            item = diagnostic.item_id or ("" if index is None else f"#{index}")
            block = blocks[where] = Block(diagnostic.file, diagnostic.subset or "", item, scene)
        block.rows.append(diagnostic)
    return list(blocks.values())


def _charts(diagnostics: tuple[Diagnostic, ...]) -> list[str]:
    by_severity = Counter(d.severity.value for d in diagnostics)
    by_rule = Counter(f"{d.code} {d.name}" for d in diagnostics)
    by_subset = Counter(d.subset or "(no subset)" for d in diagnostics)
    return [
        bars(
            "By severity",
            [(s.value, by_severity[s.value], s.value) for s in Severity if by_severity[s.value]],
        ),
        bars("By rule", [(name, count, "rule") for name, count in by_rule.most_common()]),
        bars("By subset", [(name, count, "subset") for name, count in by_subset.most_common()]),
    ]


def _rules(diagnostics: tuple[Diagnostic, ...]) -> list[dict[str, Any]]:
    """The documentation of every rule that reported, as HTML."""
    codes = sorted({d.code for d in diagnostics})
    found = []
    for code in codes:
        rule = RULES_BY_CODE.get(code)
        if rule is None:
            continue
        found.append(
            {
                "code": code,
                "name": rule.name,
                "severity": rule.severity.value,
                "docs": Markup(_markdown().render(rule.docs())),
            }
        )
    return found


@cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt  # (loaded while items are drawn, see render)

    return MarkdownIt("commonmark", {"html": False})


@cache
def _template() -> jinja2.Template:
    import jinja2  # (loaded while items are drawn, see render)

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("dlint.visual", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("report.html.j2")


@cache
def _asset(name: str) -> str:
    return resources.files("dlint.visual").joinpath("static").joinpath(name).read_text(encoding="utf-8")


def policy() -> str:
    """The page's Content-Security-Policy (in the page, and for a server to send as a header): no
    request of any kind, images from data URIs, inline style, and no script but its own."""
    return (
        f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src {script_source()}; "
        "base-uri 'none'; form-action 'none'"
    )


def script_source() -> str:
    """The page's script as a Content-Security-Policy source: its hash (the page allows no other)."""
    return hash_source(_asset("report.js"))


def hash_source(script: str) -> str:
    """An inline script as a Content-Security-Policy source: its SHA-256 hash."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"

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
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from html import escape
from importlib import resources
from typing import TYPE_CHECKING

import orjson
from markupsafe import Markup

from dlint import __version__
from dlint.api import Report
from dlint.columns import split
from dlint.diagnostics import Diagnostic, Severity
from dlint.reporters.summary import summary
from dlint.rules import RULES_BY_CODE
from dlint.visual.charts import bars
from dlint.visual.gather import Scene, annotation_index, drawer, item_index, read_back, scene, shared, wanted

if TYPE_CHECKING:
    import jinja2
    from markdown_it import MarkdownIt

#: Items drawn at most (past it, the other items' diagnostics are listed without a drawing).
MAX_THUMBNAILS = 50
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
    #: The number of the item's drawing, when it is drawn.
    drawing: int | None
    rows: list[Diagnostic] = field(default_factory=list)


def render(report: Report, settings: PageSettings | None = None) -> str:
    """The report as one HTML page."""
    settings = settings or PageSettings()
    listed = report.diagnostics[: max(settings.max_rows, 0)]
    chosen = wanted(listed, max(settings.max_thumbnails, 0))
    jobs = list(read_back(report.sources, chosen)) if chosen else []
    numbers = {(job.source.name, job.row): number for number, job in enumerate(jobs)}
    blocks = _blocks(listed, numbers)
    rules = _rules(report.diagnostics)
    draw = drawer(jobs)
    pages: list[str] = []

    def prepare() -> None:
        """The page, with a mark where each drawing and each rule's documentation goes: made while
        a forked process writes the documentation and draws items."""
        pages.append(_page(report, settings, listed, blocks, rules))

    def do(index: int) -> bytes:
        """Job 0 writes the documentation of the rules that reported, the others draw the items."""
        return orjson.dumps([_docs(rule) for rule in rules]) if index == 0 else draw(index - 1)

    # The jobs are shared out in turn, from the first: the forked process starts on the documentation
    # while this one makes the page.
    answers = split.share_out(len(jobs) + 1, do, prepare, fork=shared(jobs))
    drawn = [scene(answer) for answer in answers[1:]]
    undrawn = sum(
        1 for block in blocks if block.item and (block.drawing is None or drawn[block.drawing] is None)
    )
    filled = _Filled([_figure(one) for one in drawn], orjson.loads(answers[0]), undrawn, settings)
    return _MARK.sub(filled.at, pages[0])


def _page(
    report: Report,
    settings: PageSettings,
    listed: tuple[Diagnostic, ...],
    blocks: list[Block],
    rules: list[dict[str, str]],
) -> str:
    """The page, its drawings, the rules' documentation and the count of items left undrawn marked
    for :data:`_MARK` to fill."""
    return _template().render(
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
        undrawn=Markup(_UNDRAWN),
        rules=rules,
        severities=[severity.value for severity in Severity],
        subsets=sorted({d.subset or "" for d in listed}),
        sources=sorted({d.file for d in listed}),
        style=Markup(_asset("report.css")),
        script=Markup(_asset("report.js")),
        policy=Markup(policy()),  # our own text, in a double-quoted attribute
        annotation_index=annotation_index,
        figure=lambda number: Markup(f"<!--dl-figure-{number}-->"),
        doc=lambda number: Markup(f"<!--dl-doc-{number}-->"),
    )


#: The marks left in the page where what the jobs shared out make goes: the drawings, the rules'
#: documentation, and the count of items left undrawn. No text from a file can write one: the page
#: escapes every ``<`` of it.
_MARK = re.compile(r"<!--dl-(figure-(\d+)|doc-(\d+)|undrawn)-->")
_UNDRAWN = "<!--dl-undrawn-->"


@dataclass(frozen=True)
class _Filled:
    """What goes in each mark of the page."""

    figures: list[str]
    docs: list[str]
    undrawn: int
    settings: PageSettings

    def at(self, mark: re.Match[str]) -> str:
        if mark[2] is not None:
            return self.figures[int(mark[2])]
        if mark[3] is not None:
            return self.docs[int(mark[3])]
        if not self.undrawn:
            return ""
        return (
            f'<p class="bound">Items are drawn up to {self.settings.max_thumbnails}; the diagnostics of '
            f"{self.undrawn} other item{'' if self.undrawn == 1 else 's'} are listed without a drawing.</p>"
        )


def _figure(drawn: Scene | None) -> str:
    """A drawn item as the page shows it (nothing for an item with nothing to draw)."""
    if drawn is None:
        return ""
    notes = (
        [f'<span class="note">Image not drawn: {escape(drawn.image_note)}.</span>']
        if drawn.image_note
        else []
    )
    notes += [f'<span class="note">{escape(note)}</span>' for note in drawn.drawing.notes]
    return (
        f'<figure class="scene">\n{drawn.drawing.svg}\n<figcaption>{"".join(notes)}</figcaption>\n</figure>'
    )


def _blocks(listed: tuple[Diagnostic, ...], numbers: dict[tuple[str, int], int]) -> list[Block]:
    """The diagnostics by item, each item with the number of its drawing (when it is drawn)."""
    blocks: dict[tuple[str, int | None], Block] = {}
    for diagnostic in listed:
        index = item_index(diagnostic.pointer)
        where = (diagnostic.file, index)
        block = blocks.get(where)
        if block is None:
            drawing = numbers.get((diagnostic.file, index)) if index is not None else None
            item = diagnostic.item_id or ("" if index is None else f"#{index}")
            block = blocks[where] = Block(diagnostic.file, diagnostic.subset or "", item, drawing)
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


def _rules(diagnostics: tuple[Diagnostic, ...]) -> list[dict[str, str]]:
    """Every rule that reported: its code, name and severity."""
    codes = sorted({d.code for d in diagnostics})
    found = []
    for code in codes:
        rule = RULES_BY_CODE.get(code)
        if rule is not None:
            found.append({"code": code, "name": rule.name, "severity": rule.severity.value})
    return found


def _docs(rule: dict[str, str]) -> str:
    """A rule's documentation, as HTML."""
    return str(_markdown().render(RULES_BY_CODE[rule["code"]].docs()))


@cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt  # (loaded by the process that writes the docs, see render)

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

"""Small bar charts as inline SVG: counts by severity, by rule, by subset, taken in at a glance."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

#: Bars drawn at most; the rest are summed into one "others" bar.
MAX_BARS = 12
_ROW = 18
_LABEL = 175
_BAR = 220


def bars(title: str, counts: Sequence[tuple[str, int, str]]) -> str:
    """A horizontal bar chart: one bar per (label, count, CSS class), largest first as given."""
    shown = list(counts[:MAX_BARS])
    rest = sum(count for _, count, _ in counts[MAX_BARS:])
    if rest:
        shown.append((f"{len(counts) - MAX_BARS} others", rest, "others"))
    top = max((count for _, count, _ in shown), default=0) or 1
    height = _ROW * len(shown) + 4
    width = _LABEL + _BAR + 60
    rows = []
    for row, (label, count, kind) in enumerate(shown):
        y = row * _ROW + 2
        length = max(1.0, _BAR * count / top)
        rows.append(
            f'<g class="bar {escape(kind)}"><title>{escape(label)}: {count}</title>'
            f'<text x="{_LABEL - 6}" y="{y + 12}" text-anchor="end">{escape(_short(label))}</text>'
            f'<rect x="{_LABEL}" y="{y + 2}" width="{length:.1f}" height="{_ROW - 5}" rx="2"/>'
            f'<text x="{_LABEL + length + 5:.1f}" y="{y + 12}">{count}</text></g>'
        )
    return (
        f'<figure class="chart"><figcaption>{escape(title)}</figcaption>'
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">{"".join(rows)}</svg></figure>'
    )


def _short(label: str, most: int = 24) -> str:
    return label if len(label) <= most else label[: most - 1] + "\u2026"

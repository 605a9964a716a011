"""Charts as server-rendered SVG: accessible (title, role="img", a text table beside)
and needing no JavaScript or chart library."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

PALETTE = ("#1f5fa8", "#c0392b", "#2e7d32", "#b26a00", "#6a1b9a", "#00695c", "#455a64")


def _number(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.1f}%"
    return f"{value:g}" if value != int(value) else str(int(value))


def bar_chart(
    title: str, rows: Sequence[tuple[str, float]], *, percent: bool = False, width: int = 400
) -> Markup:
    """Horizontal bars, one row per (label, value)."""
    row_height, label_width, gap = 30, 120, 6
    height = max(1, len(rows)) * row_height + 8
    largest = max([v for _, v in rows] + [1.0 if percent else 0.0]) or 1.0
    bar_space = width - label_width - 60
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}"'
        f' width="100%" preserveAspectRatio="xMinYMin meet"><title>{escape(title)}</title>'
    ]
    for index, (label, value) in enumerate(rows):
        y = 4 + index * row_height
        length = 0 if largest == 0 else max(0.0, value) / largest * bar_space
        colour = PALETTE[index % len(PALETTE)]
        parts.append(
            f'<text x="{label_width - 8}" y="{y + row_height / 2 + 5}" text-anchor="end"'
            f' class="chart-label">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y + gap / 2}" width="{length:.1f}"'
            f' height="{row_height - gap}" fill="{colour}" rx="3"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + row_height / 2 + 5}"'
            f' class="chart-value">{_number(value, percent)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_bar(title: str, parts: Sequence[tuple[str, float]], width: int = 400) -> Markup:
    """One bar split into parts (e.g. items by status) with a legend below it."""
    total = sum(v for _, v in parts)
    svg = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} 36"'
        f' width="100%"><title>{escape(title)}</title>'
        f'<rect x="0" y="0" width="{width}" height="32" fill="#e6e9ee" rx="4"/>'
    ]
    legend = ['<ul class="legend">']
    x = 0.0
    for index, (label, value) in enumerate(parts):
        length = value / total * width if total else 0.0
        colour = PALETTE[index % len(PALETTE)]
        svg.append(f'<rect x="{x:.1f}" y="0" width="{length:.1f}" height="32" fill="{colour}"/>')
        legend.append(
            f'<li><span class="swatch" style="background:{colour}"></span>'
            f"{escape(label)} <strong>{_number(value, False)}</strong></li>"
        )
        x += length
    svg.append("</svg>")
    legend.append("</ul>")
    return Markup("".join(svg + legend))
